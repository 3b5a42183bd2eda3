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
from quotes.services.keys import record_key_rename, stored_key
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
    *, affiliation: Affiliation, user: Actor, previous_speaker_id: int | None = None
) -> int:
    """Save an affiliation and re-resolve the quotes whose role it may change."""
    require(user, "add" if affiliation._state.adding else "edit", "affiliation")
    affiliation.full_clean()
    affiliation.save()
    changed = speaker_quotes_reresolve(speaker=affiliation.speaker)
    if previous_speaker_id and previous_speaker_id != affiliation.speaker_id:
        changed += speaker_quotes_reresolve(speaker=Speaker.objects.get(pk=previous_speaker_id))
    return changed


@transaction.atomic
def affiliation_delete(*, affiliation: Affiliation, user: Actor) -> int:
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
) -> Speaker:
    """Save a speaker with its other names and affiliations (each left as it is when None).

    Affiliations are matched on organization, title and start; those not given are removed,
    and the roles of the speaker's quotes are resolved again.
    """
    require(user, "add" if speaker._state.adding else "edit", "speaker")
    old_key = stored_key(speaker)
    speaker.full_clean()
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
    return speaker


def _affiliations_replace(speaker: Speaker, items: list[dict], user: Actor) -> None:
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
            affiliation_save(affiliation=affiliation, user=user)
        except ValidationError as error:
            raise nested_error("affiliations", index, error) from error
    for stale in existing.values():
        affiliation_delete(affiliation=stale, user=user)
