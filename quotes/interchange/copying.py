"""New rows written with PostgreSQL's COPY, the fastest way to load rows.

The ids are drawn from the table's sequence first, so that the objects know them as they
would after ``bulk_create``; row triggers (django-pghistory's history, checks) fire as for
INSERT, and so do the statement triggers of the search outbox.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def copy_create(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert ``objects`` (new, unsaved) with one COPY, setting their primary keys."""
    if not objects:
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.generated]
    table = meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Through Django's cursor: django-pghistory attaches its context to this statement,
        # for the whole transaction, before COPY bypasses the wrapper.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([row_value(f, obj) for f in fields])
    for obj in objects:
        obj._state.adding = False


def row_value(field: models.Field, obj: models.Model):
    return field.get_db_prep_save(field.pre_save(obj, True), connection)
