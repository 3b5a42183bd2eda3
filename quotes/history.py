"""The change history of records, read from the events that django-pghistory's triggers
write for every insert, update and delete, whatever made it (admin, API, import command,
a queryset ``update()``).

A record's history covers the record and its parts: a quote's translations, citations and
topics; a speaker's other names and affiliations. Changes made together (one request, one
command, one service call: one pghistory context) form one entry. Event ids come from one
sequence (migration 0007), so they order changes across tables; the highest event id of a
record and its parts is its version.
"""

from __future__ import annotations

import contextlib
import datetime
import getpass
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pghistory
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Max, Subquery
from pghistory.runtime import _tracker


def command_context(command: str, *, user: Any = None) -> contextlib.AbstractContextManager:
    """Attribute what a management command writes to it (and to ``user``, if it acts for
    one) in the history. Requests get theirs from pghistory's middleware; a command that
    writes opens this around its writes, so that nothing else (a shell session, say) is
    folded into its entry."""
    metadata: dict[str, Any] = {"command": command, "system_user": _login_name()}
    if user is not None and getattr(user, "is_authenticated", False):
        metadata["user"] = user.pk
    return pghistory.context(**metadata)


@contextlib.contextmanager
def action_context(*, action: str, **metadata: Any) -> Iterator[None]:
    """One curation step (``action``, with its ``note``) as an entry of the history of its
    own, attributed as the request or command around it is (user, url, command).

    pghistory folds a context opened inside another into it, the inner metadata replacing
    the outer: a merge in a request that also corrects the quotes it alters was told as
    "correct" alone. Each step gets a context of its own instead, as it does outside a
    request. (pghistory has no public way to open one: its thread-local tracker is set
    aside for the step, then restored.)
    """
    outer = getattr(_tracker, "value", None)
    if outer is not None:
        inherited = {k: v for k, v in outer.metadata.items() if k not in ("action", "note")}
        metadata = {**inherited, **metadata}
        del _tracker.value
    try:
        with pghistory.context(action=action, **metadata):
            yield
    finally:
        if outer is not None:
            _tracker.value = outer


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return None


# Columns that every save changes or that only mirror others (the public dates follow the
# status and the corrections, which are shown): not worth showing.
QUIET_FIELDS = {
    "id",
    "created",
    "updated",
    "created_by",
    "updated_by",
    "said_start",
    "uid",
    "published_at",
    "corrected_at",
    "retracted_at",
}
EMPTY = "—"


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: Any
    after: Any
    before_display: str
    after_display: str


@dataclass(frozen=True)
class Change:
    """One event: a record or one of its parts created, changed or deleted."""

    event_id: int
    part: str
    object_id: int
    object_label: str
    action: str  # created, changed, deleted (the record); added, changed, removed (a part)
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class HistoryEntry:
    """Changes made together, with who made them and when."""

    version: int  # the record's version right after these changes
    at: datetime.datetime
    user_id: int | None
    username: str | None
    command: str | None
    url: str | None
    action: str | None  # the curation step, when a service recorded one (publish, merge…)
    note: str | None
    changes: tuple[Change, ...]

    @property
    def who(self) -> str:
        if self.username:
            return self.username
        if self.command:
            return f"command “{self.command}”"
        return "unknown (a change outside the application)"


class Display:
    """Readable values of event fields: names for foreign keys, labels for choices."""

    def __init__(self, events: Iterable[models.Model]):
        wanted: dict[type[models.Model], set] = defaultdict(set)
        for event in events:
            for field in _foreign_keys(type(event)):
                value = getattr(event, field.attname)
                if value is not None:
                    wanted[field.related_model].add(value)
        self.objects = {
            model: _related_queryset(model).in_bulk(ids) for model, ids in wanted.items()
        }

    def value(self, field: models.Field, value: Any) -> str:
        if value is None or value == "":
            return EMPTY
        if field.is_relation:
            obj = self.objects.get(field.related_model, {}).get(value)
            if obj is None:
                return f"#{value} (deleted)"
            return obj.get_username() if hasattr(obj, "get_username") else str(obj)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ", ".join(str(item) for item in value) or EMPTY
        return str(value)

    def of(self, event: models.Model, name: str) -> str:
        field = type(event)._meta.get_field(name)
        return self.value(field, getattr(event, field.attname))


def _itself(event: models.Model, display: Display) -> str:
    return ""


