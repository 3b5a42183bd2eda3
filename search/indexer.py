"""Bringing an index up to date: rebuilds from PostgreSQL, and the outbox applied in order.

``catch_up`` applies every commit after the index's position and commits the index once;
``rebuild`` replaces every document in one index commit, so readers see the old index until
the new one is complete; ``run`` is the indexer's loop, woken by the outbox's notifications.
One indexer per index directory: the directory's write lock makes any other wait.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable, Iterable

import tantivy
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from search import documents, outbox
from search.index import Position, SearchIndex, current_index

log = logging.getLogger(__name__)
ADD_BATCH = 5000
POLL_SECONDS = 1.0
RETENTION = datetime.timedelta(days=7)


def apply(index: SearchIndex, writer: tantivy.IndexWriter, quote_ids: Iterable[int]) -> int:
    """Replace the documents of these quotes by their current state (deleted ones go)."""
    ids = sorted(set(quote_ids))
    for start in range(0, len(ids), ADD_BATCH):
        chunk = ids[start : start + ADD_BATCH]
        writer.delete_documents_by_query(tantivy.Query.term_set_query(index.schema, "id", chunk))
        for row in documents.rows_by_id(chunk):
            writer.add_document(documents.document(row))
    return len(ids)


def catch_up(index: SearchIndex | None = None, *, own: bool = False) -> int:
    """Apply the outbox after the index's position (and, with ``own``, the current
    transaction's changes too); rebuild a missing index. Returns the quotes applied."""
    index = index or current_index()
    with index.writing() as writer:
        exists = index.exists()
        applied = _catch_up(index, writer, own) if exists else _rebuild(index, writer)
    if applied:
        index.reload()
    return applied


def _catch_up(index: SearchIndex, writer: tantivy.IndexWriter, own: bool) -> int:
    position = index.position()
    applied = 0
    while (batch := outbox.pending(position.position)) is not None:
        applied += apply(index, writer, batch.quote_ids)
        position = Position(batch.position, timezone.now().isoformat())
    own_ids = outbox.own_changes() if own else []
    applied += apply(index, writer, own_ids)
    if applied or position.position != index.position().position:
        writer.commit()
        index.save_position(position)
    return applied


def rebuild(index: SearchIndex | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Index every quote again, from one snapshot of the database, in one index commit."""
    index = index or current_index()
    with index.writing() as writer:
        count = _rebuild(index, writer, progress)
    index.reload()
    return count


def _rebuild(
    index: SearchIndex, writer: tantivy.IndexWriter, progress: Callable[[int], None] | None = None
) -> int:
    with snapshot():
        position = outbox.last_position()
        writer.delete_all_documents()
        count = 0
        for row in documents.all_rows():
            writer.add_document(documents.document(row))
            count += 1
            if progress and count % 1000 == 0:
                progress(1000)
        if progress:
            progress(count % 1000)
    writer.commit()
    index.save_position(Position(position, timezone.now().isoformat()))
    return count


class snapshot:
    """A repeatable-read transaction, unless one is open already (then its own view)."""

    def __enter__(self):
        self.atomic = None
        if not connection.in_atomic_block:
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return self

    def __exit__(self, *exc):
        if self.atomic is not None:
            return self.atomic.__exit__(*exc)
        return False


def ensure(index: SearchIndex | None = None) -> SearchIndex:
    """The index, rebuilt first when it is missing (a fresh checkout, a deleted var/)."""
    index = index or current_index()
    if index.exists():
        return index
    with index.writing() as writer:
        if not index.exists():
            log.warning("The search index at %s is missing: rebuilding it.", index.path)
            _rebuild(index, writer)
    index.reload()
    return index


def run(index: SearchIndex | None = None, stop: threading.Event | None = None) -> None:
    """Keep the index current until ``stop`` is set: catch up after every notification of
    the outbox, and at least every POLL_SECONDS. A lost database connection is opened
    again."""
    index = ensure(index)
    stop = stop or threading.Event()
    pruned = timezone.now()
    listening = False
    while not stop.is_set():
        try:
            if not listening:
                with connection.cursor() as cursor:
                    cursor.execute(f"LISTEN {outbox.CHANNEL}")
                listening = True
            catch_up(index)
            if timezone.now() - pruned > datetime.timedelta(hours=1):
                outbox.prune(timezone.now() - RETENTION)
                pruned = timezone.now()
            wait_for_notification(POLL_SECONDS)
        except (DatabaseError, OSError) as error:
            log.warning("Search indexer: %s; trying again.", error)
            connection.close()
            listening = False
            stop.wait(POLL_SECONDS)


def wait_for_notification(timeout: float) -> None:
    raw = connection.connection
    if raw is None:
        return
    for _ in raw.notifies(timeout=timeout, stop_after=1):
        break


def flush() -> int:
    """Bring this process's index up to date now, this transaction's changes included
    (``ONRECORD_SEARCH_SYNC``: the tests, and development without an indexer)."""
    return catch_up(current_index(), own=True)


def sync() -> bool:
    return settings.SEARCH_SYNC
