"""Lineage's background job (project/jobs.py): the embedder and the alignment of occasions'
accounts, every minute."""

from __future__ import annotations

from procrastinate.contrib.django import app

from lineage import embedder
from lineage.alignment import alignments_refresh
from project.jobs import background_priority, own_connections


@app.periodic(cron="* * * * *", periodic_id="lineage-embed")
@app.task(queue="lineage", lock="lineage-embed", queueing_lock="lineage-embed")
@own_connections
def lineage_embed(timestamp: int) -> None:
    """Embed the texts every commit since the last run changed (lineage/embedder.py), at
    the lowest CPU priority: searches come first."""
    background_priority()
    embedder.run()
    alignments_refresh()