@dataclass(frozen=True)
class Part:
    """Events of one table that belong to a record's history."""

    name: str
    event_model_label: str
    link: str  # the event column holding the record's id
    describe: Callable[[models.Model, Display], str]
    is_record: bool = False  # the record itself rather than one of its parts

    @property
    def event_model(self) -> type[models.Model]:
        return apps.get_model(self.event_model_label)

    @property
    def object_column(self) -> str:
        """The column identifying the tracked row; pgh_obj_id is indexed, id is not."""
        return "pgh_obj_id" if hasattr(self.event_model, "pgh_obj") else "id"


def _record(name: str) -> Part:
    return Part(name, f"quotes.{name}event", "pgh_obj_id", _itself, is_record=True)


PARTS: dict[str, tuple[Part, ...]] = {
    "quotes.quote": (
        _record("quote"),
        Part(
            "translation",
            "quotes.TranslationEvent",
            "quote_id",
            lambda e, d: f"translation ({e.language})",
        ),
        Part(
            "citation",
            "quotes.CitationEvent",
            "quote_id",
            lambda e, d: f"citation of {d.of(e, 'source')}",
        ),
        Part(
            "topic", "quotes.QuoteTopicEvent", "quote_id", lambda e, d: f"topic {d.of(e, 'topic')}"
        ),
    ),
    "quotes.speaker": (
        _record("speaker"),
        Part("other name", "quotes.SpeakerNameEvent", "speaker_id", lambda e, d: f"name {e.name}"),
        Part(
            "affiliation",
            "quotes.AffiliationEvent",
            "speaker_id",
            lambda e, d: f"affiliation {e.role}, {d.of(e, 'organization')}",
        ),
    ),
    "quotes.occasion": (
        _record("occasion"),
        Part(
            "participant",
            "quotes.OccasionParticipantEvent",
            "occasion_id",
            lambda e, d: f"participant {d.of(e, 'speaker')}",
        ),
        Part(
            "account",
            "quotes.OccasionAccountEvent",
            "occasion_id",
            lambda e, d: f"account {d.of(e, 'source')}",
        ),
    ),
    **{
        f"quotes.{name}": (_record(name),)
        for name in [
            "organization",
            "source",
            "affiliation",
            "speakername",
            "translation",
            "citation",
            "occasionparticipant",
            "occasionaccount",
        ]
    },
}


def parts_of(model: type[models.Model]) -> tuple[Part, ...]:
    try:
        return PARTS[model._meta.label_lower]
    except KeyError:
        raise ValueError(f"{model._meta.label} has no recorded history.") from None


def is_tracked(model: type[models.Model]) -> bool:
    return model._meta.label_lower in PARTS


def record_version(obj: models.Model) -> int:
    """The id of the latest event of ``obj`` or its parts: changes whenever any of them does."""
    latest = [
        Subquery(
            part.event_model.objects.filter(**{part.link: obj.pk})
            .order_by()
            .values(part.link)
            .annotate(latest=Max("pgh_id"))
            .values("latest")
        )
        for part in parts_of(type(obj))
    ]
    expression = latest[0] if len(latest) == 1 else models.Func(*latest, function="GREATEST")
    value = (
        type(obj)
        ._base_manager.filter(pk=obj.pk)
        .annotate(version=models.ExpressionWrapper(expression, models.IntegerField()))
        .values_list("version", flat=True)
        .first()
    )
    return value or 0


def record_history(obj: models.Model, *, since: int | None = None) -> list[HistoryEntry]:
    """What changed in ``obj`` and its parts, newest first; only after version ``since``."""
    loaded = _load_events(obj)
    display = Display(event for _, event in loaded)
    changes: list[tuple[models.Model, Change]] = []
    previous: dict[tuple[str, int], models.Model] = {}
    for part, event in loaded:
        key = (part.name, event.id)
        before = previous.get(key)
        previous[key] = event
        if not _belongs(part, event, before, obj.pk):
            continue
        if since is not None and event.pgh_id <= since:
            continue
        change = _change(part, event, before, display)
        if change is not None:
            changes.append((event, change))
    return _entries(changes)


def record_state_at(obj: models.Model, version: int) -> dict[str, dict[int, models.Model]]:
    """For each part, the events giving the rows that existed right after ``version``."""
    state: dict[str, dict[int, models.Model]] = {part.name: {} for part in parts_of(type(obj))}
    latest: dict[tuple[str, int], tuple[Part, models.Model]] = {}
    for part, event in _load_events(obj):
        if event.pgh_id <= version:
            latest[(part.name, event.id)] = (part, event)
    for (name, object_id), (part, event) in latest.items():
        if event.pgh_label != "delete" and getattr(event, part.link) == obj.pk:
            state[name][object_id] = event
    return state


