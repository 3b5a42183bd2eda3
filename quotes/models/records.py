"""The records around statements: topics, organizations, speakers with their other names
and dated affiliations, and sources."""

from __future__ import annotations

import functools
import operator

from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Left, Length
from django_countries.fields import CountryField

from quotes import limits, rules
from quotes.dates import ReducedDateField, to_reduced_date
from quotes.models.base import (
    TimeStamped,
    TransliterationField,
    first_day_of,
    key_field,
    language_field,
    sees_everything,
    shape_check,
    tracked,
)
from quotes.validators import (
    COUNTRY_SHAPE_PATTERN,
    LANGUAGE_SHAPE_PATTERN,
    WIKIDATA_PATTERN,
    validate_wikidata_id,
)


class PublicRecordQuerySet(models.QuerySet):
    """A record around statements is public once a public statement refers to it; until then
    only editors see it, everywhere (pages, API, facets, Popolo, feeds, sitemaps)."""

    #: The lookup from the record to its public statements, e.g. ``quotes`` for a speaker.
    quote_paths: tuple[str, ...] = ()

    def public(self):
        quotes = apps.get_model("quotes", "Quote").objects.public()  # defined after these
        condition = functools.reduce(
            operator.or_, (Q(pk__in=quotes.values(path)) for path in self.quote_paths)
        )
        return self.filter(condition)

    def visible_to(self, user):
        return self if sees_everything(user) else self.public()


class TopicQuerySet(PublicRecordQuerySet):
    quote_paths = ("topics",)


class SpeakerQuerySet(PublicRecordQuerySet):
    # The speaker of a public statement, or a participant of its occasion.
    quote_paths = ("speaker", "occasion__participants__speaker")


class SourceQuerySet(PublicRecordQuerySet):
    # Cited by a public statement, or an account of its occasion.
    quote_paths = ("citations__source", "occasion__accounts__source")


class OccasionQuerySet(PublicRecordQuerySet):
    quote_paths = ("occasion",)

    def started_between(self, after=None, before=None) -> OccasionQuerySet:
        """Occasions that started from the start of ``after`` to the end of ``before``, both
        inclusive, compared by the first day of ``start`` as quotes' ``said`` is."""
        qs = self
        if after:
            qs = qs.filter(start_day__gte=to_reduced_date(after).start)
        if before:
            qs = qs.filter(start_day__lte=to_reduced_date(before).end)
        return qs


class OrganizationQuerySet(PublicRecordQuerySet):
    # Through the affiliations of public speakers (which include the roles of public quotes),
    # the organizations participants represented at the occasions of public statements, and
    # the parties of those occasions' accounts.
    quote_paths = (
        "speaker__affiliations__organization",
        "occasion__participants__speaker__affiliations__organization",
        "occasion__participants__organization",
        "occasion__accounts__organization",
    )


class Topic(TimeStamped):
    key = key_field()
    name = models.CharField(max_length=200)

    objects = TopicQuerySet.as_manager()

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

    objects = OrganizationQuerySet.as_manager()

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


@tracked(exclude=["name_latin"])  # derived from the name
class Speaker(TimeStamped):
    key = key_field()
    name = models.CharField(max_length=300, help_text="The name most readers know.")
    name_latin = TransliterationField(source="name")
    country = CountryField(blank=True)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(limits.DESCRIPTION)])
    wikidata = models.CharField(
        "Wikidata id", max_length=20, blank=True, validators=[validate_wikidata_id]
    )

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [("merge_speaker", "Can merge two speakers")]
        constraints = [
            shape_check("country", COUNTRY_SHAPE_PATTERN, blank=True),
            shape_check("wikidata", WIKIDATA_PATTERN, blank=True),
        ]

    def __str__(self) -> str:
        return self.name


