"""The outbox: which quotes changed, in commit order (migration search/0001_outbox).

Database triggers on every table a quote's document is made of record, in the same
transaction as the change, the ids of the quotes it touches (``search_outbox``) and that the
transaction has some (``search_commit``). When the transaction commits, a deferred trigger
gives it the next *position*, under a lock held until the commit is visible: positions
follow commit order, and once a position can be read, so can every smaller one. An index
replica is current up to a position; catching up is applying the quotes of the commits
after it, read again from their tables.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection

COMMITS_PER_BATCH = 1000
CHANNEL = "search_outbox"

# The quotes of the next commits after a position: (last position, quote ids).
PENDING_SQL = """
SELECT max(c.position), array_agg(DISTINCT o.quote_id)
FROM (SELECT txid, position FROM search_commit WHERE position > %s
      ORDER BY position LIMIT %s) AS c
JOIN search_outbox o ON o.txid = c.txid
"""
# Changes of the current transaction, not committed yet (tests, which never commit).
OWN_SQL = (
    "SELECT DISTINCT quote_id FROM search_outbox WHERE txid = pg_current_xact_id_if_assigned()"
)


@dataclass
class Pending:
    position: int
    quote_ids: list[int]


def pending(after: int, commits: int = COMMITS_PER_BATCH) -> Pending | None:
    """The quotes changed by the next ``commits`` commits after position ``after``."""
    with connection.cursor() as cursor:
        cursor.execute(PENDING_SQL, [after, commits])
        position, quote_ids = cursor.fetchone()
    if position is None:
        return None
    return Pending(position, quote_ids or [])


def own_changes() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(OWN_SQL)
        return [row[0] for row in cursor.fetchall()]


def last_position() -> int:
    """The latest committed position."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(position), 0) FROM search_commit")
        return cursor.fetchone()[0]


@dataclass
class State:
    """The database's identity (its cluster's system identifier and its OID: a restored
    dump or another ``DATABASE_URL`` has another one), the first position the outbox still
    holds (None: every commit pruned) and the latest position given (pruning keeps it)."""

    identity: str
    first: int | None
    latest: int


STATE_SQL = """
SELECT (SELECT system_identifier FROM pg_control_system())::text || '/' || d.oid,
       (SELECT min(position) FROM search_commit),
       (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM search_position)
FROM pg_database d WHERE d.datname = current_database()
"""


def state() -> State:
    with connection.cursor() as cursor:
        cursor.execute(STATE_SQL)
        return State(*cursor.fetchone())


@dataclass
class Lag:
    commits: int
    quotes: int
    oldest: datetime.datetime | None


def lag(after: int) -> Lag:
    """What an index at position ``after`` has still to apply."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), min(committed) FROM search_commit WHERE position > %s", [after]
        )
        commits, oldest = cursor.fetchone()
        cursor.execute(
            "SELECT count(DISTINCT o.quote_id) FROM search_commit c "
            "JOIN search_outbox o ON o.txid = c.txid WHERE c.position > %s",
            [after],
        )
        quotes = cursor.fetchone()[0]
    return Lag(commits, quotes, oldest)


def prune(before: datetime.datetime) -> int:
    """Forget the commits older than ``before`` (every replica has applied them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH gone AS (DELETE FROM search_commit WHERE committed < %s RETURNING txid) "
            "DELETE FROM search_outbox WHERE txid IN (SELECT txid FROM gone)",
            [before],
        )
        return cursor.rowcount
