"""Alerts' background jobs (project/jobs.py): matching, digests, sending, pruning."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from procrastinate import JobContext, RetryStrategy
from procrastinate.contrib.django import app

from alerts import delivery, matching
from alerts.models import Alert, Delivery, Frequency, Subscriber
from project.jobs import own_connections

# Runs that read the outbox or make deliveries take this lock: one at a time.
RUN_LOCK = "alerts-run"


@app.periodic(cron="* * * * *", periodic_id="alerts-immediate")
@app.task(queue="alerts", lock=RUN_LOCK, queueing_lock="alerts-immediate")
@own_connections
def alerts_immediate(timestamp: int) -> None:
    """Every minute: match what changed, and mail the alerts "as it happens"."""
    run(Frequency.IMMEDIATE)


@app.periodic(cron="0 6 * * *", periodic_id="alerts-daily")
@app.task(queue="alerts", lock=RUN_LOCK)
@own_connections
def alerts_daily(timestamp: int) -> None:
    run(Frequency.DAILY)


@app.periodic(cron="0 6 * * 1", periodic_id="alerts-weekly")
@app.task(queue="alerts", lock=RUN_LOCK)
@own_connections
def alerts_weekly(timestamp: int) -> None:
    run(Frequency.WEEKLY)


def run(frequency: str) -> None:
    """Match every change committed so far, then mail the alerts of ``frequency``: a
    digest holds everything matched up to its run."""
    matching.run()
    delivery.collect(frequency)


@app.task(
    queue="mail",
    pass_context=True,
    retry=RetryStrategy(max_attempts=delivery.ATTEMPTS - 1, wait=60),
)
@own_connections
def send_delivery(context: JobContext, delivery_id: int, alert_id: int | None = None) -> None:
    """Send one delivery; a failure is tried again a minute later, ATTEMPTS times in all."""
    last = context.job.attempts + 1 >= delivery.ATTEMPTS
    delivery.send(delivery_id, alert_id, last_attempt=last)


@app.task(queue="mail")
@own_connections
def send_pending() -> None:
    """Send the pending digests, a batch at a time (alerts/delivery.py)."""
    delivery.send_pending()


@app.periodic(cron="30 3 * * *", periodic_id="alerts-prune")
@app.task(queue="alerts")
@own_connections
def alerts_prune(timestamp: int) -> None:
    """Forget what docs/operations.md says is kept for a while only."""
    now = timezone.now()
    unconfirmed = now - datetime.timedelta(days=settings.ALERTS_UNCONFIRMED_DAYS)
    Subscriber.objects.filter(confirmed_at__isnull=True, created__lt=unconfirmed).delete()
    Alert.objects.filter(confirmed_at__isnull=True, created__lt=unconfirmed).delete()
    old = now - datetime.timedelta(days=settings.ALERTS_DELIVERY_DAYS)
    Delivery.objects.filter(created__lt=old).exclude(status=Delivery.Status.PENDING).delete()
