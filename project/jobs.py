"""Background jobs: Procrastinate on PostgreSQL, and the readiness check of its workers.

A job is a row of ``procrastinate_jobs``, written by ``task.defer()`` through Django's
connection: inside ``transaction.atomic`` it is part of the transaction of the write that
causes it, so a rolled-back write leaves no job, and a committed one always has its job.
Workers (``python manage.py procrastinate worker``) take jobs, retry failed ones as their
task says, and defer the periodic ones; each writes a heartbeat to ``procrastinate_workers``
every few seconds. Tasks live in each app's ``tasks.py``.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.utils import timezone

P = ParamSpec("P")
R = TypeVar("R")
WAITING_SQL = """
SELECT min(coalesce(j.scheduled_at, e.at))
FROM procrastinate_jobs j
JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'deferred'
WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())
"""


def worker_seen() -> str | None:
    """Ready unless a job has waited more than ``JOBS_MAX_WAIT`` seconds and no worker has
    been seen (a heartbeat) within that time: then nothing is taking the jobs."""
    limit = datetime.timedelta(seconds=settings.JOBS_MAX_WAIT)
    try:
        with connection.cursor() as cursor:
            cursor.execute(WAITING_SQL)
            oldest = cursor.fetchone()[0]
            if oldest is None or timezone.now() - oldest <= limit:
                return None
            cursor.execute("SELECT max(last_heartbeat) FROM procrastinate_workers")
            heartbeat = cursor.fetchone()[0]
    except DatabaseError as error:
        return f"the job queue cannot be read: {type(error).__name__}"
    if heartbeat is not None and timezone.now() - heartbeat <= limit:
        return None
    waited = (timezone.now() - oldest).total_seconds()
    seen = "never" if heartbeat is None else f"last {heartbeat.isoformat(timespec='seconds')}"
    return (
        f"a job has waited {waited:.0f} s and no job worker has been seen ({seen}): "
        "is `python manage.py procrastinate worker` running?"
    )


def own_connections(task: Callable[P, R]) -> Callable[P, R]:
    """A synchronous task runs in a thread of the worker; Django opens that thread's
    database connection on first use, and this closes it when the task ends, so that no
    connection outlives its job (nor the server's timeout of an idle connection)."""

    @functools.wraps(task)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return task(*args, **kwargs)
        finally:
            connections.close_all()

    return run


def background_priority() -> None:
    """Lower the calling thread's CPU priority to the least (nice 19, Linux): a job that
    computes (lineage's embedder) then takes only the cores the web processes leave idle
    (docs/performance.md, "Lineage"). Elsewhere, or when refused, it runs as it is."""
    import os
    import threading

    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
