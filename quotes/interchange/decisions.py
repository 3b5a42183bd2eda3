"""Reviewers' lineage decisions in the interchange format (docs/interchange.md, "decision"):
their canonical form, their export after the quotes, and their import, which records each
through ``lineage.services`` as every other path does.

A decision names its two statements by key, in byte order, so that it reads the same in
every database whatever the statements' ids there; the file lists decisions in the order of
those pairs.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import F, QuerySet
from django.db.models.functions import Collate, Greatest, Least

from lineage.models import Decision
from lineage.services import lineage_decision_import
from quotes.exceptions import CurationError
from quotes.interchange.batches import Batch
from quotes.interchange.canonical import compact, instant
from quotes.interchange.errors import LineError
from quotes.models import Quote

DECISION_COLUMNS = (
    "first__key",
    "second__key",
    "verdict",
    "note",
    "decided_at",
    "decided_by__username",
    "decided_by_name",
)


def decision_from_file(record: dict) -> dict:
    """A decision of the file in canonical form: its pair in byte order."""
    return compact(
        {
            "type": "decision",
            "quotes": sorted(record["quotes"]),
            "verdict": record["verdict"],
            "note": record.get("note"),
            "decided_at": instant(record["decided_at"]),
            "decided_by": record.get("decided_by"),
        }
    )


def decision_record(row: tuple) -> dict:
    """The record of a decision read as a row of ``DECISION_COLUMNS``."""
    first, second, verdict, note, decided_at, username, kept_name = row
    return compact(
        {
            "type": "decision",
            "quotes": sorted((first, second)),
            "verdict": verdict,
            "note": note,
            "decided_at": instant(decided_at),
            "decided_by": username or kept_name,
        }
    )


def decisions(chunk_size: int, *, public_only: bool = False) -> Iterator[dict]:
    """Every decision, by its pair of keys, or only those the public sees (``public_only``):
    a confirmed link between two public statements of two speakers, as ``quotes.public``
    tells it ("also attributed to"), without the reviewer's note or name, which no public
    output shows."""
    queryset = _public(Decision.objects.all()) if public_only else Decision.objects.all()
    rows = (
        queryset.annotate(
            low=Least(Collate("first__key", "C"), Collate("second__key", "C")),
            high=Greatest(Collate("first__key", "C"), Collate("second__key", "C")),
        )
        .order_by("low", "high")
        .values_list(*DECISION_COLUMNS)
    )
    for row in rows.iterator(chunk_size=chunk_size):
        record = decision_record(row)
        if public_only:
            record.pop("note", None)
            record.pop("decided_by", None)
        yield record


def _public(queryset: QuerySet) -> QuerySet:
    public = Quote.objects.public()
    return (
        queryset.confirmed()
        .filter(first__in=public, second__in=public)
        .exclude(first__speaker=F("second__speaker"))
    )


class DecisionWriting:
    """``Writer``'s method for decisions: each through ``lineage.services``, which keeps
    the reviewer and the moment the file gives."""

    def write_decisions(self, batch: Batch) -> None:
        keys = {key for _, record in batch for key in record["quotes"]}
        quotes = Quote.objects.only("pk", "key").in_bulk(keys, field_name="key")
        counts = self.report.counts["decision"]
        for line, record in batch:
            quote, other = (quotes[key] for key in record["quotes"])
            try:
                outcome = lineage_decision_import(
                    quote=quote,
                    other=other,
                    verdict=record["verdict"],
                    note=record.get("note", ""),
                    decided_by=record.get("decided_by", ""),
                    decided_at=datetime.datetime.fromisoformat(record["decided_at"]),
                    user=self.user,
                )
            except CurationError as error:
                self.errors.append(LineError(line, error.field, error.message))
                continue
            setattr(counts, outcome, getattr(counts, outcome) + 1)
