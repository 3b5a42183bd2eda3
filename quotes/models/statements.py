"""Statements: quotes with their topics, translations and citations."""

from __future__ import annotations

import uuid

import pghistory
import pgtrigger
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from quotes import limits, rules
from quotes.dates import ReducedDate, ReducedDateField, to_reduced_date
from quotes.models.base import (
    PUBLIC_STATUSES,
    TimeStamped,
    first_day_of,
    key_field,
    language_field,
    passages_field,
    sees_everything,
    shape_check,
    tracked,
    user_field,
)
from quotes.models.records import Affiliation, Occasion, Source, Speaker, Topic
from quotes.validators import (
    LANGUAGE_SHAPE_PATTERN,
)

QUOTE_PUBLIC_DATES_SQL = """
    IF NEW.status IN ('published', 'retracted') AND NEW.published_at IS NULL THEN
        NEW.published_at := clock_timestamp();
    END IF;
    IF NEW.status = 'retracted' AND NEW.retracted_at IS NULL THEN
        NEW.retracted_at := clock_timestamp();
    ELSIF NEW.status <> 'retracted' THEN
        NEW.retracted_at := NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.corrections <> '[]'::jsonb AND NEW.corrected_at IS NULL THEN
            NEW.corrected_at := clock_timestamp();
        END IF;
    ELSIF NEW.corrections IS DISTINCT FROM OLD.corrections
          AND NEW.corrected_at IS NOT DISTINCT FROM OLD.corrected_at THEN
        NEW.corrected_at := clock_timestamp();
    END IF;
    RETURN NEW;
"""


class QuoteQuerySet(models.QuerySet):
    def published(self) -> QuoteQuerySet:
        return self.filter(status=Quote.Status.PUBLISHED)

    def public(self) -> QuoteQuerySet:
        """What readers may see: published statements, and retracted ones with the reason."""
        return self.filter(status__in=PUBLIC_STATUSES)

    def visible_to(self, user) -> QuoteQuerySet:
        """Everything for editors; the public statements for everyone else."""
        return self if sees_everything(user) else self.public()

    def with_public_parts(self) -> QuoteQuerySet:
        """Everything ``quotes.public.statement`` reads, in a fixed number of queries."""
        return (
            self.select_related("speaker", "role__organization", "occasion")
            .prefetch_related(
                "topics",
                models.Prefetch("translations", Translation.objects.order_by("language", "pk")),
                models.Prefetch(
                    "citations",
                    Citation.objects.select_related("source", "capture_check").order_by("pk"),
                ),
            )
            .with_attributions()
        )

    def with_attributions(self) -> QuoteQuerySet:
        """The pairs a reviewer confirmed as the same claim (lineage/), with the other
        statement and its speaker: ``quotes.public`` tells who else it is attributed to."""
        from lineage.models import Decision  # lineage's models build on these

        def confirmed(other: str) -> models.QuerySet:
            # Only what quotes.public shows of the other statement: a page's worth of
            # quotes with every column would cost more than the query.
            shown = ["key", "said", "said_start", "status", "speaker__key", "speaker__name"]
            shown += ["speaker__wikidata", "speaker__country"]
            return (
                Decision.objects.confirmed()
                .select_related(f"{other}__speaker")
                .only("first", "second", *(f"{other}__{name}" for name in shown))
            )

        return self.prefetch_related(
            models.Prefetch("lineage_as_first", confirmed("second"), to_attr="confirmed_as_first"),
            models.Prefetch("lineage_as_second", confirmed("first"), to_attr="confirmed_as_second"),
        )

    def said_between(
        self, after: ReducedDate | str | None = None, before: ReducedDate | str | None = None
    ) -> QuoteQuerySet:
        """Quotes said from the start of ``after`` to the end of ``before``, both inclusive.

        A quote dated "2023" counts as said on the first day of 2023 for this comparison.
        """
        qs = self
        if after:
            qs = qs.filter(said_start__gte=to_reduced_date(after).start)
        if before:
            qs = qs.filter(said_start__lte=to_reduced_date(before).end)
        return qs


