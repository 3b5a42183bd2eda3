"""New rows written with PostgreSQL's COPY, the fastest way to load rows.

The ids are drawn from the table's sequence first, so that the objects know them as they
would after ``bulk_create``; row triggers (django-pghistory's history, checks) fire as for
INSERT, and so do the statement triggers of the search outbox.

Rows are given either as unsaved model instances (``copy_create``) or, where no instance is
needed afterwards, as plain ``{attname: value}`` mappings (``copy_rows``), which spares
building a model instance for each translation, citation or topic link. Values of plain
types in fields whose database value is the Python value itself are sent as they are; any
other value goes through the field's ``get_db_prep_save``, as Django would send it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from quotes.models import derive_fields

# Fields whose get_db_prep_save() returns a str, int, bool or None unchanged (exact classes:
# subclasses such as CountryField or ReducedDateField convert their values).
PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.ForeignKey,
    models.IntegerField,
    models.PositiveIntegerField,
    models.SlugField,
    models.SmallIntegerField,
    models.TextField,
    models.URLField,
)
PLAIN_VALUES = frozenset({str, int, bool, type(None)})
MISSING = object()

Converter = Callable[[Mapping[str, Any], Any], Any]


def copy_create(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert ``objects`` (new, unsaved) with one COPY, setting their primary keys."""
    if not objects:
        return
    now = timezone.now()
    derive_fields(objects, [field.name for field in model._meta.concrete_fields])
    for obj in objects:
        for field in _timestamp_fields(model):
            setattr(obj, field.attname, now)  # as pre_save() of auto_now(_add) would
    pks = copy_rows(model, [obj.__dict__ for obj in objects], now=now)
    for obj, pk in zip(objects, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False


def copy_rows(
    model: type[models.Model], rows: Sequence[Mapping[str, Any]], *, now: Any = None
) -> list[int]:
    """Insert ``rows`` ({attname: value}; a missing field takes its default) with one COPY.

    Returns the new primary keys, in the order of ``rows``.
    """
    if not rows:
        return []
    meta = model._meta
    table = meta.db_table
    quote = connection.ops.quote_name
    converters = _converters(model)
    now = connection.ops.adapt_datetimefield_value(now or timezone.now())
    with connection.cursor() as cursor:
        # Through Django's cursor: django-pghistory attaches its context to this statement,
        # for the whole transaction, before COPY bypasses the wrapper.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, meta.pk.column, len(rows)],
        )
        pks = [pk for (pk,) in cursor.fetchall()]
        columns = ", ".join(quote(f.column) for f in _copied_fields(model))
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            write_row = copy.write_row
            for pk, row in zip(pks, rows, strict=True):
                write_row([pk, *(convert(row, now) for convert in converters)])
    return pks


@functools.cache
def _copied_fields(model: type[models.Model]) -> list[models.Field]:
    """The primary key first, then every other stored (not generated) field."""
    fields = [f for f in model._meta.concrete_fields if not f.generated and not f.primary_key]
    return [model._meta.pk, *fields]


@functools.cache
def _timestamp_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]


@functools.cache
def _converters(model: type[models.Model]) -> list[Converter]:
    """For each copied field but the primary key: (row, now) -> the value to send."""
    return [_converter(field) for field in _copied_fields(model)[1:]]


def _converter(field: models.Field) -> Converter:
    attname = field.attname
    if field in _timestamp_fields(field.model):
        return lambda row, now: now
    plain = type(field) in PLAIN_FIELDS

    def convert(row: Mapping[str, Any], now: Any) -> Any:
        value = row.get(attname, MISSING)
        if value is MISSING:
            value = field.get_default()
        if plain and type(value) in PLAIN_VALUES:
            return value
        return field.get_db_prep_save(value, connection)

    return convert
