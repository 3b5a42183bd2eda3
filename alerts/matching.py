"""New and changed public statements, matched against every confirmed alert.

The matcher reads the search outbox (search/outbox.py) as an index replica does: every
commit that touched a quote, on every path, in commit order. Of those quotes, the public
ones with a publication, correction or retraction it has not seen become ``Change`` rows;
each batch of changes is matched against the saved searches through a small index of the
changed quotes (search/percolate.py), one search per distinct saved search. A saved search
is read as the criteria parsed when it was saved (``Alert.criteria``, alerts/targets.py),
never parsed here; identical criteria are searched for once, however many alerts share
them, and the running alerts are read a chunk at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from alerts.models import Alert, Change, Delivery, Match, Progress
from alerts.targets import search_request
from quotes.models import PUBLIC_STATUSES, Quote
from search import outbox
from search.backends import get_search_backend
from search.backends.base import Filters, SearchRequest

# A watched statement's news; searches and records hear of publications, corrections and
# retractions only. Drifts of its sources are matched when found (alerts/drift.py).
WATCHED_KINDS = (
    Change.Kind.CORRECTED,
    Change.Kind.RETRACTED,
    Change.Kind.SOURCED,
    Change.Kind.TRANSLATED,
    Change.Kind.DRIFTED,
)
SEARCHED_KINDS = (Change.Kind.PUBLISHED, Change.Kind.CORRECTED, Change.Kind.RETRACTED)
# Saved searches read from the database at a time, and (search, quote) pairs written.
CHUNK = 5000
# What a percolated key stands for: the alerts' column and its SQL type.
SEARCHED_TARGETS = ("search", "speaker", "topic", "organization")
COLUMNS = {
    "search": ("criteria", "jsonb"),
    "speaker": ("speaker_id", "bigint"),
    "topic": ("topic_id", "bigint"),
    "organization": ("organization_id", "bigint"),
}
INSERT_FOUND = """
INSERT INTO {match} (alert_id, change_id)
SELECT a.id, c.id
FROM unnest(%s::{kind}[], %s::bigint[]) AS f(target, quote_id)
JOIN {alert} a ON a.{column} = f.target
JOIN {change} c ON c.quote_id = f.quote_id
WHERE c.id = ANY(%s) AND c.kind = ANY(%s)
  AND a.id IN ({running})
ON CONFLICT DO NOTHING
"""
INSERT_WATCHED = """
INSERT INTO {match} (alert_id, change_id)
SELECT a.id, c.id
FROM {change} c
JOIN {alert} a ON a.quote_id = c.quote_id
WHERE c.id = ANY(%s) AND c.kind = ANY(%s)
  AND a.id IN ({running})
ON CONFLICT DO NOTHING
"""


def run() -> int:
    """Match every change committed since the last run; the number of matches made."""
    made = 0
    while True:
        with transaction.atomic():
            progress = progress_locked()
            batch = outbox.pending(progress.position)
            if batch is None:
                return made
            made += match(record_changes(batch.quote_ids, since=progress))
            progress.position = batch.position
            progress.save(update_fields=["position"])


def progress_locked() -> Progress:
    """The matcher's row, locked for this transaction: one matcher at a time. A first run
    starts at the outbox's end."""
    progress = Progress.objects.select_for_update().first()
    if progress is None:
        progress = Progress.objects.create(position=outbox.last_position())
        progress = Progress.objects.select_for_update().get(pk=progress.pk)
    return progress


def record_changes(quote_ids: Iterable[int], *, since: Progress) -> list[Change]:
    """The public changes of these quotes not recorded yet."""
    quote_ids = list(quote_ids)
    found = set()
    public = Quote.objects.public().filter(pk__in=quote_ids)
    public = public.annotate(
        sourced=Max("citations__created"), translated=Max("translations__created")
    )
    for pk, published, corrected, retracted, sourced, translated in public.values_list(
        "pk", "published_at", "corrected_at", "retracted_at", "sourced", "translated"
    ):
        for kind, at in (
            (Change.Kind.PUBLISHED, published),
            (Change.Kind.CORRECTED, corrected),
            (Change.Kind.RETRACTED, retracted),
            (
                Change.Kind.SOURCED,
                sourced if published and sourced and sourced > published else None,
            ),
            (
                Change.Kind.TRANSLATED,
                translated if published and translated and translated > published else None,
            ),
        ):
            if at is not None and at >= since.started:
                found.add((pk, kind, at))
    known = set(Change.objects.filter(quote_id__in=quote_ids).values_list("quote_id", "kind", "at"))
    new = [Change(quote_id=pk, kind=kind, at=at) for pk, kind, at in sorted(found - known)]
    return Change.objects.bulk_create(new)


