"""The public dumps' background job (project/jobs.py): a new dump by ONRECORD_DUMPS_CRON."""

from __future__ import annotations

from django.conf import settings
from procrastinate.contrib.django import app

from dumps import services
from project.jobs import own_connections


@app.periodic(cron=settings.DUMPS_CRON, periodic_id="dumps-public")
@app.task(queue="dumps", lock="dumps-public", queueing_lock="dumps-public")
@own_connections
def dumps_public(timestamp: int) -> None:
    """Write a dump of the public record and prune the old ones."""
    services.dump_create()
