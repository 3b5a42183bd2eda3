"""The search index's readiness check for /readyz (project/health.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from search import indexer, outbox
from search.index import current_index


def index_current() -> str | None:
    """The index can be trusted (``indexer.stale``: else it is rebuilt, and the server is
    not ready meanwhile) and applies the outbox within ``SEARCH_MAX_LAG`` seconds."""
    index = current_index()
    try:
        if settings.SEARCH_SYNC:
            indexer.flush()
        if reason := indexer.stale(index):
            indexer.rebuild_behind(index)
            return f"{reason}: it is being rebuilt"
        lag = outbox.lag(index.position().position)
    except DatabaseError as error:
        return f"the search outbox cannot be read: {type(error).__name__}"
    if lag.oldest is None:
        return None
    seconds = (timezone.now() - lag.oldest).total_seconds()
    if seconds <= settings.SEARCH_MAX_LAG:
        return None
    return (
        f"the search index is {lag.commits} commits ({lag.quotes} quotes) behind, "
        f"the oldest {seconds:.0f} s ago: is the indexer running?"
    )
