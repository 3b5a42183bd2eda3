"""Occasions (calls, meetings, summits, press conferences…) with their participants and
each party's account of them; merging and deleting them.

An occasion is a record of its own, with its own history: the statements made there name
it, as their ``context`` describes what it does not. What published statements show of it
(its name, kind, dates, place and country: ``quotes.public.PublicOccasion``) changes only as
a public correction of each of them, as a speaker's name does (``services.corrections``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from quotes.actors import Actor
from quotes.history import action_context
from quotes.models import (
    KeyRedirect,
    Occasion,
    OccasionAccount,
    OccasionParticipant,
    Organization,
    Quote,
    Source,
)
from quotes.permissions import require
from quotes.services.corrections import published_quotes_corrected, quotes_showing
from quotes.services.keys import check_key_free, record_key_rename, stored_key
from quotes.services.merges import fill_blanks, lock_pair, redirect_keys
from quotes.services.records import children_replace, save_unique


def check_parent(*, occasion: Occasion) -> None:
    """Refuse a parent that is the occasion itself or one of the occasions inside it."""
    seen, parent = set(), occasion.parent
    while parent is not None and parent.pk not in seen:
        if occasion.pk is not None and parent.pk == occasion.pk:
            raise ValidationError(
                {"parent": "An occasion cannot be part of itself or of an occasion inside it."}
            )
        seen.add(parent.pk)
        parent = parent.parent


@transaction.atomic
def occasion_write(
    *,
    occasion: Occasion,
    user: Actor,
    participants: Iterable[dict] | None = None,
    accounts: Iterable[dict] | None = None,
    correction_note: str = "",
) -> Occasion:
    """Validate and save an occasion and, when given, its participants (each a dict of
    ``speaker``, and optionally ``organization`` and ``country``) and its accounts (each a
    dict of ``source``, ``kind`` and the party: ``organization`` or ``country``); those left
    out are removed. A new key leaves the old one leading to the occasion. A change of what
    published statements show of it (its name, kind, dates or place) is a public correction
    of each, with ``correction_note`` (``services.corrections``)."""
    require(user, "add" if occasion._state.adding else "edit", "occasion")
    old_key = stored_key(occasion)
    occasion.full_clean(exclude=["start_day"])
    check_parent(occasion=occasion)
    check_key_free(obj=occasion)
    with published_quotes_corrected(
        quotes=quotes_showing(occasion), note=correction_note, user=user
    ):
        save_unique(occasion)
    if participants is not None:
        occasion_participants_replace(occasion=occasion, participants=participants, user=user)
    if accounts is not None:
        occasion_accounts_replace(occasion=occasion, accounts=accounts, user=user)
    if old_key is not None and old_key != occasion.key:
        record_key_rename(obj=occasion, old_key=old_key, user=user)
    return occasion


def occasion_participants_replace(
    *, occasion: Occasion, participants: Iterable[dict], user: Actor
) -> bool:
    """Make ``participants`` the occasion's participants; whether any changed."""
    require(user, "edit", "occasionparticipant", noun="participants")
    items = [{"organization": None, "country": "", **item} for item in participants]
    speakers = [item["speaker"].pk for item in items]
    if len(speakers) != len(set(speakers)):
        raise ValidationError({"participants": "A speaker is listed twice."})
    return children_replace(
        occasion.participants.all(),
        items,
        match="speaker",
        make=lambda: OccasionParticipant(occasion=occasion),
        field="participants",
    )


def occasion_accounts_replace(*, occasion: Occasion, accounts: Iterable[dict], user: Actor) -> bool:
    """Make ``accounts`` the occasion's accounts (one per source); whether any changed."""
    require(user, "edit", "occasionaccount", noun="accounts")
    items = [{"organization": None, "country": "", **item} for item in accounts]
    sources = [item["source"].pk for item in items]
    if len(sources) != len(set(sources)):
        raise ValidationError({"accounts": "A source is listed twice."})
    return children_replace(
        occasion.accounts.all(),
        items,
        match="source",
        make=lambda: OccasionAccount(occasion=occasion),
        field="accounts",
    )


@transaction.atomic
def occasion_account_add(
    *,
    occasion: Occasion,
    source: Source,
    user: Actor,
    kind: str = OccasionAccount.Kind.READOUT,
    organization: Organization | None = None,
    country: str = "",
) -> OccasionAccount:
    """Mark ``source`` as one party's account of ``occasion`` (the intake's confirmed readout);
    the party is ``organization`` or ``country``."""
    require(user, "edit", "occasionaccount", noun="accounts")
    account = OccasionAccount(
        occasion=occasion, source=source, kind=kind, organization=organization, country=country
    )
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def occasion_merge(
    *, survivor: Occasion, duplicate: Occasion, user: Actor, correction_note: str = ""
) -> Occasion:
    """Merge ``duplicate`` into ``survivor`` (reviewers only) and delete it.

    Its statements, participants (a speaker already taking part is not doubled), accounts
    (a source already an account is not doubled) and the occasions inside it move to the
    survivor; the survivor's empty fields are filled from it. The duplicate's key leads to
    the survivor from now on. Published statements that then show another occasion (its
    name, kind, dates or place) are corrected with ``correction_note``, needed then.
    """
    require(user, "merge", "occasion")
    survivor, duplicate = lock_pair(Occasion, survivor, duplicate, "occasion")
    if survivor.parent_id == duplicate.pk:
        survivor.parent = duplicate.parent
    note = f"{duplicate.key} merged into {survivor.key}"
    both = Quote.objects.filter(occasion__in=[survivor, duplicate])
    with (
        published_quotes_corrected(quotes=both, note=correction_note, user=user),
        action_context(action="merge", note=note),
    ):
        taking_part = set(survivor.participants.values_list("speaker_id", flat=True))
        duplicate.participants.exclude(speaker_id__in=taking_part).update(occasion=survivor)
        accounted = set(survivor.accounts.values_list("source_id", flat=True))
        duplicate.accounts.exclude(source_id__in=accounted).update(occasion=survivor)
        duplicate.quotes.update(occasion=survivor, updated=timezone.now())
        duplicate.children.exclude(pk=survivor.pk).update(parent=survivor)
        fill_blanks(survivor, duplicate, ["start", "end", "place", "country"])
        survivor.full_clean(exclude=["start_day"])
        survivor.save()
        redirect_keys(KeyRedirect.Kind.OCCASION, duplicate, survivor, user)
        duplicate.delete()
    return survivor


@transaction.atomic
def occasion_delete(*, occasion: Occasion, user: Actor) -> None:
    """Delete an occasion no statement names (``ProtectedError`` otherwise)."""
    require(user, "delete", "occasion")
    occasion.delete()
