"""Edit conflicts and reverts: the history of a record as the ground for writes."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from quotes import history
from quotes.actors import Actor
from quotes.exceptions import EditConflict, RevertNotPossible
from quotes.history import action_context
from quotes.models import Affiliation, Quote, Source, Speaker, Topic, TransliterationField
from quotes.permissions import require
from quotes.roles import Resolution
from quotes.services.quotes import QuoteUpdate, quote_update
from quotes.services.records import record_save
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


@transaction.atomic
def quote_revert(
    *, quote: Quote, event_id: int, user: Actor, correction_note: str = ""
) -> QuoteUpdate:
    """Bring back the quote's fields, role, translations, citations and topics as they were
    right after history entry ``event_id`` (a ``HistoryEntry.version``). Key, status and
    public corrections stay.

    A revert is a change like any other (``quote_update``): on a published quote, an
    editor's revert becomes a pending revision, and a reviewer's is a public correction
    that needs ``correction_note``; the corrections published since that version stay,
    and the revert adds one.
    """
    require(user, "revert")
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    entries = _check_revertable(quote, event_id)
    if any(entry.action == "merge" and entry.version > event_id for entry in entries):
        raise RevertNotPossible(
            "Another quote was merged into this one after that version; reverting would "
            "lose its citations. Edit the quote instead."
        )
    changes = _quote_changes_at(quote, history.record_state_at(quote, event_id))
    # Readers see the note of a correction, never the history's internal version numbers.
    note = correction_note.strip() or _revert_note(entries, event_id)
    with action_context(action="revert", note=note):
        return quote_update(
            quote=quote, user=user, changes=changes, correction_note=correction_note
        )


def _quote_changes_at(quote: Quote, state: dict[str, dict[int, Any]]) -> dict[str, Any]:
    """The version's fields and parts, as ``quote_update`` takes them."""
    event = state["quote"][quote.pk]
    speaker = Speaker.objects.filter(pk=event.speaker_id).first()
    if speaker is None:
        raise RevertNotPossible(
            f"The speaker of that version (#{event.speaker_id}) no longer exists."
        )
    changes: dict[str, Any] = {
        name: getattr(event, name) for name in ("text", "language", "kind", "said", "context")
    }
    changes["speaker"] = speaker
    explicit = event.role_resolution == Resolution.EXPLICIT
    changes["role"] = Affiliation.objects.filter(pk=event.role_id).first() if explicit else None
    changes["translations"] = [
        {"language": row.language, "text": row.text, "official": row.official}
        for row in sorted(state["translation"].values(), key=lambda row: row.id)
    ]
    sources = Source.objects.in_bulk([row.source_id for row in state["citation"].values()])
    if len(sources) < len(state["citation"]):
        raise RevertNotPossible("A source cited in that version no longer exists.")
    changes["citations"] = [
        {"source": sources[row.source_id], "excerpt": row.excerpt}
        for row in sorted(state["citation"].values(), key=lambda row: row.id)
    ]
    changes["topics"] = list(
        Topic.objects.filter(pk__in={row.topic_id for row in state["topic"].values()})
    )
    return changes


@transaction.atomic
def record_revert(
    *, obj: models.Model, event_id: int, user: Actor, correction_note: str = ""
) -> models.Model:
    """Bring back the fields of a speaker, organization, source, affiliation… as they were
    right after ``event_id``. Its key stays; a quote is reverted by ``quote_revert``.

    Saved as any change of the record is: a revert that alters what published quotes show
    needs ``correction_note`` (``services.corrections``)."""
    if isinstance(obj, Quote):
        raise TypeError("A quote is reverted by quote_revert, which may propose a revision.")
    require(user, "revert", obj._meta.model_name)
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    entries = _check_revertable(obj, event_id)
    state = history.record_state_at(obj, event_id)
    with action_context(action="revert", note=_revert_note(entries, event_id)):
        _restore_fields(obj, state[history.parts_of(type(obj))[0].name][obj.pk], REVERT_KEEPS)
        if isinstance(obj, Affiliation):
            affiliation_save(affiliation=obj, user=user, correction_note=correction_note)
        elif hasattr(obj, "old_keys"):  # speakers, organizations, sources
            record_save(obj=obj, user=user, correction_note=correction_note)
        else:
            obj.full_clean()
            obj.save()
    return obj


def _revert_note(entries: list[history.HistoryEntry], event_id: int) -> str:
    when = next(entry.at for entry in entries if entry.version == event_id)
    return f"reverted to the version of {timezone.localtime(when):%Y-%m-%d %H:%M}"


def _check_revertable(obj: models.Model, event_id: int) -> list[history.HistoryEntry]:
    entries = history.record_history(obj)
    if event_id not in {entry.version for entry in entries}:
        raise RevertNotPossible(f"Version {event_id} is not in the history of “{obj}”.")
    return entries


def _restore_fields(obj: models.Model, event: models.Model, keep: set[str]) -> None:
    for field in type(obj)._meta.concrete_fields:
        # Derived fields are not in the history (a name's transliteration): save() derives them.
        derived = field.generated or isinstance(field, TransliterationField)
        if field.name in keep or derived:
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
