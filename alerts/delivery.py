"""The outbox: deliveries made from pending matches, and each one sent by a job.

``collect`` makes, for each address with matches waiting at a frequency, one delivery
holding them all, in a short transaction per address (never one for the whole run), and
defers its sending in that transaction. ``send`` composes and hands one delivery to the
mail backend; a failure is recorded and raised, so that the job is retried, and after
the last attempt the delivery stays failed in the admin's outbox.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from alerts.mail import compose
from alerts.models import Alert, Delivery, Match, Subscriber
from alerts.services import delivery_queue

log = logging.getLogger(__name__)
ATTEMPTS = 5


def waiting(frequency: str):
    return Match.objects.filter(
        delivery__isnull=True,
        alert__frequency=frequency,
        alert__paused=False,
        alert__confirmed_at__isnull=False,
    )


def collect(frequency: str) -> int:
    """One delivery per address with matches waiting at ``frequency``; how many."""
    subscriber_ids = waiting(frequency).values_list("alert__subscriber_id", flat=True).distinct()
    made = 0
    for subscriber_id in list(subscriber_ids):
        with transaction.atomic():
            subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
            if subscriber is None:  # deleted meanwhile
                continue
            matches = waiting(frequency).filter(alert__subscriber=subscriber)
            delivery = delivery_queue(subscriber=subscriber, kind="alerts")
            if matches.update(delivery=delivery):
                made += 1
            else:
                delivery.delete()
    return made


def send(delivery_id: int, alert_id: int | None = None, *, last_attempt: bool = True) -> None:
    delivery = Delivery.objects.select_related("subscriber").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == Delivery.Status.SENT:
        return  # the address was deleted, or a retry after a success
    alert = Alert.objects.filter(pk=alert_id).first() if alert_id else None
    message = compose(delivery, alert)
    if message is None:
        delivery.delete()
        return
    delivery.attempts += 1
    delivery.subject = message.subject[:200]
    try:
        message.send()
    except Exception as error:
        delivery.error = f"{type(error).__name__}: {error}"[:2000]
        if last_attempt:
            delivery.status = Delivery.Status.FAILED
            log.error("Alert mail %s to %s failed: %s", delivery.pk, delivery.subscriber, error)
        delivery.save(update_fields=["attempts", "error", "status", "subject"])
        raise
    delivery.status = Delivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.error = ""
    delivery.save(update_fields=["attempts", "error", "status", "subject", "sent_at"])
