"""Searches take turns: at most ONRECORD_SEARCH_CONCURRENCY at once in each web process.

A search page is Python work from end to end (reading its quotes, serializing them,
highlights), and a process's threads share one interpreter lock. Two searches running in one
worker beside a quick read make that read wait for the lock at every query it sends, so the
read's latency grows with the searches around it. Searches beyond the limit wait for their
turn without holding the lock; reads that are not searches never wait. A search that gets no
turn within ONRECORD_SEARCH_WAIT_MS is answered 503 with Retry-After
(project/middleware.py), as a query past the statement timeout is. docs/performance.md
("Load") has the measurements behind the default of one.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings

# By size: a process has one, made on first use (after gunicorn forks its workers); tests
# that change the setting get another.
_turns: dict[int, threading.BoundedSemaphore] = {}
_creating = threading.Lock()


class SearchBusy(Exception):
    """No turn to search came within ONRECORD_SEARCH_WAIT_MS."""


def turns() -> threading.BoundedSemaphore:
    """This process's turns, ONRECORD_SEARCH_CONCURRENCY of them."""
    size = settings.SEARCH_CONCURRENCY
    with _creating:
        if size not in _turns:
            _turns[size] = threading.BoundedSemaphore(size)
        return _turns[size]


@contextmanager
def search_turn() -> Iterator[None]:
    """Wait for a turn to search (none is needed with ONRECORD_SEARCH_CONCURRENCY=0)."""
    if settings.SEARCH_CONCURRENCY <= 0:
        yield
        return
    semaphore = turns()
    if not semaphore.acquire(timeout=settings.SEARCH_WAIT_MS / 1000):
        raise SearchBusy
    try:
        yield
    finally:
        semaphore.release()


def takes_turns(view: Callable) -> Callable:
    """A view (or a viewset's action) that searches: it runs in its turn."""

    @functools.wraps(view)
    def in_turn(*args, **kwargs):
        with search_turn():
            return view(*args, **kwargs)

    return in_turn
