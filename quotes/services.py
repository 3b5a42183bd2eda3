"""Writes that touch several models. Every function here runs in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from quotes.models import (
    KEY_LENGTH,
    Affiliation,
    Citation,
    Quote,
    Speaker,
    SpeakerName,
    Topic,
    Translation,
)
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


@transaction.atomic
def quote_write(
    *,
    quote: Quote,
    chosen_role: Affiliation | None = None,
    user=None,
    topics: Iterable[Topic] | None = None,
    translations: Iterable[dict] | None = None,
    citations: Iterable[dict] | None = None,
) -> Quote:
    """Save a quote with its topics, translations and citations (each left as it is when
    None), validating every record as the admin does."""
    quote_save(quote=quote, chosen_role=chosen_role, user=user)
    if topics is not None:
        quote.topics.set(topics)
    if translations is not None:
        _children_replace(
            quote.translations.all(),
            translations,
            match="language",
            make=lambda: Translation(quote=quote),
            field="translations",
        )
    if citations is not None:
        _children_replace(
            quote.citations.all(),
            citations,
            match="source",
            make=lambda: Citation(quote=quote),
            field="citations",
        )
    return quote


@transaction.atomic
def speaker_write(
    *,
    speaker: Speaker,
    names: Iterable[dict] | None = None,
    affiliations: Iterable[dict] | None = None,
) -> Speaker:
    """Save a speaker with its other names and affiliations (each left as it is when None).

    Affiliations are matched on organization, title and start; those not given are removed,
    and the roles of the speaker's quotes are resolved again.
    """
    speaker.full_clean()
    speaker.save()
    if names is not None:
        _children_replace(
            speaker.names.all(),
            names,
            match=("name", "language"),
            make=lambda: SpeakerName(speaker=speaker),
            field="names",
        )
    if affiliations is not None:
        _affiliations_replace(speaker, list(affiliations))
    return speaker


def _affiliations_replace(speaker: Speaker, items: list[dict]) -> None:
    existing = {
        (a.organization_id, a.role, str(a.start or "")): a for a in speaker.affiliations.all()
    }
    for index, item in enumerate(items):
        key = (item["organization"].pk, item["title"], str(item.get("start") or ""))
        affiliation = existing.pop(key, None) or Affiliation(speaker=speaker)
        affiliation.organization = item["organization"]
        affiliation.role = item["title"]
        affiliation.start = item.get("start")
        affiliation.end = item.get("end")
        try:
            affiliation_save(affiliation=affiliation)
        except ValidationError as error:
            raise _nested_error("affiliations", index, error) from error
    for stale in existing.values():
        affiliation_delete(affiliation=stale)


def _children_replace(current, items: Iterable[dict], *, match, make, field: str) -> None:
    """Update, create and delete child records so that they become ``items``."""
    names = (match,) if isinstance(match, str) else match
    existing = {tuple(getattr(child, n) for n in names): child for child in current}
    for index, item in enumerate(items):
        key = tuple(item.get(n, "") for n in names)
        child = existing.pop(key, None) or make()
        for name, value in item.items():
            setattr(child, name, value)
        try:
            child.full_clean()
        except ValidationError as error:
            raise _nested_error(field, index, error) from error
        child.save()
    for stale in existing.values():
        stale.delete()


def _nested_error(field: str, index: int, error: ValidationError) -> ValidationError:
    messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    return ValidationError(
        {
            field: [
                f"item {index + 1}: {name + ': ' if name not in ('', '__all__') else ''}{m}"
                for name, items in messages.items()
                for m in items
            ]
        }
    )
