"""The outbox: deliveries made from pending matches, and sent by jobs.

``collect`` makes, for each address with matches waiting at a frequency, one delivery
holding them all, in a short transaction per address (never one for the whole run), and
queues a sending job (one for all: ``send_pending``) with the first digest and again at the
end (a run stopped in between leaves its digests pending for the next run to send).
``send_pending`` sends the pending deliveries in batches of ``BATCH``: one transaction a
batch, its rows locked (SKIP LOCKED, so that several workers share the outbox), the
matches and the public statements of the whole batch read at once, one SMTP connection; a
mail that fails is recorded and tried again by a later run, and after ``ATTEMPTS`` it stays
failed in the admin's outbox. ``send`` composes and sends one delivery (a confirmation,
sent at once by its own job).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.utils import timezone

from alerts.mail import Blocks, compose, compose_many
from alerts.models import Alert, Delivery, Match, Subscriber

log = logging.getLogger(__name__)
ATTEMPTS = 5
# Digests sent by one job transaction, over one SMTP connection (docs/performance.md).
BATCH = 500
# Connections a batch is sent over at once: while one waits for the mail server's answer,
# another's mail is composed into bytes.
SENDERS = 2
# Addresses whose digests are made in one transaction.
COLLECT_BATCH = 1000
RETRY_AFTER = 60  # seconds before a run tries the failed mails again
SENDING_LOCK = "alerts-send"


class MailNotSent(Exception):
    """The mail backend refused a mail (its error is on the delivery)."""


def due(frequency: str):
    """The running alerts mailed at ``frequency``."""
    return Alert.objects.running().filter(frequency=frequency)


def waiting(frequency: str):
    """The matches of those alerts not mailed yet."""
    return Match.objects.filter(delivery__isnull=True, alert__in=due(frequency))


def collect(frequency: str) -> int:
    """One delivery per address with matches waiting at ``frequency``; how many. The
    addresses are taken ``COLLECT_BATCH`` at a time, in a short transaction each (never one
    for the whole run): a few queries for the whole batch."""
    waiting_ids = waiting(frequency).values_list("alert__subscriber_id", flat=True)
    subscriber_ids = sorted(set(waiting_ids.distinct().order_by()))
    made = first = 0
    for start in range(0, len(subscriber_ids), COLLECT_BATCH):
        with transaction.atomic():
            collected = collect_batch(frequency, subscriber_ids[start : start + COLLECT_BATCH])
            if collected and not made:  # the sending starts with the first digests
                first = collected
                sending_queued()
        made += collected
    if made > first:  # and runs again for those collected after it started
        with transaction.atomic():
            sending_queued()
    return made


COLLECT_SQL = """
UPDATE {match} m SET delivery_id = x.delivery_id
FROM unnest(%s::bigint[], %s::bigint[]) AS x(alert_id, delivery_id)
WHERE m.alert_id = x.alert_id AND m.delivery_id IS NULL
RETURNING m.delivery_id
"""


def collect_batch(frequency: str, subscriber_ids: list[int]) -> int:
    """The deliveries of these addresses, their rows locked (an address deleted meanwhile
    gets none), each holding its waiting matches; how many were made."""
    locked = Subscriber.objects.select_for_update().filter(pk__in=subscriber_ids).order_by("pk")
    deliveries = Delivery.objects.bulk_create(
        Delivery(subscriber_id=pk, kind="alerts") for pk in locked.values_list("pk", flat=True)
    )
    delivery_of = {d.subscriber_id: d.pk for d in deliveries}
    alerts = due(frequency).filter(subscriber_id__in=delivery_of).values_list("pk", "subscriber_id")
    pairs = [(alert_id, delivery_of[subscriber_id]) for alert_id, subscriber_id in alerts]
    with connection.cursor() as cursor:  # the waiting matches of those alerts (``waiting``)
        cursor.execute(
            COLLECT_SQL.format(match=Match._meta.db_table),
            [[alert for alert, _ in pairs], [delivery for _, delivery in pairs]],
        )
        used = {delivery_id for (delivery_id,) in cursor.fetchall()}
    unused = [d.pk for d in deliveries if d.pk not in used]
    if unused:  # their matches went meanwhile
        Delivery.objects.filter(pk__in=unused).delete()
    return len(used)


def sending_queued(delay: int = 0) -> None:
    """A ``send_pending`` job is queued (deferred in the caller's transaction, unless one is
    waiting already)."""
    from procrastinate import exceptions

    from alerts.tasks import send_pending

    try:
        with transaction.atomic():  # a refused insert rolls back this savepoint only
            send_pending.configure(
                queueing_lock=SENDING_LOCK, schedule_in={"seconds": delay}
            ).defer()
    except exceptions.AlreadyEnqueued:
        pass


def send_pending() -> int:
    """Send every pending digest, a batch at a time; the number sent. When some failed, a
    later run is queued to try them again."""
    sent = failed = 0
    tried: set[int] = set()  # failed in this run: tried again by a later one
    blocks = Blocks()  # the statements read and rendered so far, for every batch
    while True:
        with transaction.atomic():
            batch = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(kind="alerts", status=Delivery.Status.PENDING)
                .exclude(pk__in=tried)
                .select_related("subscriber")
                .order_by("pk")[:BATCH]
            )
            if not batch:
                break
            outcome = send_batch(batch, blocks)
        sent, failed = sent + outcome.sent, failed + outcome.failed
        tried.update(outcome.retry)
    if failed:
        sending_queued(delay=RETRY_AFTER)
    return sent


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    retry: set[int] = field(default_factory=set)


def send_batch(batch: list[Delivery], blocks: Blocks | None = None) -> Outcome:
    """Compose the batch's mails from one read of its matches (and of the statements not in
    ``blocks``), send them over ``SENDERS`` connections at once and record each delivery's
    outcome (in one query)."""
    messages = compose_many(batch, blocks)
    tried = [(d, messages[d.pk]) for d in batch if messages.get(d.pk) is not None]
    shares = [tried[n::SENDERS] for n in range(SENDERS) if tried[n::SENDERS]]
    with ThreadPoolExecutor(max_workers=SENDERS) as senders:
        list(senders.map(send_share, shares))
    outcome = Outcome()
    for delivery, _message in tried:
        if delivery.status == Delivery.Status.SENT:
            outcome.sent += 1
        else:
            outcome.failed += 1
            outcome.retry.add(delivery.pk)
    outcomes_save([delivery for delivery, _message in tried])
    Delivery.objects.filter(pk__in=[d.pk for d in batch if messages.get(d.pk) is None]).delete()
    return outcome


def send_share(share: list[tuple[Delivery, EmailMessage]]) -> None:
    """Send these mails over one connection, noting each outcome on its delivery (no
    database: a sender thread only talks to the mail server)."""
    with get_connection() as connection:
        for delivery, message in share:
            message.connection = connection
            attempt(delivery, message, last_attempt=delivery.attempts + 1 >= ATTEMPTS)


OUTCOME_FIELDS = ["attempts", "error", "status", "subject", "sent_at"]
OUTCOMES_SQL = """
UPDATE {delivery} d
SET attempts = o.attempts, error = o.error, status = o.status, subject = o.subject,
    sent_at = o.sent_at