@tracked(exclude=["name_latin"])  # derived from the name
class SpeakerName(models.Model):
    """Another name of a speaker: native script, transliteration or alias."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=300)
    name_latin = TransliterationField(source="name")
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

    objects = SourceQuerySet.as_manager()

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
        if self._state.adding:
            return
        cited = self.citations.exclude(excerpt="").values_list("quote__key", "excerpt")
        problem = rules.full_text_problem(self.full_text, cited)
        if problem:
            raise ValidationError({"full_text": problem})


@tracked()
class Occasion(TimeStamped):
    """An occasion on which statements are made (Popolo's Event): a call, a meeting, a
    summit, a press conference, a session of a body…"""

    class Kind(models.TextChoices):
        CALL = "call"
        MEETING = "meeting"
        VISIT = "visit"
        SUMMIT = "summit"
        CONFERENCE = "conference"
        PRESS_CONFERENCE = "press_conference", "Press conference"
        SPEECH = "speech"
        INTERVIEW = "interview"
        SESSION = "session", "Session of a body"
        STATEMENT = "statement"

    key = key_field()
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    start = ReducedDateField(null=True, blank=True)
    start_day = models.GeneratedField(
        expression=first_day_of("start"),
        output_field=models.DateField(),
        db_persist=True,
        db_index=True,
        verbose_name="start (first day)",
    )
    end = ReducedDateField(null=True, blank=True, help_text="Leave empty for a one-day occasion.")
    place = models.CharField(max_length=300, blank=True, help_text="A city, a building…")
    country = CountryField(blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="The occasion this one was part of: the summit of a bilateral meeting.",
    )

    objects = OccasionQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "name"]
        permissions = [("merge_occasion", "Can merge two occasions")]
        constraints = [
            shape_check("country", COUNTRY_SHAPE_PATTERN, blank=True),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="occasion_not_own_parent"
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True)
                | Q(end__isnull=True)
                | Q(end__gte=Left("start", Length("end"))),
                name="occasion_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=False),
                name="occasion_end_needs_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start})" if self.start else self.name


@tracked()
class OccasionParticipant(models.Model):
    """A speaker taking part in an occasion, for an organization or a country."""

    occasion = models.ForeignKey(Occasion, on_delete=models.CASCADE, related_name="participants")
    speaker = models.ForeignKey(
        Speaker, on_delete=models.PROTECT, related_name="occasion_participations"
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="occasion_participations",
        help_text="The organization the speaker represented there.",
    )
    country = CountryField(blank=True, help_text="The country the speaker represented there.")

    class Meta:
        ordering = ["occasion", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["occasion", "speaker"], name="occasionparticipant_unique"
            ),
            shape_check("country", COUNTRY_SHAPE_PATTERN, blank=True),
        ]

    def __str__(self) -> str:
        party = self.organization.name if self.organization_id else str(self.country.name or "")
        return f"{self.speaker}, {party}" if party else str(self.speaker)


@tracked()
class OccasionAccount(TimeStamped):
    """A source marked as one party's account of an occasion: its official readout, a
    transcript, a joint statement or a press report."""

    class Kind(models.TextChoices):
        READOUT = "readout", "Official readout"
        TRANSCRIPT = "transcript"
        JOINT_STATEMENT = "joint_statement", "Joint statement"
        PRESS_REPORT = "press_report", "Press report"

    occasion = models.ForeignKey(Occasion, on_delete=models.CASCADE, related_name="accounts")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.READOUT)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="occasion_accounts",
        help_text="The party whose account it is: an organization…",
    )
    country = CountryField(blank=True, help_text="…or a country.")

    class Meta:
        ordering = ["occasion", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["occasion", "source"], name="occasionaccount_unique"),
            models.CheckConstraint(
                condition=Q(organization__isnull=False) | ~Q(country=""),
                name="occasionaccount_has_party",
            ),
            shape_check("country", COUNTRY_SHAPE_PATTERN, blank=True),
        ]

    def __str__(self) -> str:
        return f"{self.party}: {self.source.title}"

    @property
    def party(self) -> str:
        return self.organization.name if self.organization_id else str(self.country.name)
