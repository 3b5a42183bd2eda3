"""Importing an interchange file: a validation pass, then a write pass in one transaction.

The validation pass (``validation.FileCheck``) reads the whole file and reports every error
before anything is written. The write pass reads the file again and writes it in batches of
consecutive records of one type: each batch fetches the records it may update with one query
per relation, leaves alone those whose canonical form is unchanged, and writes the rest (new
rows with PostgreSQL's COPY, changed ones with ``bulk_update``). Only key-to-id maps of
organizations, speakers, sources and topics are kept between batches. django-pghistory's
triggers record every row written, under one context naming the import; the search outbox's
triggers record the quotes written, which the indexer indexes in bulk once the import has
committed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, Protocol

import pghistory
from django.db import connection, transaction

from quotes.interchange.canonical import FROM_FILE
from quotes.interchange.corrections import with_note
from quotes.interchange.decisions import decision_from_file
from quotes.interchange.errors import ImportAborted
from quotes.interchange.reader import Line, RecordFile
from quotes.interchange.report import ImportReport
from quotes.interchange.validation import FileCheck
from quotes.interchange.writer import RECORD_MODELS, Batch, Writer
from quotes.models import Affiliation, Citation, Quote, SpeakerName, Topic, Translation
from quotes.permissions import may

BATCH_SIZE = 1000
ANALYZE_AFTER_RECORDS = 10_000
# Serializes imports: two at once could both create the same new key.
IMPORT_LOCK_ID = 0x6F6E7265636F7264
# Each record type's canonical form (decisions': beside their export and import).
TO_CANONICAL = {**FROM_FILE, "decision": decision_from_file}


class Progress(Protocol):
    def update(self, n: int) -> Any: ...


RecordInput = IO[bytes] | IO[str] | Iterable[str | bytes]
ProgressFactory = Callable[[str, int], contextlib.AbstractContextManager[Progress]]


class _NoProgress:
    def update(self, n: int) -> None:
        pass


@contextlib.contextmanager
def no_progress(description: str, total: int) -> Iterator[Progress]:
    yield _NoProgress()


def records_import(
    *,
    lines_or_stream: RecordInput,
    dry_run: bool,
    user: Any,
    label: str = "",
    progress: ProgressFactory | None = None,
    batch_size: int = BATCH_SIZE,
    allow_similar: bool = False,
) -> ImportReport:
    """Validate every line, then import all records in one transaction, or nothing.

    With ``dry_run`` the records are written and the transaction rolled back, so that the
    counts are exactly those a real import would give. ``user`` becomes the quotes'
    ``created_by``/``updated_by`` and the history's user; ``label`` (the file name) is
    recorded in the history context. A new quote similar to a quote on record is an error
    (``similarity``, as on every path) unless ``allow_similar`` or its record says so.
    """
    progress = progress or no_progress
    record_file = RecordFile(lines_or_stream)
    check = FileCheck(
        may_publish=may(user, "publish"),
        may_verify=may(user, "verify"),
        may_decide=may(user, "decide lineage"),
    )
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_ID])
            with progress("Checking", record_file.size) as bar:
                errors = check.check(_counted(record_file.lines(), bar))
            if errors:
                return ImportReport.refused(errors, lines=check.lines, dry_run=dry_run)
            report = ImportReport(errors=[], lines=check.lines, dry_run=dry_run)
            user_id = user.pk if user is not None and user.is_authenticated else None
            with (
                pghistory.context(file=label, user=user_id),  # the command names itself
                immediate_constraints(),
                progress("Importing", record_file.size) as bar,
            ):
                writer = Writer(
                    report,
                    user_id,
                    batch_size,
                    check.explicit_roles,
                    similar_allowed=None if allow_similar else check.similar_allowed,
                    user=user,
                )
                writer.write(batches(_counted(record_file.lines(), bar), check, batch_size))
            if dry_run:
                transaction.set_rollback(True)
            else:
                refresh_statistics(report)
            return report
    except ImportAborted as aborted:
        return ImportReport.refused(
            aborted.errors, lines=check.lines, dry_run=dry_run, stopped_at=aborted.stopped_at
        )
    finally:
        record_file.close()


def refresh_statistics(report: ImportReport) -> None:
    """ANALYZE the tables after a large import, as PostgreSQL advises after bulk loading.

    Until autovacuum gets to them, the planner would take the new tables for small ones and
    choose sequential scans: the export that follows an import of a million quotes was four
    times slower.
    """
    written = sum(counts.created + counts.updated for counts in report.counts.values())
    if written < ANALYZE_AFTER_RECORDS:
        return
    models = [*RECORD_MODELS.values(), SpeakerName, Affiliation, Translation, Citation, Topic]
    tables = [model._meta.db_table for model in models] + [Quote.topics.through._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


@contextlib.contextmanager
def immediate_constraints() -> Iterator[None]:
    """Check foreign keys after each statement rather than at commit.

    Django declares them DEFERRABLE INITIALLY DEFERRED, and PostgreSQL walks its whole list
    of pending deferred checks after every statement: an import of 100,000 quotes slowed down
    quadratically. The write pass stores every record after those it refers to, so the
    immediate checks pass. On an error the transaction (or savepoint) is rolled back, which
    also restores the setting.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Except the search outbox's position, which is given at commit (search/outbox.py).
        cursor.execute("SET CONSTRAINTS search_commit_position DEFERRED")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _counted(lines: Iterator[Line], bar: Progress) -> Iterator[Line]:
    for line in lines:
        bar.update(line.size)
        yield line


def batches(lines: Iterator[Line], check: FileCheck, size: int) -> Iterator[tuple[str, Batch]]:
    """Runs of consecutive records of one type, in canonical form, at most ``size`` long.

    An organization or occasion whose parent is in the current run starts a new one, so
    that every parent is stored before its children.
    """
    kind, batch, keys = None, [], set()
    for line in lines:
        if line.number in check.duplicate_lines:
            continue
        record = with_note(TO_CANONICAL[line.record["type"]](line.record), line.record)
        starts_new = (
            record["type"] != kind
            or len(batch) >= size
            or (kind in ("organization", "occasion") and record.get("parent") in keys)
        )
        if starts_new and batch:
            yield kind, batch
            batch, keys = [], set()
        kind = record["type"]
        batch.append((line.number, record))
        keys.add(record.get("key"))  # a decision has none
    if batch:
        yield kind, batch
