"""A capture of a source's page, and each citation's check against the captures."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from quotes.models import Citation, Source

SHA256_PATTERN = r"^[0-9a-f]{64}$"
GONE = (404, 410)  # a page gone: none of its excerpts is there any more


class CaptureQuerySet(models.QuerySet):
    def answered(self) -> CaptureQuerySet:
        """Captures of a page that answered (any status), not failed fetches."""
        return self.filter(status__isnull=False)

    def with_text(self) -> CaptureQuerySet:
        return self.filter(status__gte=200, status__lt=300)

    def of_the_document(self) -> CaptureQuerySet:
        """Captures with the source's own main text: not of a different document."""
        return self.with_text().exclude(text="").filter(replaced=False)

    def checkable(self) -> CaptureQuerySet:
        """Captures that say something of the excerpts: a page with a main text, or gone
        (404, 410, or a different document)."""
        return self.filter(
            Q(status__gte=200, status__lt=300) & ~Q(text="") | Q(status__in=GONE) | Q(replaced=True)
        )


class Capture(models.Model):
    """One fetch of a source's page: the answer's status, headers and body (a WARC file
    named by the body's SHA-256, so that identical bodies are stored once) and its main
    text; or, when no answer came, why (``error``)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="captures")
    url = models.URLField(max_length=1000, help_text="The address fetched.")
    final_url = models.URLField(max_length=1000, blank=True, help_text="After redirects.")
    host = models.CharField(max_length=255, db_index=True)
    fetched_at = models.DateTimeField(db_index=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    warc = models.CharField("WARC file", max_length=200, blank=True)
    text = models.TextField(blank=True, help_text="The page's main text (trafilatura).")
    error = models.CharField(max_length=500, blank=True)
    replaced = models.BooleanField(
        "a different document",
        default=False,
        help_text="The address now leads to a different document: a redirect to the site's "
        "home page, or a text unlike the earlier capture's (captures/documents.py).",
    )

    objects = CaptureQuerySet.as_manager()

    class Meta:
        ordering = ["-fetched_at", "-pk"]
        get_latest_by = "fetched_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256="") | Q(sha256__regex=SHA256_PATTERN),
                name="capture_sha256_shape",
            ),
            # An answer has its body's hash and file; a failed fetch has its reason.
            models.CheckConstraint(
                condition=Q(status__isnull=False, error="") & ~Q(sha256="") & ~Q(warc="")
                | Q(status__isnull=True, sha256="", warc="") & ~Q(error=""),
                name="capture_answer_or_error",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.url} at {self.fetched_at:%Y-%m-%d %H:%M}"

    @property
    def has_text(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        """The page is gone: 404, 410, or the address leads to a different document."""
        return self.status in GONE or self.replaced

    @property
    def checkable(self) -> bool:
        """Whether the capture says something of the excerpts: a page whose main text was
        found (not a PDF, say, whose text intake cannot read), or a page gone."""
        return (self.has_text and bool(self.text)) or self.gone


class CitationCheckQuerySet(models.QuerySet):
    def drifted(self) -> CitationCheckQuerySet:
        """Checks whose excerpt left the source and that no editor dismissed."""
        return self.filter(changed_since__isnull=False, immaterial_at__isnull=True)

    def to_review(self) -> CitationCheckQuerySet:
        """The editors' queue: excerpts not in the capture, unless dismissed."""
        return self.filter(in_capture=False, immaterial_at__isnull=True)


class CitationCheck(models.Model):
    """Whether a citation's excerpt occurs in its source as last captured.

    ``in_capture`` is None before any capture with text; ``changed_since`` is the date of
    the first capture that no longer had the excerpt (or found the page gone) after one
    that had it. An editor may dismiss that change as immaterial (``immaterial_*``; each
    dismissal is kept in ``Dismissal``); a later change clears the dismissal.
    """

    citation = models.OneToOneField(
        Citation, on_delete=models.CASCADE, related_name="capture_check"
    )
    in_capture = models.BooleanField(null=True)
    checked = models.ForeignKey(
        Capture, null=True, on_delete=models.SET_NULL, related_name="+", help_text="Last checked."
    )
    found = models.ForeignKey(
        Capture,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The last capture that had the excerpt.",
    )
    # The times of those captures, so that a statement's page reads them without the texts.
    checked_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(null=True, blank=True)
    changed_since = models.DateField(null=True, blank=True)
    immaterial_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    immaterial_at = models.DateTimeField(null=True, blank=True)

    objects = CitationCheckQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(immaterial_at__isnull=True) | Q(changed_since__isnull=False),
                name="citationcheck_dismissed_a_change",
            ),
            models.CheckConstraint(
                condition=Q(immaterial_by__isnull=True) | Q(immaterial_at__isnull=False),
                name="citationcheck_dismissal_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Check of {self.citation}"

    @property
    def drift_since(self) -> datetime.date | None:
        """The date the passage left the source, unless an editor judged it immaterial."""
        return None if self.immaterial_at else self.changed_since


class Dismissal(models.Model):
    """An editor's decision that a change of a cited passage is immaterial (the history)."""

    check_of = models.ForeignKey(CitationCheck, on_delete=models.CASCADE, related_name="dismissals")
    changed_since = models.DateField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_name = models.CharField(max_length=150)
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.by_name} on {self.at:%Y-%m-%d}"
