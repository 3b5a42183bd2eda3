"""Speakers with their other names and dated affiliations, and the roles they resolve."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from quotes.actors import Actor
from quotes.models import Affiliation, Quote, Speaker, SpeakerName
from quotes.permissions import require
from quotes.roles import Resolution, resolve_role
from quotes.services.corrections import published_quotes_corrected, quotes_lock, quotes_showing
from quotes.services.keys import check_key_free, record_key_rename, stored_key
from quotes.services.records import children_replace, nested_error, save_unique


@transaction.atomic
def speaker_quotes_reresolve(*, speaker: Speaker) -> int:
    """Re-resolve the roles of a speaker's quotes that no editor chose; return how many changed."""
    # From the database, not ``speaker.affiliations.all()``: a speaker read with its
    # affiliations prefetched (as the API's views do) keeps that list while they are
    # saved and deleted, deleted ones included, with no primary key any more.
    affiliations = list(Affiliation.objects.filter(speaker=speaker))
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
def affiliation_save(
    *,
    affiliation: Affiliation,
    user: Actor,
    previous_speaker_id: int | None = None,
    correction_note: str = "",
) -> int:
    """Save an affiliation and re-resolve the quotes whose role it may change.

    A change of the role a published quote shows needs ``correction_note``, which each such
    quote gets as a public correction (``services.corrections``).
    """
    quotes = Quote.objects.filter(speaker_id__in=[affiliation.speaker_id, previous_speaker_id])
    quotes_lock(quotes=quotes)  # every quote whose role is resolved again, drafts too
    with published_quotes_corrected(quotes=quotes, note=correction_note, user=user):
        return _affiliation_save(affiliation, user, previous_speaker_id)


def _affiliation_save(
    affiliation: Affiliation, user: Actor, previous_speaker_id: int | None = None
) -> int:
    require(user, "add" if affiliation._state.adding else "edit", "affiliation")
    affiliation.full_clean()
    affiliation.save()
    changed = speaker_quotes_reresolve(speaker=affiliation.speaker)
    if previous_speaker_id and previous_speaker_id != affiliation.speaker_id:
        changed += speaker_quotes_reresolve(speaker=Speaker.objects.get(pk=previous_speaker_id))
    return changed


@transaction.atomic
def affiliation_delete(*, affiliation: Affiliation, user: Actor, correction_note: str = "") -> int:
    """Delete an affiliation; the quotes said in it resolve their role again (a published
    quote whose role changes gets a correction with ``correction_note``)."""
    quotes_lock(quotes=Quote.objects.filter(speaker_id=affiliation.speaker_id))
    quotes = quotes_showing(affiliation)
    with published_quotes_corrected(quotes=quotes, note=correction_note, user=user):
        return _affiliation_delete(affiliation, user)


def _affiliation_delete(affiliation: Affiliation, user: Actor) -> int:
    require(user, "delete", "affiliation")
    speaker = affiliation.speaker
    # Detach first: a quote may not keep a "resolved" state without its role.
    Quote.objects.filter(role=affiliation).update(role=None, role_resolution=Resolution.NONE)
    affiliation.delete()
    return speaker_quotes_reresolve(speaker=speaker)


@transaction.atomic
def speaker_write(
    *,
    speaker: Speaker,
    user: Actor,
    names: Iterable[dict] | None = None,
    affiliations: Iterable[dict] | None = None,
    correction_note: str = "",
) -> Speaker:
    """Save a speaker with its other names and affiliations (each left as it is when None).

    Affiliations are matched on their ``id`` when given, else on organization, title and
    start; those not given are removed, and the roles of the speaker's quotes are resolved
    again. A change of what a published quote shows (the speaker's name, its role) needs
    ``correction_note``, which each such quote gets as a public correction.
    """
    require(user, "add" if speaker._state.adding else "edit", "speaker")
    if affiliations is not None and speaker.pk is not None:
        quotes_lock(quotes=Quote.objects.filter(speaker_id=speaker.pk))
    with published_quotes_corrected(
        quotes=quotes_showing(speaker), note=correction_note, user=user
    ):
        _speaker_write(speaker, user, names, affiliations)
    return speaker


def _speaker_write(
    speaker: Speaker,
    user: Actor,
    names: Iterable[dict] | None,
    affiliations: Iterable[dict] | None,
) -> None:
    old_key = stored_key(speaker)
    speaker.full_clean()
    check_key_free(obj=speaker)
    save_unique(speaker)
    if old_key is not None and old_key != speaker.key:
        record_key_rename(obj=speaker, old_key=old_key, user=user)
    if names is not None:
        children_replace(
            speaker.names.all(),
            names,
            match=("name", "language"),
            make=lambda: SpeakerName(speaker=speaker),
            field="names",
        )
    if affiliations is not None:
        _affiliations_replace(speaker, list(affiliations), user)


def _affiliations_replace(speaker: Speaker, items: list[dict], user: Actor) -> None:
    stored = list(speaker.affiliations.all())
    by_id = {a.pk: a for a in stored}
    existing = {(a.organization_id, a.role, str(a.start or "")): a for a in stored}
    for index, item in enumerate(items):
        key = (item["organization"].pk, item["title"], str(item.get("start") or ""))
        affiliation = by_id.get(item.get("id")) or existing.get(key) or Affiliation(speaker=speaker)
        existing = {k: a for k, a in existing.items() if a is not affiliation}
        by_id.pop(affiliation.pk, None)
        affiliation.organization = item["organization"]
        affiliation.role = item["title"]
        affiliation.start = item.get("start")
        affiliation.end = item.get("end")
        try:
            _affiliation_save(affiliation, user)
        except ValidationError as error:
            raise nested_error("affiliations", index, error) from error
    for stale in by_id.values():
        _affiliation_delete(stale, user)
