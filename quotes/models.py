"""OnRecord's domain: who said what, in which role, when, and where it was reported."""

from __future__ import annotations

import functools
import operator

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Cast, Coalesce, Left, Length, NullIf, Substr
from django.db.models.lookups import Regex
from django_countries.fields import CountryField

from quotes import limits, rules
from quotes.dates import ReducedDate, ReducedDateField, to_reduced_date
from quotes.excerpts import excerpt_occurs
from quotes.permissions import may
from quotes.validators import (
    COUNTRY_SHAPE_PATTERN,
    LANGUAGE_SHAPE_PATTERN,
    WIKIDATA_PATTERN,
    validate_key,
    validate_language_tag,
    validate_wikidata_id,
)

KEY_LENGTH = 200


def key_field(**kwargs) -> models.SlugField:
    return models.SlugField(
        max_length=KEY_LENGTH,
        unique=True,
        validators=[validate_key],
        help_text="Stable external key, used in URLs and in the interchange format.",
        **kwargs,
    )


def user_field() -> models.ForeignKey:
    """Who did something to a record; kept (as empty) when the account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )


def language_field(**kwargs) -> models.CharField:
    return models.CharField(
        max_length=35,
        validators=[validate_language_tag],
        help_text="BCP 47 language tag: en, zh, ru, pt-BR…",
        **kwargs,
    )


def shape_check(field: str, pattern: str, *, blank: bool = False) -> models.CheckConstraint:
    # A lookup expression on a cast, because CountryField redefines ``__regex`` to match names.
    condition = Q(Regex(Cast(field, models.CharField()), pattern))
    if blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=f"%(class)s_{field}_shape")


def tracked(**options):
    """Record every insert, update and delete with database triggers (see docs/curation.md)."""
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **options
    )


def first_day_of(field: str) -> models.Func:
    """SQL for the first day of a reduced date; immutable, so generated columns may use it."""

    def part(start: int) -> Coalesce:
        return Coalesce(Cast(NullIf(Substr(field, start, 2), Value("")), models.IntegerField()), 1)

    return models.Func(
        Cast(Substr(field, 1, 4), models.IntegerField()),
        part(6),
        part(9),
        function="make_date",
        output_field=models.DateField(),
    )


def passages_of(field: str) -> models.Func:
    """SQL for the passages of a text (``onrecord_passages``, migration 0012): hashes of its
    runs of three consecutive words, which the similar-text check looks up by index
    (quotes/similarity.py). Immutable, so generated columns may use it."""
    return models.Func(
        models.F(field),
        function="onrecord_passages",
        output_field=ArrayField(models.IntegerField()),
    )


def passages_field() -> models.GeneratedField:
    return models.GeneratedField(
        expression=passages_of("text"),
        output_field=ArrayField(models.IntegerField()),
        db_persist=True,
        editable=False,
    )


class TimeStamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Topic(TimeStamped):
    key = key_field()
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@tracked()
class Organization(TimeStamped):
    class Kind(models.TextChoices):
        GOVERNMENT = "government"
        MINISTRY = "ministry"
        HEAD_OF_STATE_OFFICE = "head_of_state_office", "Head of state office"
        INTERGOVERNMENTAL = "intergovernmental"
        PARTY = "party"
        MILITARY = "military"
        ACADEMIC = "academic"
        MEDIA = "media"
        NGO = "ngo", "NGO"
        OTHER = "other"

    key = key_field()
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    country = CountryField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    aliases = ArrayField(models.CharField(max_length=300), default=list, blank=True)
    wikidata = models.CharField(
        "Wikidata id", max_length=20, blank=True, validators=[validate_wikidata_id]
    )
    url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            shape_check("country", COUNTRY_SHAPE_PATTERN, blank=True),
            shape_check("wikidata", WIKIDATA_PATTERN, blank=True),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="organization_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})" if self.country else self.name


@tracked()
class Speaker(TimeStamped):
    key = key_field()
    name = models.CharField(max_length=300, help_text="The name most readers know.")
    country = CountryField(blank=True)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(limits.DESCRIPTION)])
    wikidata = models.CharField(
        "Wikidata id", max_length=20, blank=True, validators=[validate_wikidata_id]
    )

    class Meta:
        ordering = ["name"]
        permissions = [("merge_speaker", "Can merge two speakers")]
        constraints = [
            shape_check("country", COUNTRY_SHAPE_PATTERN, blank=True),
            shape_check("wikidata", WIKIDATA_PATTERN, blank=True),
        ]

    def __str__(self) -> str:
        return self.name


@tracked()
class SpeakerName(models.Model):
    """Another name of a speaker: native script, transliteration or alias."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=300)
    language = language_field(blank=True)

    class Meta:
        ordering = ["speaker", "language", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["speaker", "name", "language"], name="speakername_unique"
            ),
            shape_check("language", LANGUAGE_SHAPE_PATTERN, blank=True),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})" if self.language else self.name


