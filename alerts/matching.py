"""New and changed public statements, matched against every confirmed alert.

The matcher reads the search outbox (search/outbox.py) as an index replica does: every
commit that touched a quote, on every path, in commit order. Of those quotes, the public
ones with a publication, correction or retraction it has not seen become ``Change`` rows;
each batch of changes is matched against the saved searches through a small index of the
changed quotes (search/percolate.py), one search per distinct saved search.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max

from alerts.models import Alert, Change, Delivery, Match, Progress
from alerts.targets import criteria
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
# Parsing a saved search through the list's FilterSet costs three times what matching it
# does (docs/performance.md, "Alerts"), and a worker matches every minute: it keeps the
# parsed criteria of this many distinct searches from run to run.
CRITERIA_CACHED = 200_000


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
    """Matches of these changes with every confirmed, running alert."""
    if not changes:
        return 0
    by_quote: dict[int, list[Change]] = defaultdict(list)
    for change in changes:
        by_quote[change.quote_id].append(change)
    alerts = list(
        Alert.objects.filter(confirmed_at__isnull=False, paused=False).select_related(
            "speaker", "topic", "organization"
        )
    )
    pairs = set()
    found = get_search_backend().percolate(by_quote, requests(alerts))
    for alert in alerts:
        if alert.quote_id is not None:
            pairs.update(
                (alert.pk, change.pk)
                for change in by_quote.get(alert.quote_id, [])
                if change.kind in WATCHED_KINDS
            )
            continue
        for quote_id in found.get(criteria_key(alert), ()):
            pairs.update(
                (alert.pk, change.pk)
                for change in by_quote[quote_id]
                if change.kind in SEARCHED_KINDS
            )
    pairs.update(retractions_of_mailed(changes))
    made = Match.objects.bulk_create(
        [Match(alert_id=alert, change_id=change) for alert, change in sorted(pairs)],
        ignore_conflicts=True,
    )
    return len(made)


def retractions_of_mailed(changes: list[Change]) -> set[tuple[int, int]]:
    """A statement retracted after it was mailed is mailed again, as retracted, to the
    alerts that mailed it."""
    retracted = {c.quote_id: c for c in changes if c.kind == Change.Kind.RETRACTED}
    mailed = Match.objects.filter(
        change__quote_id__in=retracted, delivery__status=Delivery.Status.SENT
    ).values_list("alert_id", "change__quote_id")
    return {(alert, retracted[quote].pk) for alert, quote in mailed}


def criteria_key(alert: Alert) -> tuple[str, str]:
    if alert.search is not None:
        return ("search", json.dumps(alert.search, sort_keys=True))
    name = alert.target
    return (name, getattr(alert, name).key)


def requests(alerts: list[Alert]) -> Iterable[tuple[tuple[str, str], SearchRequest]]:
    """One search request per distinct saved search or record among ``alerts``."""
    seen = set()
    for alert in alerts:
        if alert.quote_id is not None:
            continue
        key = criteria_key(alert)
        if key in seen:
            continue
        seen.add(key)
        yield key, request_for(key)


def request_for(key: tuple[str, str]) -> SearchRequest:
    name, value = key
    if name == "search":
        return search_criteria(value)
    return SearchRequest(filters=Filters(statuses=list(PUBLIC_STATUSES), **{name: value}))


@functools.lru_cache(maxsize=CRITERIA_CACHED)
def search_criteria(search: str) -> SearchRequest:
    """The criteria of a saved search (its parameters as sorted JSON): a function of the
    parameters alone, so the same for every run."""
    return criteria(json.loads(search))
