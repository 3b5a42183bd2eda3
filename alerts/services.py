"""Every write of alerts. The acting reader is the address a signed link proves
(alerts/links.py); a sign-up acts for an address not yet proven, so it only ever sends
that address a confirmation."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from alerts.languages import language_check
from alerts.limits import count_signup
from alerts.models import Alert, Delivery, Frequency, Subscriber
from alerts.targets import parse_target


@transaction.atomic
def alert_subscribe(
    *,
    email: str,
    frequency: str,
    target: dict[str, Any],
    client: str,
    language: str,
) -> Alert:
    """A new alert for ``email``, waiting for its confirmation, which is mailed by a job
    deferred in this transaction. ``language`` is a new address's mail language; an address
    already known keeps its own, since a sign-up does not prove the address and only "my
    alerts" changes it. Raises ValidationError naming the field at fault, or SignUpLimited."""
    email = normalized_email(email)
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": [f"Give one of {', '.join(Frequency.values)}."]})
    language = language_check(language)
    fields = parse_target(target)
    count_signup(email=email, client=client)
    subscriber, _ = Subscriber.objects.get_or_create(email=email, defaults={"language": language})
    alert = Alert.objects.create(subscriber=subscriber, frequency=frequency, **fields)
    delivery_queue(subscriber=subscriber, kind="confirmation", alert=alert)
    return alert


def normalized_email(email: Any) -> str:
    if not isinstance(email, str) or not email.strip():
        raise ValidationError({"email": ["Give an e-mail address."]})
    email = email.strip()
    local, _, domain = email.rpartition("@")
    email = f"{local}@{domain.lower()}"
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": error.messages}) from error
    return email


def delivery_queue(*, subscriber: Subscriber, kind: str, alert: Alert | None = None) -> Delivery:
    """A delivery in the outbox and the job that sends it, in the caller's transaction."""
    from alerts.tasks import send_delivery

    delivery = Delivery.objects.create(subscriber=subscriber, kind=kind)
    arguments = {"delivery_id": delivery.pk}
    if alert is not None:
        arguments["alert_id"] = alert.pk
    send_delivery.defer(**arguments)
    return delivery


@transaction.atomic
def alert_confirm(*, alert: Alert) -> None:
    """The address's owner confirmed: the alert is on, and the address is known good."""
    now = timezone.now()
    if alert.confirmed_at is None:
        alert.confirmed_at = now
        alert.save(update_fields=["confirmed_at"])
    subscriber = alert.subscriber
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = now
        subscriber.save(update_fields=["confirmed_at"])


@transaction.atomic
def alert_update(*, alert: Alert, paused: bool | None = None, frequency: str | None = None) -> None:
    if frequency is not None and frequency not in Frequency.values:
        raise ValidationError({"frequency": [f"Give one of {', '.join(Frequency.values)}."]})
    if paused is not None:
        alert.paused = paused
    if frequency is not None:
        alert.frequency = frequency
    alert.save(update_fields=["paused", "frequency"])


@transaction.atomic
def subscriber_update(*, subscriber: Subscriber, language: str) -> None:
    """The address's mail language, from "my alerts" (a signed link proves the address)."""
    subscriber.language = language_check(language)
    subscriber.save(update_fields=["language"])


@transaction.atomic
def alert_delete(*, alert: Alert) -> None:
    alert.delete()


@transaction.atomic
def subscriber_delete(*, subscriber: Subscriber) -> None:
    """Everything of the address: its alerts, their matches and its deliveries."""
    subscriber.delete()


def alerts_retarget(*, target: str, duplicate: Any, survivor: Any) -> None:
    """After a merge (``quotes.services.merges``), those who followed the duplicate follow
    the survivor (an address that follows both keeps one alert, the survivor's), and the
    saved searches that named it name the survivor."""
    following = Alert.objects.filter(**{target: survivor}).values("subscriber_id")
    Alert.objects.filter(**{target: duplicate}, subscriber_id__in=following).delete()
    Alert.objects.filter(**{target: duplicate}).update(**{target: survivor})
    # Saved searches name records by key, and searches do not follow old keys.
    for alert in Alert.objects.filter(**{f"search__{target}": duplicate.key}):
        alert.search[target] = survivor.key
        alert.criteria["filters"][target] = survivor.key
        alert.save(update_fields=["search", "criteria"])