@tracked()
class Affiliation(TimeStamped):
    """A role a speaker held in an organization, from ``start`` to ``end`` (empty: current)."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="affiliations")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="affiliations"
    )
    role = models.CharField(
        max_length=300, help_text="Role title, e.g. Minister of Foreign Affairs"
    )
    start = ReducedDateField(null=True, blank=True)
    end = ReducedDateField(null=True, blank=True, help_text="Leave empty while the role is held.")

    class Meta:
        ordering = ["speaker", "start"]
        constraints = [
            # Compared at the coarser of the two precisions: "1993" may end a role that
            # started in "1993-05", but "1993-04" may not.
            models.CheckConstraint(
                condition=Q(start__isnull=True)
                | Q(end__isnull=True)
                | Q(end__gte=Left("start", Length("end"))),
                name="affiliation_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        span = f"{self.start or '…'} – {self.end or 'present'}"
        return f"{self.speaker}: {self.role}, {self.organization.name} ({span})"


@tracked()
class Source(TimeStamped):
    class Kind(models.TextChoices):
        NEWS_ARTICLE = "news_article"
        TRANSCRIPT = "transcript"
        PRESS_RELEASE = "press_release"
        OFFICIAL_STATEMENT = "official_statement"
        SOCIAL_MEDIA = "social_media"
        VIDEO = "video"
        OTHER = "other"

    key = key_field()
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.NEWS_ARTICLE)
    title = models.CharField(max_length=500)
    url = models.URLField(max_length=1000, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    published = ReducedDateField(null=True, blank=True)
    language = language_field(blank=True)
    author = models.CharField(max_length=300, blank=True)
    archive_url = models.URLField("archive URL", max_length=1000, blank=True)
    full_text = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(limits.SOURCE_FULL_TEXT)],
        help_text="The source's full text; citations' excerpts are checked against it.",
    )

    class Meta:
        ordering = ["-published", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"], condition=~Q(url=""), name="source_url_unique_when_set"
            ),
            shape_check("language", LANGUAGE_SHAPE_PATTERN, blank=True),
        ]

    def __str__(self) -> str:
        parts = [self.title]
        if self.publisher:
            parts.append(self.publisher)
        if self.published:
            parts.append(str(self.published))
        return ", ".join(parts)

    def clean(self) -> None:
        super().clean()
        if not self.full_text or self._state.adding:
            return
        missing = [
            citation
            for citation in self.citations.exclude(excerpt="").select_related("quote")
            if not excerpt_occurs(citation.excerpt, self.full_text)
        ]
        if missing:
            keys = ", ".join(citation.quote.key for citation in missing)
            raise ValidationError(
                {
                    "full_text": f"The excerpts cited by {len(missing)} quote(s) ({keys}) do not "
                    "occur in this text. Correct the text or those excerpts first."
                }
            )


class QuoteQuerySet(models.QuerySet):
    def published(self) -> QuoteQuerySet:
        return self.filter(status=Quote.Status.PUBLISHED)

    def visible_to(self, user) -> QuoteQuerySet:
        """Everything for editors; published (and retracted, on request) for everyone else."""
        if user is not None and user.is_authenticated and may(user, "view"):
            return self
        return self.filter(status__in=[Quote.Status.PUBLISHED, Quote.Status.RETRACTED])

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
        help_text="The occasion: a press conference, a call…",
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
                func="NEW.verified_by_id := NULL; NEW.verified_at := NULL; RETURN NEW;",
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


# The records whose old keys redirect, each by a foreign key of KeyRedirect.
TARGETS = ("quote", "speaker", "organization", "source")


class KeyRedirect(models.Model):
    """An old key of a record (merged into another, or renamed), so that old links reach it."""

    class Kind(models.TextChoices):
        QUOTE = "quote"
        SPEAKER = "speaker"
        ORGANIZATION = "organization"
        SOURCE = "source"

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
