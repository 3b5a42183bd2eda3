"""Captures' background jobs (project/jobs.py): a capture when a citation is saved, and the
daily look for sources due for another (ONRECORD_CAPTURES_CRON)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from captures import fetching, services
from project.jobs import own_connections
from quotes.actors import SystemActor
from quotes.models import Source

ACTOR = SystemActor("captures")


@app.task(queue="captures")
@own_connections
def source_capture(source_id: int) -> None:
    """Capture one source (or check its citations against a recent capture)."""
    source = Source.objects.filter(pk=source_id).exclude(url="").first()
    if source is not None:
        services.source_capture_or_check(source=source, actor=ACTOR)


@app.periodic(cron=settings.CAPTURES_CRON, periodic_id="captures-due")
@app.task(queue="captures", queueing_lock="captures-due")
@own_connections
def captures_due(timestamp: int) -> None:
    """Defer a capture of each source due for one."""
    sources_capture_later(sources=services.sources_due().iterator())


def sources_capture_later(*, sources: Iterable[Source]) -> None:
    """Defer a capture of each source with an address, in the transaction of the caller:
    at most one waiting job per source, and one job at a time per host (politeness)."""
    for source in sources:
        if not source.url:
            continue
        job = source_capture.configure(
            lock=f"captures-host:{fetching.host_of(source.url)}",
            queueing_lock=f"captures-source:{source.pk}",
        )
        try:
            with transaction.atomic():  # a refused duplicate leaves the caller's transaction
                job.defer(source_id=source.pk)
        except AlreadyEnqueued:
            continue