FROM unnest(%s::bigint[], %s::integer[], %s::text[], %s::text[], %s::text[],
            %s::timestamptz[]) AS o(id, attempts, error, status, subject, sent_at)
WHERE d.id = o.id
"""


def outcomes_save(deliveries: list[Delivery]) -> None:
    """The outcome of each delivery (``OUTCOME_FIELDS``), in one query."""
    if not deliveries:
        return
    columns = [[d.pk for d in deliveries]]
    columns += [[getattr(d, name) for d in deliveries] for name in OUTCOME_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(OUTCOMES_SQL.format(delivery=Delivery._meta.db_table), columns)


def attempt(delivery: Delivery, message, *, last_attempt: bool) -> bool:
    """Send one composed mail and note how it went on ``delivery`` (not saved); whether it
    was sent."""
    delivery.attempts += 1
    delivery.subject = message.subject[:200]
    try:
        message.send()
    except Exception as error:
        delivery.error = f"{type(error).__name__}: {error}"[:2000]
        if last_attempt:
            delivery.status = Delivery.Status.FAILED
            log.error("Alert mail %s to %s failed: %s", delivery.pk, delivery.subscriber, error)
        return False
    delivery.status = Delivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.error = ""
    return True


def deliver(delivery: Delivery, message, *, last_attempt: bool) -> bool:
    """Send one composed mail and record how it went; whether it was sent."""
    sent = attempt(delivery, message, last_attempt=last_attempt)
    delivery.save(update_fields=OUTCOME_FIELDS)
    return sent


def send(delivery_id: int, alert_id: int | None = None, *, last_attempt: bool = True) -> None:
    delivery = Delivery.objects.select_related("subscriber").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == Delivery.Status.SENT:
        return  # the address was deleted, or a retry after a success
    alert = Alert.objects.filter(pk=alert_id).first() if alert_id else None
    message = compose(delivery, alert)
    if message is None:
        delivery.delete()
        return
    if not deliver(delivery, message, last_attempt=last_attempt):
        raise MailNotSent(delivery.error)  # the job is tried again
