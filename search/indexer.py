"""Bringing an index up to date: rebuilds from PostgreSQL, and the outbox applied in order.

``catch_up`` applies every commit after the index's position and commits the index once;
``rebuild`` replaces every document in one index commit, so readers see the old index until
the new one is complete; ``run`` is the indexer's loop, woken by the outbox's notifications.
One indexer per index directory: the directory's write lock makes any other wait.

An index is trusted only when it is of this database: its position records the database's
identity (the cluster's system identifier and the database's OID), and lies between the
outbox's first kept commit and its latest. Any other index (missing, damaged, built from
another database, or from this one before a restore) is rebuilt by whichever writer finds
it so, and searches answer 503 until then (``SearchUnavailable``).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import threading
import time
from collections.abc import Callable, Iterable

import psycopg
import tantivy
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from search import documents, outbox
from search.index import IndexDamaged, Position, SearchIndex, current_index

log = logging.getLogger(__name__)
ADD_BATCH = 5000
POLL_SECONDS = 1.0
RETENTION = datetime.timedelta(days=7)
IDENTITY_SECONDS = 5.0  # how long a web process trusts the database's identity it read
# Errors of a lost database connection, as Django and as psycopg (LISTEN's raw connection).
CONNECTION_ERRORS = (DatabaseError, psycopg.Error, OSError)


class SearchUnavailable(Exception):
    """No index that searches can trust: it is missing, damaged, or of another database
    (being rebuilt). Answered with 503 (project/middleware.py)."""


def database_identity() -> str:
    """The database's identity (``outbox.State``)."""
    return outbox.state().identity


_identity: tuple[str, float] | None = None


def cached_identity() -> str:
    """``database_identity``, read again after IDENTITY_SECONDS (one query per search would
    cost more than a few seconds of a restore noticed late); in synchronous mode, once per
    process (it is its own indexer)."""
    global _identity
    if _identity is None or time.monotonic() > _identity[1]:
        lasts = float("inf") if settings.SEARCH_SYNC else IDENTITY_SECONDS
        _identity = (database_identity(), time.monotonic() + lasts)
    return _identity[0]


def unusable(index: SearchIndex, identity: str | None = None) -> str | None:
    """Why searches cannot trust ``index``: missing, damaged, or of another database."""
    if not index.exists():
        return f"there is no search index at {index.path}"
    if damage := index.damage():
        return damage
    built_from = index.position().database
    if built_from != (identity or database_identity()):
        return f"the search index was built from another database ({built_from or 'unknown'})"
    return None


def stale(index: SearchIndex, state: outbox.State | None = None) -> str | None:
    """Why ``index`` must be rebuilt: ``unusable``, or its position is not in this
    database's outbox (ahead of it: a restored dump; behind its first kept commit)."""
    state = state or outbox.state()
    if reason := unusable(index, state.identity):
        return reason
    position = index.position().position
    if position > state.latest:
        return f"the search index is at position {position}, past the outbox's {state.latest}"
    # (An index at 0 was built from an empty outbox: its next commit may have any position.)
    if state.first is not None and 0 < position < state.first - 1:
        return f"the search index is at position {position}, before the outbox's {state.first}"
    return None


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
    transaction's changes too); rebuild an index that is ``stale``. Returns the quotes
    applied. (In synchronous mode, only ``unusable``: one query fewer at each search.)"""
    index = index or current_index()
    with index.writing() as writer:
        if settings.SEARCH_SYNC:
            identity = cached_identity()
            reason = unusable(index, identity)
        else:
            state = outbox.state()
            identity, reason = state.identity, stale(index, state)
        if reason:
            log.warning("Rebuilding the search index: %s.", reason)
            applied = _rebuild(index, writer, identity)
        else:
            applied = _catch_up(index, writer, own, identity)
    if applied:
        index.reload()
    return applied


def _catch_up(index: SearchIndex, writer: tantivy.IndexWriter, own: bool, identity: str) -> int:
    position = index.position()
    applied = 0
    while (batch := outbox.pending(position.position)) is not None:
        applied += apply(index, writer, batch.quote_ids)
        position = Position(batch.position, timezone.now().isoformat())
    own_ids = outbox.own_changes() if own else []
    applied += apply(index, writer, own_ids)
    if applied or position.position != index.position().position:
        writer.commit()
        index.save_position(Position(position.position, position.committed, database=identity))
    return applied


def rebuild(index: SearchIndex | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Index every quote again, from one snapshot of the database, in one index commit."""
    index = index or current_index()
    with index.writing() as writer:
        count = _rebuild(index, writer, database_identity(), progress)
    index.reload()
    return count


def _rebuild(
    index: SearchIndex,
    writer: tantivy.IndexWriter,
    identity: str,
    progress: Callable[[int], None] | None = None,
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
    # Readers see the new documents before the position says the index is usable: searches
    # that wait for it would otherwise read the old documents a little longer.
    index.reload()
    index.save_position(Position(position, timezone.now().isoformat(), database=identity))
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


_rebuilding = threading.Lock()


def searchable(index: SearchIndex | None = None) -> SearchIndex:
    """The index, if searches can trust it; else ``SearchUnavailable``, while a thread of
    this process rebuilds it (unless a writer elsewhere, the indexer, does first)."""
    index = index or current_index()
    if reason := unusable(index, cached_identity()):
        rebuild_behind(index)
        raise SearchUnavailable(reason)
    return index


def rebuild_behind(index: SearchIndex) -> None:
    """Bring ``index`` up to date (rebuild it) in a thread, unless one of this process
    does already."""
    if _rebuilding.acquire(blocking=False):
        threading.Thread(target=_rebuild_behind, args=[index], daemon=True).start()


def _rebuild_behind(index: SearchIndex) -> None:
    try:
        catch_up(index)  # rebuilds it, or finds it rebuilt meanwhile
    except CONNECTION_ERRORS as error:
        log.warning("The search index could not be rebuilt: %s", error)
    finally:
        connection.close()
        _rebuilding.release()


def run(index: SearchIndex | None = None, stop: threading.Event | None = None) -> None:
    """Keep the index current until ``stop`` is set: catch up after every notification of
    the outbox, and at least every POLL_SECONDS; rebuild it whenever it is ``stale``. A
    lost database connection is opened again."""
    index = index or current_index()
    stop = stop or threading.Event()
    pruned = timezone.now()
    listening, failing = False, False
    while not stop.is_set():
        try:
            if not listening:
                with connection.cursor() as cursor:
                    cursor.execute(f"LISTEN {outbox.CHANNEL}")
                listening = True
            catch_up(index)
            if failing:
                log.warning("Search indexer: the database answers again.")
                failing = False
            if timezone.now() - pruned > datetime.timedelta(hours=1):
                outbox.prune(timezone.now() - RETENTION)
                pruned = timezone.now()
            wait_for_notification(POLL_SECONDS)
        except (*CONNECTION_ERRORS, IndexDamaged) as error:
            if not failing:  # once per outage, not once a second
                first_line = (str(error).strip().splitlines() or [""])[0]
                log.warning(
                    "Search indexer: %s: %s; trying again.", type(error).__name__, first_line
                )
            failing, listening = True, False
            _close_quietly()
            stop.wait(POLL_SECONDS)


def _close_quietly() -> None:
    with contextlib.suppress(*CONNECTION_ERRORS):  # a connection the server closed
        connection.close()


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