def match(changes: list[Change]) -> int:
    """Matches of these changes with every confirmed, running alert; how many were made.
    Each distinct saved search or record is searched for once among the changed quotes,
    read from the database a chunk at a time; the alerts it stands for get their matches in
    the database, so that memory grows with what matches, not with the alerts."""
    if not changes:
        return 0
    change_ids = [change.pk for change in changes]
    found = get_search_backend().percolate({c.quote_id for c in changes}, saved_requests())
    made = sum(matches_insert(target, found, change_ids) for target in SEARCHED_TARGETS)
    made += watched_insert(change_ids)
    pairs = retractions_of_mailed(changes)
    made += len(
        Match.objects.bulk_create(
            [Match(alert_id=alert, change_id=change) for alert, change in sorted(pairs)],
            ignore_conflicts=True,
        )
    )
    return made


def saved_requests() -> Iterator[tuple[tuple[str, Any], SearchRequest]]:
    """One search request per distinct saved search (its stored criteria) or record of the
    running alerts: key (target, criteria as JSON or the record's id), request."""
    running = Alert.objects.running().order_by()
    searches = running.filter(criteria__isnull=False).values_list("criteria", flat=True)
    for criteria in searches.distinct().iterator(chunk_size=CHUNK):
        yield ("search", json.dumps(criteria, sort_keys=True)), search_request(criteria)
    for name in SEARCHED_TARGETS[1:]:
        records = running.filter(**{f"{name}__isnull": False})
        records = records.values_list(f"{name}_id", f"{name}__key").distinct()
        for pk, key in records.iterator(chunk_size=CHUNK):
            filters = Filters(statuses=list(PUBLIC_STATUSES), **{name: key})
            yield (name, pk), SearchRequest(filters=filters)


def insert_sql(sql: str, **names: str) -> tuple[str, tuple]:
    """``sql`` with the tables' names and the running alerts' query (``running()``), and
    the parameters of that query, which come last."""
    running, params = Alert.objects.running().order_by().values("pk").query.sql_with_params()
    sql = sql.format(
        match=Match._meta.db_table,
        alert=Alert._meta.db_table,
        change=Change._meta.db_table,
        running=running,
        **names,
    )
    return sql, params


def matches_insert(target: str, found: dict, change_ids: list[int]) -> int:
    """The matches of the alerts of ``target`` whose search found changed quotes (``found``,
    by percolation key), a chunk of (search, quote) pairs at a time."""
    pairs = [
        (key[1], quote) for key, quotes in found.items() if key[0] == target for quote in quotes
    ]
    column, kind = COLUMNS[target]
    sql, running = insert_sql(INSERT_FOUND, column=column, kind=kind)
    made = 0
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), CHUNK):
            chunk = pairs[start : start + CHUNK]
            targets, quotes = [t for t, _ in chunk], [q for _, q in chunk]
            cursor.execute(sql, [targets, quotes, change_ids, values(SEARCHED_KINDS), *running])
            made += cursor.rowcount
    return made


def values(kinds: tuple[Change.Kind, ...]) -> list[str]:
    return [kind.value for kind in kinds]


def watched_insert(change_ids: list[int]) -> int:
    """The matches of the watched statements' news."""
    sql, running = insert_sql(INSERT_WATCHED)
    with connection.cursor() as cursor:
        cursor.execute(sql, [change_ids, values(WATCHED_KINDS), *running])
        return cursor.rowcount


def retractions_of_mailed(changes: list[Change]) -> set[tuple[int, int]]:
    """A statement retracted after it was mailed is mailed again, as retracted, to the
    alerts that mailed it."""
    retracted = {c.quote_id: c for c in changes if c.kind == Change.Kind.RETRACTED}
    mailed = Match.objects.filter(
        change__quote_id__in=retracted, delivery__status=Delivery.Status.SENT
    ).values_list("alert_id", "change__quote_id")
    return {(alert, retracted[quote].pk) for alert, quote in mailed}
