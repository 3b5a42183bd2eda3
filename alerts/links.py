"""Signed links instead of accounts: whoever holds a mail's link acts for its address.

A link signs the subscriber's id and address (django.core.signing, with the secret key):
it cannot be made for another address, and once the address is deleted it leads nowhere.
Confirmation links expire; the "my alerts" and unsubscribe links of mails do not.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.http import urlencode

from alerts.models import Alert, Subscriber

CONFIRM_MAX_AGE = 7 * 24 * 3600


def signup_url(params: dict[str, str]) -> str:
    """The "Get alerts" page for a list's parameters (a speaker's page: its speaker)."""
    kept = {name: value for name, value in params.items() if name not in ("page", "ordering")}
    return reverse("alerts:new") + ("?" + urlencode(kept) if kept else "")


def absolute(path: str) -> str:
    return settings.ONRECORD_SITE_URL + path


def subscriber_token(subscriber: Subscriber, purpose: str) -> str:
    return signing.dumps([subscriber.pk, subscriber.email], salt=f"alerts.{purpose}")


def subscriber_from(token: str, purpose: str) -> Subscriber | None:
    try:
        pk, email = signing.loads(token, salt=f"alerts.{purpose}")
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Subscriber.objects.filter(pk=pk, email=email).first()


def confirm_url(alert: Alert) -> str:
    token = signing.dumps([alert.pk, alert.subscriber.email], salt="alerts.confirm")
    return absolute(reverse("alerts:confirm", args=[token]))


def alert_from(token: str) -> Alert | None:
    try:
        pk, email = signing.loads(token, salt="alerts.confirm", max_age=CONFIRM_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Alert.objects.filter(pk=pk, subscriber__email=email).first()


def manage_url(subscriber: Subscriber) -> str:
    return absolute(reverse("alerts:manage", args=[subscriber_token(subscriber, "manage")]))


def unsubscribe_url(subscriber: Subscriber) -> str:
    token = subscriber_token(subscriber, "unsubscribe")
    return absolute(reverse("alerts:unsubscribe", args=[token]))
