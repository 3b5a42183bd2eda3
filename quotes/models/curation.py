"""Curation's own records: old keys that redirect, editors' proposed revisions of published
quotes, readers' error reports."""

from __future__ import annotations

import functools
import operator

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from quotes import limits
from quotes.models.base import KEY_LENGTH, user_field
from quotes.models.records import Occasion, Organization, Source, Speaker
from quotes.models.statements import Quote
from quotes.validators import (
    validate_key,
)

TARGETS = ("quote", "speaker", "organization", "source", "occasion")


class KeyRedirect(models.Model):
    """An old key of a record (merged into another, or renamed), so that old links reach it."""

    class Kind(models.TextChoices):
        QUOTE = "quote"
        SPEAKER = "speaker"
        ORGANIZATION = "organization"
        SOURCE = "source"
        OCCASION = "occasion"

    class Cause(models.TextChoices):
        MERGE = "merge", "merged into another record"
        RENAME = "rename", "renamed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    old_key = models.CharField(max_length=KEY_LENGTH, validators=[validate_key])
    cause = models.CharField(max_length=10, choices=Cause.choices, default=Cause.MERGE)
    quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.CASCADE, related_name="old_keys"
    )
    speaker = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.CASCADE, related_name="old_keys"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="old_keys"
    )
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="old_keys"
    )
    occasion = models.ForeignKey(
        Occasion, null=True, blank=True, on_delete=models.CASCADE, related_name="old_keys"
    )
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "old_key"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "old_key"], name="keyredirect_unique"),
            models.CheckConstraint(
                condition=functools.reduce(
                    operator.or_,
                    (
                        Q(kind=kind, **{f"{other}__isnull": other != kind for other in TARGETS})
                        for kind in TARGETS
                    ),
                ),
                name="keyredirect_target_matches_kind",
            ),
            models.CheckConstraint(condition=~Q(old_key=""), name="keyredirect_key_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.old_key} → {self.target.key}"

    @property
    def target(self) -> models.Model:
        return getattr(self, self.kind)


class QuoteRevision(models.Model):
    """A change to a published quote proposed by an editor, waiting for a reviewer.

    ``changes`` maps each changed field to ``{"from": …, "to": …}`` in the plain form of
    ``quotes.services.revisions`` (keys for records, lists for translations and citations).
    Readers keep seeing the published quote until a reviewer accepts the revision, with a
    correction note that becomes one of the quote's public corrections.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"
        REJECTED = "rejected"

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="revisions")
    author = user_field()
    created = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    changes = models.JSONField()
    decided_by = user_field()
    decided_at = models.DateTimeField(null=True, blank=True)
    correction_note = models.TextField(blank=True, validators=[MaxLengthValidator(limits.NOTE)])
    reason = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(limits.NOTE)],
        help_text="Why a reviewer rejected it.",
    )

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="quoterevision_decided_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Revision {self.pk} of {self.quote.key} ({self.status})"


class ErrorReport(models.Model):
    """A reader's report of an error in a public statement, in the editors' queue until an
    editor closes it. The reply address is the only personal datum, and optional."""

    class Status(models.TextChoices):
        OPEN = "open"
        CLOSED = "closed"

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="error_reports")
    text = models.TextField("what is wrong", validators=[MaxLengthValidator(limits.ERROR_REPORT)])
    reply_to = models.EmailField("reply address", blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"Error report {self.pk} on {self.quote.key} ({self.status})"