@tracked(exclude=["passages"])
class Quote(TimeStamped):
    class Kind(models.TextChoices):
        DIRECT = "direct", "Direct (verbatim)"
        PARTIAL = "partial", "Partial (paraphrase with quoted fragments)"
        INDIRECT = "indirect", "Indirect (reported speech)"

    class Status(models.TextChoices):
        DRAFT = "draft"
        REVIEW = "review"
        PUBLISHED = "published"
        RETRACTED = "retracted"

    class RoleResolution(models.TextChoices):
        EXPLICIT = "explicit", "Chosen by an editor"
        RESOLVED = "resolved", "Resolved from the speaker's affiliations"
        AMBIGUOUS = "ambiguous", "Ambiguous: an editor must choose"
        NONE = "none", "No affiliation covers the date"

    key = key_field(blank=True)
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="quotes")
    text = models.TextField(
        validators=[MaxLengthValidator(limits.QUOTE_TEXT)],
        help_text="The statement as said, in its original language.",
    )
    language = language_field()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DIRECT)
    said = ReducedDateField(null=True, blank=True)
    said_start = models.GeneratedField(
        expression=first_day_of("said"),
        output_field=models.DateField(),
        db_persist=True,
        db_index=True,
        verbose_name="said (first day)",
    )
    passages = passages_field()
    context = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(limits.CONTEXT)],
        help_text="What the occasion does not say: the circumstances, the question asked…",
    )
    occasion = models.ForeignKey(
        Occasion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
        help_text="The call, meeting, press conference… at which it was said.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="quotes")
    role = models.ForeignKey(
        Affiliation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
        help_text="The role held when speaking. Leave empty to resolve it from the speaker's "
        "affiliations.",
    )
    role_resolution = models.CharField(
        max_length=10, choices=RoleResolution.choices, default=RoleResolution.NONE
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    retraction_reason = models.TextField(
        blank=True, validators=[MaxLengthValidator(limits.RETRACTION_REASON)]
    )
    corrections = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Public corrections of the published quote, oldest first: "
        '[{"date": "2024-01-31", "note": "…"}] (services.quote_write adds them).',
    )
    uid = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        verbose_name="permanent identifier",
        help_text="Never changes, whatever becomes of the key: feed entry ids and exports use it.",
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the statement was first published (set by the database, never moved).",
    )
    corrected_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a public correction was last added (set by the database).",
    )
    retracted_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the statement was retracted (set by the database).",
    )
    created_by = user_field()
    updated_by = user_field()

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["-said", "key"]
        permissions = [
            ("publish_quote", "Can publish a quote under review"),
            ("retract_quote", "Can retract a published quote"),
            ("merge_quote", "Can merge two quotes"),
        ]
        indexes = [
            # The similar-text check finds quotes said around a date (quotes/similarity.py);
            # dates of month or year precision span back from their first day.
            models.Index(
                fields=["said_start"],
                condition=Q(said__regex=r"^[0-9]{4}-[0-9]{2}$"),
                name="quote_said_month_start",
            ),
            models.Index(
                fields=["said_start"],
                condition=Q(said__regex=r"^[0-9]{4}$"),
                name="quote_said_year_start",
            ),
            # ...whose texts share a passage with the new text (quotes/similarity.py).
            GinIndex(fields=["passages"], name="quote_passages"),
        ]
        constraints = [
            shape_check("language", LANGUAGE_SHAPE_PATTERN),
            models.CheckConstraint(condition=~Q(text=""), name="quote_text_not_empty"),
            models.CheckConstraint(condition=~Q(key=""), name="quote_key_not_empty"),
            models.CheckConstraint(
                condition=~Q(status="retracted") | ~Q(retraction_reason=""),
                name="quote_retraction_has_reason",
            ),
        ]
        triggers = [
            # The public dates of a statement, kept by the database so that every path that
            # writes (services, the bulk importer, a queryset update) keeps them the same way:
            # the first publication never moves; a retraction and a new correction are dated
            # when they happen, unless the writer brings the date (an import of an export).
            pgtrigger.Trigger(
                name="quote_public_dates",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.Before,
                func=QUOTE_PUBLIC_DATES_SQL,
            ),
        ]

    def __str__(self) -> str:
        text = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        return f"{self.speaker.name}, {self.said or 'undated'}: “{text}”"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.DeleteEvent(),
    obj_field=None,
    model_name="QuoteTopicEvent",
)
class QuoteTopic(Quote.topics.through):
    """A quote's topic, as a proxy of the plain many-to-many table so that its changes are
    recorded like every other field of the quote."""

    class Meta:
        proxy = True


@tracked(exclude=["passages"])
class Translation(TimeStamped):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="translations")
    language = language_field()
    text = models.TextField(validators=[MaxLengthValidator(limits.TRANSLATION_TEXT)])
    passages = passages_field()
    official = models.BooleanField(
        default=False, help_text="Published by the speaker's own office, not by OnRecord."
    )

    class Meta:
        ordering = ["quote", "language"]
        indexes = [GinIndex(fields=["passages"], name="translation_passages")]
        constraints = [
            models.UniqueConstraint(fields=["quote", "language"], name="translation_unique"),
            shape_check("language", LANGUAGE_SHAPE_PATTERN),
            models.CheckConstraint(condition=~Q(text=""), name="translation_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.language}{' (official)' if self.official else ''}"


@tracked()
class Citation(TimeStamped):
    """A source reporting a quote, with the excerpt exactly as the source has it."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    excerpt = models.TextField(blank=True, validators=[MaxLengthValidator(limits.EXCERPT)])
    verified_by = user_field()
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    verified_by_name = models.CharField(
        max_length=150,
        blank=True,
        editable=False,
        help_text="The verifier's user name when this database has no such user (a "
        "verification imported from another database keeps who made it).",
    )

    class Meta:
        ordering = ["quote", "pk"]
        permissions = [("verify_citation", "Can mark a citation verified against its source")]
        constraints = [
            models.UniqueConstraint(fields=["quote", "source"], name="citation_unique"),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True, verified_at__isnull=True)
                | Q(verified_at__isnull=False),
                name="citation_verified_has_time",
            ),
        ]
        triggers = [
            # A verification vouches for one excerpt in one source: whatever changes either
            # (the admin, the API, an import, a queryset update) withdraws it.
            pgtrigger.Trigger(
                name="citation_unverify_on_change",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                condition=(
                    pgtrigger.Q(old__excerpt__df=pgtrigger.F("new__excerpt"))
                    | pgtrigger.Q(old__source_id__df=pgtrigger.F("new__source_id"))
                )
                & pgtrigger.Q(old__verified_at__ndf=pgtrigger.F("new__verified_at")),
                func="NEW.verified_by_id := NULL; NEW.verified_at := NULL; "
                "NEW.verified_by_name := ''; RETURN NEW;",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.title}"

    def clean(self) -> None:
        super().clean()
        source = self.source if self.source_id else None
        problem = source and rules.excerpt_problem(self.excerpt, source.full_text, str(source))
        if problem:
            raise ValidationError({"excerpt": problem})

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def verifier_name(self) -> str | None:
        """Who verified it: the user's name, or the name kept from another database."""
        if self.verified_by_id is not None:
            return self.verified_by.username
        return self.verified_by_name or None


# The records whose old keys redirect, each by a foreign key of KeyRedirect.
