"""What lineage stores: each text's embedding, how far the embedder has read the outbox,
and reviewers' decisions on pairs of statements."""

from __future__ import annotations

import numpy as np
from django.db import models
from django.db.models import F, Q

from quotes.meaning import DIMENSIONS
from quotes.models import Quote
from quotes.models.base import tracked, user_field


class EmbeddingQuerySet(models.QuerySet):
    def current(self) -> EmbeddingQuerySet:
        """Rows with a vector (a text removed since keeps its row, emptied, so that every
        index replica hears of the removal)."""
        return self.exclude(vector=None)

    def changed_after(self, version: int) -> EmbeddingQuerySet:
        return self.filter(version__gt=version).order_by("version")


class Embedding(models.Model):
    """The embedding of one text of a quote: its own words (``translation`` empty) or one
    translation. ``digest`` is the text's SHA-256: an unchanged text is not embedded again.
    ``version`` grows with every write, so that an index replica catches up by reading the
    rows of a greater version."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="embeddings")
    translation_id = models.BigIntegerField(null=True, blank=True)
    language = models.CharField(max_length=35)
    digest = models.CharField(max_length=64)
    vector = models.BinaryField(null=True)
    version = models.BigIntegerField(db_index=True)

    objects = EmbeddingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "quote", "translation_id", name="embedding_one_per_text", nulls_distinct=False
            ),
            models.CheckConstraint(
                condition=Q(vector__isnull=True) | Q(digest__regex=r"^[0-9a-f]{64}$"),
                name="embedding_digest_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"embedding of {self.quote_id}/{self.translation_id or 'text'}"

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float32).reshape(DIMENSIONS)


class Progress(models.Model):
    """How far the embedder has read the search outbox (one row)."""

    position = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"outbox position {self.position}"


class DecisionQuerySet(models.QuerySet):
    def of_pair(self, one: int, other: int) -> DecisionQuerySet:
        low, high = sorted((one, other))
        return self.filter(first_id=low, second_id=high)

    def involving(self, quote_id: int) -> DecisionQuerySet:
        return self.filter(Q(first_id=quote_id) | Q(second_id=quote_id))

    def confirmed(self) -> DecisionQuerySet:
        return self.filter(verdict="confirmed")

    def dismissed_among(self, quote_ids: set[int]) -> list[tuple[int, int]]:
        """The dismissed pairs with one of these quotes, as (first id, second id)."""
        return list(
            self.filter(verdict="dismissed")
            .filter(Q(first_id__in=quote_ids) | Q(second_id__in=quote_ids))
            .values_list("first_id", "second_id")
        )


@tracked()
class Decision(models.Model):
    """A reviewer's decision on two statements found to carry the same claim: confirmed
    (they do: a repetition, a translation, or the same words under two names) or dismissed
    (they do not: the pair is never raised again). One row a pair, the lower id first."""

    class Verdict(models.TextChoices):
        CONFIRMED = "confirmed", "confirmed"
        DISMISSED = "dismissed", "dismissed"

    first = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lineage_as_first")
    second = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lineage_as_second")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    note = models.TextField(blank=True, max_length=2000)
    decided_by = user_field()
    decided_by_name = models.CharField(
        max_length=150,
        blank=True,
        editable=False,
        help_text="The reviewer's user name when this database has no such user (a "
        "decision imported from another database keeps who made it).",
    )
    decided_at = models.DateTimeField()

    objects = DecisionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint("first", "second", name="decision_one_per_pair"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="decision_ordered"),
            models.CheckConstraint(
                condition=Q(verdict__in=["confirmed", "dismissed"]), name="decision_verdict"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id}: {self.verdict}"

    @property
    def reviewer_name(self) -> str | None:
        """Who decided: the user's name, or the name kept from another database."""
        if self.decided_by_id is not None:
            return self.decided_by.username
        return self.decided_by_name or None


class Alignment(models.Model):
    """The passages of an occasion's accounts aligned by meaning (lineage/alignment.py),
    computed when its accounts or their texts change (``fingerprint``), never per request."""

    occasion = models.OneToOneField(
        "quotes.Occasion", on_delete=models.CASCADE, related_name="alignment"
    )
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField()
    accounts = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"alignment of {self.occasion_id}"
