"""Edit conflicts and reverts: the history of a record as the ground for writes."""

from __future__ import annotations

from typing import Any

import pghistory
from django.db import models, transaction

from quotes import history
from quotes.actors import Actor
from quotes.exceptions import EditConflict, RevertNotPossible
from quotes.models import Affiliation, Citation, Quote, Translation
from quotes.permissions import require
from quotes.roles import Resolution
from quotes.services.quotes import quote_save
from quotes.services.speakers import affiliation_save


def record_check_version(*, obj: models.Model, version: int) -> None:
    """Lock ``obj`` until the transaction ends and refuse if it changed since ``version``.

    Call inside the transaction that saves ``obj``. Raises ``EditConflict`` listing the
    changes made since (``quotes.history.HistoryEntry``).
    """
    type(obj)._base_manager.select_for_update().filter(pk=obj.pk).exists()  # takes the lock
    current = history.record_version(obj)
    if current == version:
        return
    changes = history.record_history(obj, since=version)
    who = sorted({entry.who for entry in changes}) or ["someone"]
    raise EditConflict(
        f"{', '.join(who)} changed this {obj._meta.verbose_name} after you opened it. Your "
        "changes were not saved.",
        changes,
    )


# What a revert leaves alone: identity and bookkeeping, and the workflow status, which
# changes only through its own steps.
REVERT_KEEPS = {
    "id",
    "key",
    "created",
    "updated",
    "created_by",
    "updated_by",
    "said_start",
}
QUOTE_REVERT_KEEPS = REVERT_KEEPS | {"status", "retraction_reason"}


@transaction.atomic
def quote_revert(*, quote: Quote, event_id: int, user: Actor) -> Quote:
    """Bring back the quote, its translations, citations and topics as they were right
    after history entry ``event_id`` (a ``HistoryEntry.version``). Key and status stay."""
    require(user, "revert")
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    entries = _check_revertable(quote, event_id)
    if any(entry.action == "merge" and entry.version > event_id for entry in entries):
        raise RevertNotPossible(
            "Another quote was merged into this one after that version; reverting would "
            "lose its citations. Edit the quote instead."
        )
    state = history.record_state_at(quote, event_id)
    with pghistory.context(action="revert", note=f"reverted to version {event_id}"):
        _restore_fields(quote, state["quote"][quote.pk], QUOTE_REVERT_KEEPS)
        _restore_rows(quote.translations.all(), state["translation"], Translation, quote)
        _restore_rows(quote.citations.all(), state["citation"], Citation, quote)
        quote.topics.set(
            {event.topic_id for event in state["topic"].values()}
            & set(quote.topics.model.objects.values_list("pk", flat=True))
        )
        chosen = quote.role if quote.role_resolution == Resolution.EXPLICIT else None
        quote_save(quote=quote, chosen_role=chosen, user=user)
    return quote


@transaction.atomic
def record_revert(*, obj: models.Model, event_id: int, user: Actor) -> models.Model:
    """Bring back the fields of a speaker, organization, source, affiliation… as they were
    right after ``event_id``. Its key stays; a quote's parts are reverted by
    ``quote_revert``."""
    if isinstance(obj, Quote):
        return quote_revert(quote=obj, event_id=event_id, user=user)
    require(user, "revert", obj._meta.model_name)
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    _check_revertable(obj, event_id)
    state = history.record_state_at(obj, event_id)
    with pghistory.context(action="revert", note=f"reverted to version {event_id}"):
        _restore_fields(obj, state[history.parts_of(type(obj))[0].name][obj.pk], REVERT_KEEPS)
        if isinstance(obj, Affiliation):
            affiliation_save(affiliation=obj, user=user)
        else:
            obj.full_clean()
            obj.save()
    return obj


def _check_revertable(obj: models.Model, event_id: int) -> list[history.HistoryEntry]:
    entries = history.record_history(obj)
    if event_id not in {entry.version for entry in entries}:
        raise RevertNotPossible(f"Version {event_id} is not in the history of “{obj}”.")
    return entries


def _restore_fields(obj: models.Model, event: models.Model, keep: set[str]) -> None:
    for field in type(obj)._meta.concrete_fields:
        if field.name in keep or field.generated:
            continue
        value = getattr(event, field.attname)
        gone = (
            field.is_relation
            and value is not None
            and not field.related_model._base_manager.filter(pk=value).exists()
        )
        if gone and not field.null:
            raise RevertNotPossible(
                f"The {field.verbose_name} of that version (#{value}) no longer exists."
            )
        setattr(obj, field.attname, None if gone else value)


def _restore_rows(
    current: models.QuerySet, wanted: dict[int, Any], model: type[models.Model], parent: Quote
) -> None:
    """Make the parent's rows of ``model`` those of the version: delete, update, recreate."""
    existing = {row.pk: row for row in current}
    for pk, row in existing.items():
        if pk not in wanted:
            row.delete()
    for pk, event in wanted.items():
        row = existing.get(pk) or model(pk=pk)
        _restore_fields(row, event, REVERT_KEEPS)
        row.quote = parent
        row.full_clean(validate_unique=False)
        row.save()
