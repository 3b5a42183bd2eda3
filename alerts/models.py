"""What alerts keep: an address, its alerts, the public changes seen, and the outbox.

An address (``Subscriber``) is all OnRecord keeps of a reader; deleting it deletes its
alerts, their matches and its deliveries (``on_delete=CASCADE`` throughout).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from quotes.models import Organization, Quote, Speaker, Topic

TARGETS = ("search", "speaker", "topic", "organization", "quote")


def exactly_one(fields: tuple[str, ...]) -> Q:
    """One of ``fields`` is set and every other is null."""
    condition = Q()
    for chosen in fields:
        condition |= Q(**{f"{name}__isnull": name != chosen for name in fields})
    return condition


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "as it happens"
    DAILY = "daily", "daily"
    WEEKLY = "weekly", "weekly"


class Subscriber(models.Model):
    email = models.EmailField(max_length=254, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Mails show translations into it (alerts/languages.py); "en" was every mail's before.
    language = models.CharField(max_length=12, default="en")

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class AlertQuerySet(models.QuerySet):
    def running(self) -> AlertQuerySet:
        """Confirmed and not paused: the alerts the matcher matches."""
        return self.filter(confirmed_at__isnull=False, paused=False)


class Alert(models.Model):
    """One saved search or one watched record (exactly one of the five targets). A saved
    search keeps its parameters as given (``search``) and the criteria parsed from them when
    it was saved (``criteria``, alerts/targets.py), which the matcher reads."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="alerts")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    search = models.JSONField(null=True, blank=True)  # parameters of /api/v1/quotes/
    criteria = models.JSONField(null=True, blank=True, editable=False)
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, null=True, blank=True)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, null=True, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True)
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    paused = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="alert_exactly_one_target",
                condition=exactly_one(TARGETS),
            ),
            models.CheckConstraint(
                name="alert_search_has_criteria",
                condition=Q(search__isnull=True, criteria__isnull=True)
                | Q(search__isnull=False, criteria__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def target(self) -> str:
        if self.search is not None:
            return "search"
        return next(name for name in TARGETS[1:] if getattr(self, f"{name}_id") is not None)

    @property
    def title(self) -> str:
        """How mails and the "my alerts" page name it."""
        if self.search is not None:
            words = " ".join(f"{name}={value}" for name, value in sorted(self.search.items()))
            return f"Search: {words}" if words else "Every new statement"
        if self.speaker_id:
            return f"Statements by {self.speaker.name}"
        if self.topic_id:
            return f"Statements on {self.topic.name}"
        if self.organization_id:
            return f"Statements in a role at {self.organization.name}"
        return f"Changes to the statement {self.quote.key}"


class Change(models.Model):
    """A public change of a statement, recorded once: its publication, a correction, its
    retraction (at: the quote's published_at, corrected_at or retracted_at), a new source
    or a new translation (at: when the latest was added), or a source that no longer
    contains its cited passage (at: the capture that found it, alerts/drift.py)."""

    class Kind(models.TextChoices):
        PUBLISHED = "published"
        CORRECTED = "corrected"
        RETRACTED = "retracted"
        SOURCED = "sourced", "new source"
        TRANSLATED = "translated", "new translation"
        DRIFTED = "drifted", "source drift"

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quote", "kind", "at"], name="alerts_change_once")
        ]

    def __str__(self) -> str:
        return f"{self.quote_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Delivery(models.Model):
    """One mail to one address: the outbox editors see in the admin."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=20, default="alerts")  # alerts or confirmation
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    subject = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.kind} to {self.subscriber} ({self.status})"


class Match(models.Model):
    """A change an alert matched, mailed with the address's next delivery."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="matches")
    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="matches")
    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, null=True, blank=True, related_name="matches"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "change"], name="alerts_match_once")
        ]

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.change}"


class Progress(models.Model):
    """How far the matcher has read the search outbox (one row)."""

    position = models.BigIntegerField(default=0)
    # Changes before the matcher first ran are not news (statements published long ago).
    started = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"outbox position {self.position}"
