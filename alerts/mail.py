"""The mails of alerts: a confirmation, and one mail per address per run with every
statement its alerts matched, each once, grouped by the first alert that matched it.

Each statement is rendered from its public representation (quotes/public.py), in plain
text and HTML, once for every mail of a batch that shows it the same way (``Blocks``); every
mail carries the "my alerts" link and a one-click unsubscribe (RFC 8058:
``List-Unsubscribe`` and ``List-Unsubscribe-Post``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from alerts import links
from alerts.models import Alert, Change, Delivery, Match
from quotes.models import Quote
from quotes.public import (
    PublicCitation,
    PublicCorrection,
    PublicStatement,
    PublicTranslation,
    primary_language,
    statement,
)
from reader.dates import long_date


@dataclass
class Item:
    statement: PublicStatement
    url: str
    said: str
    translation: PublicTranslation | None
    kinds: set[str]
    correction: PublicCorrection | None
    drifts: list[Drift] = field(default_factory=list)


@dataclass
class Drift:
    """A source that no longer contains the cited passage, and where the capture that still
    showed it is read (the passage in context on the source's page)."""

    citation: PublicCitation
    capture_url: str


@dataclass(frozen=True)
class Block:
    """A statement as a mail shows it, rendered: plain text and HTML."""

    text: str
    html: SafeString


@dataclass
class Group:
    alert: Alert
    items: list[Block] = field(default_factory=list)


class Blocks:
    """The statements of a run's mails, each read once and rendered once for every mail
    that shows it the same way (with the same changes, to readers of the same language).
    Which of them are still public is asked again for each batch; a change to a statement
    during a run is news for the next run. At most ``LIMIT`` statements are kept."""

    LIMIT = 5_000

    def __init__(self):
        self.statements: dict[int, PublicStatement] = {}
        self.rendered: dict[tuple, Block] = {}

    def public(self, quote_ids: set[int]) -> dict[int, PublicStatement]:
        """The statements of ``quote_ids`` that are public: read now unless read before."""
        public = set(Quote.objects.public().filter(pk__in=quote_ids).values_list("pk", flat=True))
        missing = public - self.statements.keys()
        if len(self.statements) + len(missing) > self.LIMIT:
            self.statements.clear()
            self.rendered.clear()
            missing = public
        if missing:
            quotes = Quote.objects.public().with_public_parts().in_bulk(list(missing))
            self.statements.update((pk, statement(quote)) for pk, quote in quotes.items())
        return {pk: self.statements[pk] for pk in public if pk in self.statements}

    def block(self, quote_id: int, kinds: set[str], language: str) -> Block:
        key = (quote_id, frozenset(kinds), primary_language(language))
        if key not in self.rendered:
            context = {"item": item(self.statements[quote_id], kinds, language)}
            self.rendered[key] = Block(
                text=render_to_string("alerts/mail/statement.txt", context),
                html=mark_safe(render_to_string("alerts/mail/statement.html", context)),
            )
        return self.rendered[key]


def compose_many(
    deliveries: list[Delivery], blocks: Blocks | None = None
) -> dict[int, EmailMultiAlternatives | None]:
    """The messages of several digests, their matches read at once and each statement
    rendered once (``blocks``: those of the run so far)."""
    groups = grouped_many(deliveries, blocks or Blocks())
    return {d.pk: compose(d, groups=groups.get(d.pk, [])) for d in deliveries}


def compose(
    delivery: Delivery, alert: Alert | None = None, groups: list[Group] | None = None
) -> EmailMultiAlternatives | None:
    """The message of ``delivery``; None when nothing public is left to tell. ``groups``:
    its statements when already read (``compose_many``)."""
    subscriber = delivery.subscriber
    context = {
        "manage_url": links.manage_url(subscriber),
        "unsubscribe_url": links.unsubscribe_url(subscriber),
        "site_url": settings.ONRECORD_SITE_URL,
    }
    if delivery.kind == "confirmation":
        if alert is None:
            return None
        context.update(alert=alert, confirm_url=links.confirm_url(alert))
        subject = "Confirm your OnRecord alert"
        template = "alerts/mail/confirm"
    else:
        if groups is None:
            groups = grouped_many([delivery], Blocks()).get(delivery.pk, [])
        if not groups:
            return None
        count = sum(len(group.items) for group in groups)
        context.update(groups=groups, count=count)
        subject = f"OnRecord: {count} statement{'s' if count != 1 else ''} for your alerts"
        template = "alerts/mail/alerts"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def grouped_many(deliveries: list[Delivery], blocks: Blocks) -> dict[int, list[Group]]:
    """Each delivery's statements by alert: each statement once, under the first alert that
    matched it, with every change of it the delivery tells (one read for all)."""
    by_pk = {delivery.pk: delivery for delivery in deliveries}
    matches = (
        Match.objects.filter(delivery__in=list(by_pk))
        .order_by("delivery_id", "alert_id", "change__at", "change_id")
        .values_list("delivery_id", "alert_id", "change__quote_id", "change__kind")
    )
    kinds: dict[tuple[int, int], set[str]] = defaultdict(set)
    first_alert: dict[int, dict[int, int]] = defaultdict(dict)
    for delivery_id, alert_id, quote_id, kind in matches:
        kinds[delivery_id, quote_id].add(kind)
        first_alert[delivery_id].setdefault(quote_id, alert_id)
    alerts = Alert.objects.select_related("speaker", "topic", "organization", "quote").in_bulk(
        {alert_id for found in first_alert.values() for alert_id in found.values()}
    )
    shown = blocks.public({quote_id for found in first_alert.values() for quote_id in found})
    result: dict[int, list[Group]] = {}
    for delivery_id, found in first_alert.items():
        groups: dict[int, Group] = {}
        language = by_pk[delivery_id].subscriber.language
        for quote_id, alert_id in found.items():
            if quote_id not in shown:  # no longer public (merged away, say): not mailed
                continue
            group = groups.setdefault(alert_id, Group(alerts[alert_id]))
            group.items.append(blocks.block(quote_id, kinds[delivery_id, quote_id], language))
        result[delivery_id] = list(groups.values())
    return result


def item(public: PublicStatement, kinds: set[str], language: str) -> Item:
    """A statement as mailed to a reader of ``language``: the original words, and the
    translation into that language when the statement has one."""
    corrected = Change.Kind.CORRECTED in kinds and public.corrections
    return Item(
        statement=public,
        url=links.absolute(public.path),
        said=long_date(public.said),
        translation=public.translation_in(language),
        kinds=kinds,
        correction=public.corrections[-1] if corrected else None,
        drifts=drifts(public) if Change.Kind.DRIFTED in kinds else [],
    )


def drifts(public: PublicStatement) -> list[Drift]:
    """The statement's sources that no longer contain their cited passage (and that no
    editor judged immaterial since)."""
    return [
        Drift(
            citation,
            links.absolute(reverse("reader:source", args=[citation.source_key]))
            + f"#{citation.anchor}",
        )
        for citation in public.citations
        if citation.changed_since
    ]
