"""Writes that touch several models. Every function here runs in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from quotes.models import KEY_LENGTH, Affiliation, Quote, Speaker
from quotes.roles import Resolution, resolve_role


def quote_key_generate(*, quote: Quote) -> str:
    """A readable unique key from the speaker and date: ``wang-yi-2023-10-14``, then ``-2``…"""
    base = slugify(f"{quote.speaker.key} {quote.said or 'undated'}")[: KEY_LENGTH - 8]
    taken = set(
        Quote.objects.filter(key__startswith=base)
        .exclude(pk=quote.pk)
        .values_list("key", flat=True)
    )
    candidate, counter = base, 1
    while candidate in taken:
        counter += 1
        candidate = f"{base}-{counter}"
    return candidate


def quote_apply_role(*, quote: Quote, chosen: Affiliation | None = None) -> None:
    """Set ``quote.role`` without saving: the editor's choice, else the resolved role.

    A chosen role that equals what resolution gives is recorded as resolved, so that a
    later affiliation edit can still re-resolve it.
    """
    outcome = resolve_role(quote.said, quote.speaker.affiliations.all())
    if chosen is not None and (
        chosen != outcome.affiliation or quote.role_resolution == Resolution.EXPLICIT
    ):
        quote.role, quote.role_resolution = chosen, Resolution.EXPLICIT
    else:
        quote.role, quote.role_resolution = outcome.affiliation, outcome.resolution


@transaction.atomic
def speaker_quotes_reresolve(*, speaker: Speaker) -> int:
    """Re-resolve the roles of a speaker's quotes that no editor chose; return how many changed."""
    affiliations = list(speaker.affiliations.all())
    now = timezone.now()
    changed = []
    for quote in speaker.quotes.exclude(role_resolution=Resolution.EXPLICIT):
        outcome = resolve_role(quote.said, affiliations)
        if (quote.role_id, quote.role_resolution) != (
            outcome.affiliation.pk if outcome.affiliation else None,
            outcome.resolution,
        ):
            quote.role, quote.role_resolution = outcome.affiliation, outcome.resolution
            quote.updated = now
            changed.append(quote)
    Quote.objects.bulk_update(changed, ["role", "role_resolution", "updated"])
    return len(changed)


@transaction.atomic
def affiliation_save(*, affiliation: Affiliation, previous_speaker_id: int | None = None) -> int:
    """Save an affiliation and re-resolve the quotes whose role it may change."""
    affiliation.full_clean()
    affiliation.save()
    changed = speaker_quotes_reresolve(speaker=affiliation.speaker)
    if previous_speaker_id and previous_speaker_id != affiliation.speaker_id:
        changed += speaker_quotes_reresolve(speaker=Speaker.objects.get(pk=previous_speaker_id))
    return changed


@transaction.atomic
def affiliation_delete(*, affiliation: Affiliation) -> int:
    speaker = affiliation.speaker
    # Detach first: a quote may not keep a "resolved" state without its role.
    Quote.objects.filter(role=affiliation).update(role=None, role_resolution=Resolution.NONE)
    affiliation.delete()
    return speaker_quotes_reresolve(speaker=speaker)


@transaction.atomic
def quote_save(*, quote: Quote, chosen_role: Affiliation | None = None, user=None) -> Quote:
    """Validate and save a quote: generate its key if empty, set its role and authorship."""
    if not quote.key:
        quote.key = quote_key_generate(quote=quote)
    quote_apply_role(quote=quote, chosen=chosen_role)
    if user is not None and user.is_authenticated:
        if quote._state.adding:
            quote.created_by = user
        quote.updated_by = user
    quote.full_clean(exclude=["said_start"])
    quote.save()
    return quote


if TYPE_CHECKING:
    from quotes.interchange.importer import ImportReport, ProgressFactory, RecordInput


def records_import(
    *,
    lines_or_stream: RecordInput,
    dry_run: bool,
    user=None,
    label: str = "",
    progress: ProgressFactory | None = None,
) -> ImportReport:
    """Import an interchange file (docs/interchange.md) in one transaction, or nothing.

    Every line is validated before anything is written; with ``dry_run`` the import is
    rolled back after counting what it would create, update and leave unchanged. See
    ``quotes.interchange.importer.records_import``.
    """
    # Imported here: jsonschema and the schema file are needed only by imports.
    from quotes.interchange import importer

    return importer.records_import(
        lines_or_stream=lines_or_stream,
        dry_run=dry_run,
        user=user,
        label=label,
        progress=progress,
    )
