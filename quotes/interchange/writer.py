"""The write pass of an import: batches of records of one type, written in bulk.

Each batch fetches the records it may update with one query per relation, leaves alone
those whose canonical form is unchanged, and writes the rest: new rows with PostgreSQL's
COPY (``copying.copy_create``), changed ones with ``bulk_update``. Only key-to-id maps of
organizations, speakers, sources, occasions and topics are kept between batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import DatabaseError
from django.db.models import Max
from django.utils import timezone

from quotes.interchange.batches import RECORD_MODELS, UPDATE_BATCH_SIZE, Batch
from quotes.interchange.copying import copy_create
from quotes.interchange.corrections import SHOWN_THROUGH, AlteredQuotes, without_note
from quotes.interchange.decisions import DecisionWriting
from quotes.interchange.errors import ImportAborted, LineError, max_errors
from quotes.interchange.quotes_writer import QuoteWriting
from quotes.interchange.records_writer import RecordWriting
from quotes.interchange.report import ImportReport
from quotes.interchange.validation import REFERABLE
from quotes.models import Affiliation, Quote, derive_fields
from quotes.services.citations import citations_unverify_moved
from quotes.services.keys import key_taken_message, keys_taken_by_redirects

__all__ = ["RECORD_MODELS", "Batch", "Writer"]


class Writer(RecordWriting, QuoteWriting, DecisionWriting):
    """Writes the batches of an import (records_writer, quotes_writer, decisions: one part
    per concern)."""

    def __init__(
        self,
        report: ImportReport,
        user_id: int | None,
        batch_size: int,
        explicit_roles: dict[str, set[tuple[str, str, str | None]]],
        similar_allowed: set[int] | None = frozenset(),
        user: Any = None,
    ) -> None:
        """``similar_allowed``: the lines of new quotes that may be similar to quotes on
        record; ``None`` for all of them. ``user`` signs the corrections the import makes."""
        self.report = report
        self.user = user
        self.altered = AlteredQuotes()
        self.moved_sources: set[int] = set()  # sources whose title or address changed
        self.explicit_roles = explicit_roles
        self.user_id = user_id
        self.batch_size = batch_size
        self.now = timezone.now()
        self.ids: dict[str, dict[str, int]] = {kind: {} for kind in REFERABLE}
        self.topic_ids: dict[str, int] = {}
        # speaker id -> its affiliations, loaded once for the quotes of all batches
        self.affiliations: dict[int, list[Affiliation]] = {}
        self.errors: list[LineError] = []
        self.similar_allowed = similar_allowed
        # The quotes on record are those written before the import: the file's own quotes
        # are not compared with each other (an export imports back as it was).
        self.on_record_up_to = (
            None if similar_allowed is None else Quote.objects.aggregate(Max("pk"))["pk__max"]
        )

    def write(self, runs: Iterator[tuple[str, Batch]]) -> None:
        writers = {
            "organization": self.write_organizations,
            "speaker": self.write_speakers,
            "source": self.write_sources,
            "topic": self.write_topics,
            "occasion": self.write_occasions,
            "quote": self.write_quotes,
            "decision": self.write_decisions,
        }
        for kind, batch in runs:
            try:
                writers[kind](batch)
            except DatabaseError as error:
                first, last = batch[0][0], batch[-1][0]
                message = f"the database refused lines {first}–{last}: {error}".strip()
                raise ImportAborted([LineError(first, "", message)]) from error
            if len(self.errors) >= max_errors():  # refused anyway: no need to check the rest
                raise ImportAborted(sorted(self.errors), stopped_at=batch[-1][0])
        if not self.errors:  # refused anyway: corrections would be rolled back
            self.errors += self.altered.settle(self.user)
        # As on every path (services.records): a verifier checked the excerpt in the source
        # as it was, at its old address; even a verification the file gives is withdrawn,
        # since nothing says it was made after the change.
        citations_unverify_moved(source_ids=self.moved_sources)
        if self.errors:
            raise ImportAborted(sorted(self.errors))

    def id_map(self, kind: str, keys: Iterable[str]) -> dict[str, int]:
        known = self.ids[kind]
        missing = {key for key in keys if key not in known}
        if missing:
            found = REFERABLE[kind].objects.filter(key__in=missing).values_list("key", "id")
            known.update(found)
        return known

    def affiliations_of(self, speaker_ids: Iterable[int]) -> dict[int, list[Affiliation]]:
        known = self.affiliations
        missing = {speaker_id for speaker_id in speaker_ids if speaker_id not in known}
        if missing:
            for speaker_id in missing:
                known[speaker_id] = []
            for affiliation in Affiliation.objects.filter(speaker_id__in=missing):
                known[affiliation.speaker_id].append(affiliation)
        return known

    def sort_out(
        self, kind: str, batch: Batch, existing: dict, stored_record: Callable, build: Callable
    ) -> tuple[list, list]:
        """(object, record) pairs to create and to update; unchanged records are counted.

        ``build(obj, record)`` sets the fields of a new or stored object from the record.
        """
        new, changed = [], []
        for _, record in batch:
            current = existing.get(record["key"])
            if current is not None and stored_record(current) == without_note(record):
                self.report.counts[kind].unchanged += 1
                continue
            obj = current or RECORD_MODELS[kind](key=record["key"])
            build(obj, record)
            (changed if current else new).append((obj, record))
        self.check_new_keys(kind, batch, [obj.key for obj, _ in new])
        if kind in SHOWN_THROUGH:
            lines = {record["key"]: line for line, record in batch}
            self.altered.watch(kind, [(lines[obj.key], obj.pk, r) for obj, r in changed])
        return new, changed

    def check_new_keys(self, kind: str, batch: Batch, keys: list[str]) -> None:
        """A new record may not take an old key of another record, which would hide the
        redirect old links follow (``keys.keys_taken_by_redirects``, one query a batch)."""
        taken = keys_taken_by_redirects(kind=kind, keys=[(key, None) for key in keys])
        if not taken:
            return
        lines = {record["key"]: line for line, record in batch}
        for key, target in taken.items():
            self.errors.append(LineError(lines[key], "key", key_taken_message(kind, key, target)))

    def save(self, kind: str, new: list, changed: list, fields: Iterable[str]) -> None:
        """Write (object, record) pairs: ``new`` with COPY, ``changed`` with bulk_update."""
        model = RECORD_MODELS[kind]
        for obj, _ in changed:
            obj.updated = self.now
        copy_create(model, [obj for obj, _ in new])
        updated = [obj for obj, _ in changed]
        fields = derive_fields(updated, [*fields, "updated"])
        model.objects.bulk_update(updated, fields, batch_size=UPDATE_BATCH_SIZE)
        counts = self.report.counts[kind]
        counts.created += len(new)
        counts.updated += len(changed)
        if kind in self.ids:
            self.ids[kind].update((obj.key, obj.pk) for obj, _ in new)