def _load_events(obj: models.Model) -> list[tuple[Part, models.Model]]:
    loaded = []
    for part in parts_of(type(obj)):
        events = part.event_model.objects.select_related("pgh_context").order_by("pgh_id")
        if part.is_record:
            events = events.filter(**{part.link: obj.pk})
        else:
            # Every event of every row that ever belonged to obj, to diff each against the last.
            column = part.object_column
            ever = part.event_model.objects.filter(**{part.link: obj.pk}).values(column)
            events = events.filter(**{f"{column}__in": Subquery(ever)})
        loaded.extend((part, event) for event in events)
    loaded.sort(key=lambda item: item[1].pgh_id)
    return loaded


def _belongs(part: Part, event, before, record_id: int) -> bool:
    if getattr(event, part.link) == record_id:
        return True
    return before is not None and getattr(before, part.link) == record_id  # moved away


def _shown_fields(event_model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in event_model._meta.concrete_fields
        if not field.name.startswith("pgh_") and field.name not in QUIET_FIELDS
    ]


def _foreign_keys(event_model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in event_model._meta.concrete_fields
        if field.many_to_one and not field.name.startswith("pgh_")
    ]


def _related_queryset(model: type[models.Model]) -> models.QuerySet:
    # The related objects' __str__ read these.
    related = {"quotes.affiliation": ["speaker", "organization"], "quotes.quote": ["speaker"]}
    return model._base_manager.select_related(*related.get(model._meta.label_lower, []))


ACTIONS = {
    True: {"insert": "created", "update": "changed", "delete": "deleted"},
    False: {"insert": "added", "update": "changed", "delete": "removed"},
}


def _change(part: Part, event, before, display: Display) -> Change | None:
    fields = []
    for field in _shown_fields(type(event)):
        if field.attname == part.link and event.pgh_label != "update":
            continue  # "added to this quote" goes without saying
        old = getattr(before, field.attname) if before is not None else None
        new = getattr(event, field.attname)
        if event.pgh_label == "delete":
            old, new = new, None
        elif event.pgh_label == "update" and old == new:
            continue
        if old in (None, "", []) and new in (None, "", []):
            continue
        fields.append(
            FieldChange(
                name=field.name,
                label=str(field.verbose_name),
                before=_plain(old),
                after=_plain(new),
                before_display=display.value(field, old),
                after_display=display.value(field, new),
            )
        )
    if event.pgh_label == "update" and not fields:
        return None
    return Change(
        event_id=event.pgh_id,
        part=part.name,
        object_id=event.id,
        object_label=part.describe(event, display),
        action=ACTIONS[part.is_record].get(event.pgh_label, event.pgh_label),
        fields=tuple(fields),
    )


def _plain(value: Any) -> Any:
    """A JSON-friendly copy of a field value."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str | list):
        return value
    return str(value)


def _entries(changes: list[tuple[models.Model, Change]]) -> list[HistoryEntry]:
    groups: dict[Any, list[tuple[models.Model, Change]]] = defaultdict(list)
    for event, change in changes:
        # Without a context (SQL from outside the application), each change stands alone.
        groups[event.pgh_context_id or (type(event), event.pgh_id)].append((event, change))
    user_ids = {
        (event.pgh_context.metadata or {}).get("user")
        for event, _ in changes
        if event.pgh_context_id and event.pgh_context
    }
    users = get_user_model()._base_manager.in_bulk([uid for uid in user_ids if uid])
    entries = [_entry(group, users) for group in groups.values()]
    return sorted(entries, key=lambda entry: entry.version, reverse=True)


def _entry(group: list[tuple[models.Model, Change]], users: dict) -> HistoryEntry:
    first = group[0][0]
    metadata = first.pgh_context.metadata if first.pgh_context_id and first.pgh_context else {}
    user = users.get(metadata.get("user"))
    return HistoryEntry(
        version=max(event.pgh_id for event, _ in group),
        at=first.pgh_created_at,
        user_id=metadata.get("user"),
        username=user.get_username() if user else None,
        command=metadata.get("command"),
        url=metadata.get("url"),
        action=metadata.get("action"),
        note=metadata.get("note"),
        changes=tuple(change for _, change in group),
    )
