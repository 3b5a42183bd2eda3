"""The public corrections of a statement: what changed in it after it was published.

Read from the record's history (quotes/history.py), which database triggers write for every
change whatever made it. Curation steps (submitting, publishing, verifying a citation,
retracting, which has its own banner) change only curation fields: they are not corrections.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from quotes.history import Change, record_history
from quotes.models import Quote

# Fields that only curation (or the database) changes.
CURATION_FIELDS = {"status", "retraction_reason", "role_resolution", "verified_by", "verified_at"}


@dataclass(frozen=True)
class Correction:
    date: datetime.datetime
    note: str


def quote_corrections(quote: Quote) -> list[Correction]:
    """Corrections of a published statement, oldest first: what was changed after the
    changes that published it (a statement may be created published, with its parts), but
    for what only curation changes."""
    corrections, published = [], False
    for entry in reversed(record_history(quote)):  # oldest first
        if not published:
            published = any(_publishes(change) for change in entry.changes)
            continue
        described = [text for change in entry.changes if (text := _describe(change))]
        if described:
            note = "; ".join(described)
            note = f"{entry.note}: {note}" if entry.note else note
            corrections.append(Correction(entry.at, note))
    return corrections


def _publishes(change: Change) -> bool:
    return change.part == "quote" and any(
        field.name == "status" and field.after == Quote.Status.PUBLISHED for field in change.fields
    )


def _describe(change: Change) -> str:
    fields = [field.label for field in change.fields if field.name not in CURATION_FIELDS]
    if not fields and change.action == "changed":
        return ""
    if change.part == "quote":
        return f"{', '.join(fields)} changed".capitalize()
    return f"{change.object_label} {change.action}".capitalize()
