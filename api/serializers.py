"""Representations of the API's records, and validation of what editors write."""

from __future__ import annotations

import abc
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django_countries import countries
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from captures.models import Capture
from quotes import limits, public, services
from quotes.dates import ReducedDate
from quotes.models import (
    Affiliation,
    Citation,
    Occasion,
    OccasionAccount,
    OccasionParticipant,
    Organization,
    Quote,
    QuoteRevision,
    Source,
    Speaker,
    SpeakerName,
    Topic,
    Translation,
)
from quotes.roles import resolve_role
from quotes.validators import KEY_PATTERN, validate_key

KEY_SHAPE = re.compile(KEY_PATTERN)


class StrictCharField(serializers.CharField):
    """Text, and only text: a JSON number or boolean where a string belongs is a 400, as the
    schema says (DRF's CharField would take 0 for "0")."""

    default_error_messages = {"not_a_string": "Send a string, not {type}."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string", type=type(data).__name__)
        return super().to_internal_value(data)


class KeyField(StrictCharField):
    """A key; unlike DRF's SlugField it may contain dots, as the model's validators allow."""

    def __init__(self, **kwargs):
        kwargs.pop("allow_unicode", None)
        super().__init__(**kwargs)


class BaseModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: KeyField,
    }


class WholeItem:
    """A serializer mixin for the items of a nested list (a quote's translations, a
    speaker's names…): each item is given whole, in a PATCH too. A PATCH replaces the list,
    so an item without its required fields is a 400, where DRF, partial all the way down,
    would let it through without them."""

    def to_internal_value(self, data):
        if isinstance(data, dict) and getattr(self.root, "partial", False):
            missing = {
                name: [serializers.ErrorDetail("This field is required.", code="required")]
                for name, field in self.fields.items()
                if field.required and not field.read_only and name not in data
            }
            if missing:
                raise serializers.ValidationError(missing)
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "nullable": True, "example": "2023-10-14"})
class ReducedDateField(serializers.Field):
    """A date of year, month or day precision, kept as written: "1962" stays "1962"."""

    def to_representation(self, value) -> str:
        return str(value)

    def to_internal_value(self, data) -> ReducedDate | None:
        if data in ("", None):
            return None
        if not isinstance(data, str):
            kind = type(data).__name__
            raise serializers.ValidationError(f"Send the date as a string, not {kind}.")
        try:
            return ReducedDate.parse(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


@extend_schema_field({"type": "string", "example": "CN"})
class CountryCodeField(StrictCharField):
    """An ISO 3166-1 alpha-2 code; "" when unknown."""

    def to_representation(self, value) -> str:
        return getattr(value, "code", None) or ""

    def to_internal_value(self, data) -> str:
        code = super().to_internal_value(data).upper()
        if code and code not in countries:
            raise serializers.ValidationError(f'"{code}" is not an ISO 3166-1 alpha-2 code.')
        return code


class KeyRelatedField(serializers.SlugRelatedField):
    """Another record, written and shown by its key.

    A value that cannot be a key (a NUL byte, a space, a number) is refused before the
    database is asked, which could not compare it."""

    default_error_messages = {
        "invalid_key": "A key may contain only letters, digits, hyphens, underscores and dots.",
        "blank_key": "A key may not be empty: send null for none.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "key")
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        # DRF's related fields take "" for null; the schema says a key has a character at
        # least, so "" is refused as it documents.
        if data == "":
            self.fail("blank_key")
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not KEY_SHAPE.fullmatch(data) or len(data) > 200:
            self.fail("invalid_key")
        return super().to_internal_value(data)


# Read-only summaries embedded in other records.


class OrganizationSummarySerializer(BaseModelSerializer):
    country = CountryCodeField(read_only=True)

    class Meta:
        model = Organization
        fields = ["key", "name", "country"]


class SpeakerSummarySerializer(BaseModelSerializer):
    class Meta:
        model = Speaker
        fields = ["key", "name"]


class SourceSummarySerializer(BaseModelSerializer):
    published = ReducedDateField(read_only=True)

    class Meta:
        model = Source
        fields = ["key", "title", "publisher", "url", "published", "archive_url"]


class OccasionSummarySerializer(BaseModelSerializer):
    class Meta:
        model = Occasion
        fields = ["key", "name", "kind"]


class TopicSummarySerializer(BaseModelSerializer):
    class Meta:
        model = Topic
        fields = ["key", "name"]


class RoleSerializer(BaseModelSerializer):
    """An affiliation: the role a speaker held in an organization, from start to end."""

    organization = OrganizationSummarySerializer(read_only=True)
    title = StrictCharField(source="role", read_only=True)
    start = ReducedDateField(read_only=True)
    end = ReducedDateField(read_only=True)

    class Meta:
        model = Affiliation
        fields = ["organization", "title", "start", "end"]


class TranslationSerializer(WholeItem, BaseModelSerializer):
    class Meta:
        model = Translation
        fields = ["language", "text", "official"]
        # Uniqueness per quote is checked when the quote is saved.
        validators: list = []


class CitationSerializer(BaseModelSerializer):
    source = SourceSummarySerializer(read_only=True)
    verified = serializers.BooleanField(
        source="is_verified",
        read_only=True,
        help_text="Whether a reviewer checked the excerpt against the source.",
    )
    verified_by = serializers.CharField(
        source="verifier_name",
        read_only=True,
        allow_null=True,
        help_text="The reviewer who checked it (their user name, also when the "
        "verification was imported from another database); null until one did.",
    )
    verified_at = serializers.DateTimeField(read_only=True, allow_null=True)
    in_capture = serializers.BooleanField(
        source="capture_check.in_capture",
        read_only=True,
        allow_null=True,
        help_text="Whether the excerpt occurs in the source's page as last captured (spaces, "
        "quote marks and dashes aside); null before any capture of it.",
    )
    changed_since = serializers.DateField(
        source="capture_check.drift_since",
        read_only=True,
        allow_null=True,
        help_text="The date of the capture from which the source no longer had the excerpt "
        "(or the page was gone); null when it has it, or an editor judged the change "
        "immaterial.",
    )

    class Meta:
        model = Citation
        fields = [
            "source",
            "excerpt",
            "verified",
            "verified_by",
            "verified_at",
            "in_capture",
            "changed_since",
        ]


# Quotes.


class CorrectionSerializer(serializers.Serializer):
    """A ``quotes.public.PublicCorrection``."""

    date = serializers.DateField(help_text="When the correction was made.")
    note = StrictCharField(help_text="What was corrected and why.")


class PublicTranslationSerializer(serializers.Serializer):
    """A ``quotes.public.PublicTranslation``: never the speaker's words, always labelled."""

    language = StrictCharField()
    text = StrictCharField()
    official = serializers.BooleanField(
        help_text="Published by the speaker's office; false: OnRecord's own translation."
    )
    label = StrictCharField(
        help_text=f'How to name it: "{public.OFFICIAL_LABEL}" or "{public.OWN_LABEL}".'
    )


class PublicStatementField(abc.ABC, serializers.Field):
    """Base of the fields a quote's public representation gives (``quotes.public``), read
    from ``quote.public_statement``, which ``QuoteSerializer`` sets once per quote."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, quote: Quote):
        return self.represent(quote.public_statement)

    @abc.abstractmethod
    def represent(self, statement: public.PublicStatement):
        """The field's value, from the statement's public representation."""


@extend_schema_field({"type": "string", "format": "uuid"})
class UidField(PublicStatementField):
    def represent(self, statement: public.PublicStatement) -> str:
        return str(statement.uid)


@extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
class FirstPublishedField(PublicStatementField):
    def represent(self, statement: public.PublicStatement) -> str | None:
        return _datetime(statement.first_published)


@extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
class RetractedAtField(PublicStatementField):
    def represent(self, statement: public.PublicStatement) -> str | None:
        return _datetime(statement.retraction.at) if statement.retraction else None


@extend_schema_field({"type": "string"})
class RetractionReasonField(PublicStatementField):
    def represent(self, statement: public.PublicStatement) -> str:
        return statement.retraction.reason if statement.retraction else ""


@extend_schema_field(PublicTranslationSerializer(many=True))
class TranslationsField(PublicStatementField):
    def represent(self, statement: public.PublicStatement) -> list:
        return PublicTranslationSerializer(statement.translations, many=True).data


@extend_schema_field(CorrectionSerializer(many=True))
class CorrectionsField(PublicStatementField):
    def represent(self, statement: public.PublicStatement) -> list:
        return CorrectionSerializer(statement.corrections, many=True).data


AttributionSerializer = inline_serializer(
    "Attribution",
    {
        "key": serializers.CharField(),
        "speaker": inline_serializer(
            "AttributionSpeaker",
            {"key": serializers.CharField(), "name": serializers.CharField()},
        ),
        "said": serializers.CharField(allow_null=True),
    },
    many=True,
)


@extend_schema_field(AttributionSerializer)
class AlsoAttributedToField(PublicStatementField):
    def represent(self, statement: public.PublicStatement) -> list:
        return [
            {
                "key": other.key,
                "speaker": {"key": other.speaker.key, "name": other.speaker.name},
                "said": str(other.said) if other.said else None,
            }
            for other in statement.also_attributed_to
        ]


def _datetime(value) -> str | None:
    return None if value is None else serializers.DateTimeField().to_representation(value)


class QuoteSerializer(BaseModelSerializer):
    """A quote. What readers may know of it (its permanent ``uid``, first publication,
    retraction, corrections, labelled translations) is its public representation
    (``quotes.public.statement``), the same every output renders."""

    url = serializers.HyperlinkedIdentityField(view_name="api:quote-detail", lookup_field="key")
    uid = UidField(
        help_text="The permanent identifier: no key rename or merge changes it "
        "(the statement's tag: URI ends with it)."
    )
    said = ReducedDateField(read_only=True)
    speaker = SpeakerSummarySerializer(read_only=True)
    role = RoleSerializer(read_only=True, allow_null=True)
    occasion = OccasionSummarySerializer(
        read_only=True, allow_null=True, help_text="The occasion at which it was said."
    )
    topics = TopicSummarySerializer(many=True, read_only=True)
    translations = TranslationsField(
        help_text="Translations, official ones first, each labelled; never the speaker's words."
    )
    citations = CitationSerializer(many=True, read_only=True)
    highlight = serializers.SerializerMethodField(
        help_text="With q: the matching text as HTML, matches in <mark>…</mark>."
    )
    highlight_field = serializers.SerializerMethodField(
        help_text='With q: where the highlight comes from: "text", "translation" or "context".'
    )
    highlight_language = serializers.SerializerMethodField(
        help_text="With q: the language of the highlighted text."
    )
    rank = serializers.SerializerMethodField(help_text="With q: relevance, from 0 to 1.")
    published_at = FirstPublishedField(
        help_text="When the quote was first published; null until then. Never moves."
    )
    retracted_at = RetractedAtField(help_text="When the quote was retracted; null unless it is.")
    retraction_reason = RetractionReasonField(
        help_text="Why the quote was retracted, for readers; empty unless it is."
    )
    corrections = CorrectionsField(
        help_text="Public corrections of the published quote, oldest first, each with its date "
        "and note. Append-only."
    )
    also_attributed_to = AlsoAttributedToField(
        help_text="Public statements of the same claim under another speaker's name, each a "
        "link a reviewer confirmed (lineage): the words are also attributed to them."
    )

    def to_representation(self, quote: Quote) -> dict:
        quote.public_statement = public.statement(quote)
        return super().to_representation(quote)

    class Meta:
        model = Quote
        fields = [
            "key",
            "uid",
            "url",
            "text",
            "language",
            "kind",
            "said",
            "speaker",
            "role",
            "role_resolution",
            "occasion",
            "context",
            "topics",
            "translations",
            "citations",
            "status",
            "published_at",
            "retracted_at",
            "retraction_reason",
            "corrections",
            "also_attributed_to",
            "created",
            "updated",
            "highlight",
            "highlight_field",
            "highlight_language",
            "rank",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_highlight(self, quote: Quote) -> str | None:
        found = getattr(quote, "search_highlight", None)
        return found.html if found else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_highlight_field(self, quote: Quote) -> str | None:
        found = getattr(quote, "search_highlight", None)
        return found.field if found else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_highlight_language(self, quote: Quote) -> str | None:
        found = getattr(quote, "search_highlight", None)
        return found.language if found else None

    @extend_schema_field({"type": "number", "format": "float", "nullable": True})
    def get_rank(self, quote: Quote) -> float | None:
        rank = getattr(quote, "rank", None)
        return None if rank is None else round(rank, 6)


class SimilarQuoteSerializer(QuoteSerializer):
    """A possible duplicate of another quote, with how similar it is."""

    highlight = highlight_field = highlight_language = rank = None
    score = serializers.FloatField(
        source="similarity",
        read_only=True,
        help_text="How similar, from 0.3 to 1: for a match of words (pg_trgm) the better of "
        "whole-text similarity and of one text contained in the other; for a match of "
        "meaning the cosine similarity of the texts' multilingual embeddings (0.58 or more).",
    )
    relation = serializers.ChoiceField(
        choices=["same_speaker", "other_speaker"],
        read_only=True,
        help_text="same_speaker: a possible duplicate; other_speaker: the same words or "
        "meaning attributed to someone else, a possible misattribution.",
    )
    match = serializers.ChoiceField(
        choices=["text", "translation", "meaning"],
        read_only=True,
        help_text="What matched: the quote's text, one of its translations (shared words), "
        "or its meaning in any language (docs/lineage.md).",
    )

    class Meta(QuoteSerializer.Meta):
        fields = [
            *(
                name
                for name in QuoteSerializer.Meta.fields
                if name not in ("highlight", "highlight_field", "highlight_language", "rank")
            ),
            "score",
            "relation",
            "match",
        ]
        read_only_fields = fields


class RoleChoiceSerializer(WholeItem, serializers.Serializer):
    """An explicit role: one of the speaker's affiliations, named by organization and, when
    the speaker held several roles there, by title and start."""

    organization = StrictCharField(max_length=200)
    title = StrictCharField(max_length=300, required=False)
    start = ReducedDateField(required=False, allow_null=True)


class CitationWriteSerializer(WholeItem, serializers.Serializer):
    source = KeyRelatedField(queryset=Source.objects.all())
    excerpt = StrictCharField(allow_blank=True, required=False, default="")


class QuoteWriteSerializer(BaseModelSerializer):
    """What editors send to create or change a quote; the answer is a ``Quote``."""

    key = StrictCharField(
        max_length=200,
        required=False,
        allow_blank=True,
        validators=[validate_key],
        help_text="Generated from the speaker and date when left empty.",
    )
    speaker = KeyRelatedField(queryset=Speaker.objects.all())
    said = ReducedDateField(required=False, allow_null=True)
    occasion = KeyRelatedField(
        queryset=Occasion.objects.all(),
        required=False,
        allow_null=True,
        help_text="Key of the occasion at which it was said; null: none.",
    )
    topics = KeyRelatedField(queryset=Topic.objects.all(), many=True, required=False)
    translations = TranslationSerializer(many=True, required=False)
    citations = CitationWriteSerializer(many=True, required=False)
    role = RoleChoiceSerializer(
        required=False,
        allow_null=True,
        help_text="The role held when speaking; null or absent: resolved from the speaker's "
        "affiliations.",
    )
    correction_note = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=limits.NOTE,
        help_text="Reviewers: what a change of a published quote's text, language, kind, date, "
        "speaker, role, translations or citations corrects, for readers (required then).",
    )
    allow_similar = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Create the quote although similar quotes are on record (otherwise 409).",
    )

    class Meta:
        model = Quote
        fields = [
            "key",
            "speaker",
            "text",
            "language",
            "kind",
            "said",
            "occasion",
            "context",
            "topics",
            "translations",
            "citations",
            "role",
            "status",
            "retraction_reason",
            "correction_note",
            "allow_similar",
        ]
        extra_kwargs = {
            "status": {
                "help_text": "A new quote starts as draft or review. Changing it moves the "
                "quote along the workflow: draft → review and back (editors), review → "
                "published (reviewers; needs a citation with an excerpt), published → "
                "retracted (reviewers; needs retraction_reason)."
            },
            "retraction_reason": {"help_text": "Required to retract: the reason readers will see."},
        }

    def validate_translations(self, items: list[dict]) -> list[dict]:
        return _unique_items(items, "language", "translation")

    def validate_citations(self, items: list[dict]) -> list[dict]:
        return _unique_items(items, "source", "citation")

    def validate(self, attrs: dict) -> dict:
        if "role" in attrs:
            attrs["role"] = self._chosen_role(attrs)
        return attrs

    def _chosen_role(self, attrs: dict) -> Affiliation | None:
        choice = attrs["role"]
        if choice is None:
            return None
        speaker = attrs.get("speaker") or self.instance.speaker
        said = attrs["said"] if "said" in attrs else getattr(self.instance, "said", None)
        return affiliation_for(speaker, choice, said)

    def save_quote(self, quote: Quote | None, attrs: dict) -> Quote | services.QuoteUpdate:
        """Create or change the quote, then move its status along the workflow if asked.

        A change of a published quote that needs review gives a ``QuoteUpdate`` with the
        pending revision (the view answers 202).
        """
        user = self.context["request"].user
        requested = attrs.pop("status", None)
        reason = attrs.pop("retraction_reason", "")
        note = attrs.pop("correction_note", "")
        allow_similar = attrs.pop("allow_similar", False)
        with transaction.atomic():
            if quote is None:
                return services.quote_create(
                    user=user,
                    fields={n: attrs[n] for n in services.FIELDS if n in attrs},
                    status=requested or Quote.Status.DRAFT,
                    role=attrs.get("role"),
                    parts={n: attrs.get(n) for n in services.PARTS},
                    allow_similar=allow_similar,
                )
            outcome = services.quote_update(
                quote=quote, user=user, changes=attrs, correction_note=note
            )
            if requested is not None and requested != outcome.quote.status:
                services.quote_transition(
                    quote=outcome.quote, status=requested, user=user, reason=reason
                )
            return outcome

    def create(self, validated_data: dict) -> Quote:
        return self.save_quote(None, validated_data)

    def update(self, instance: Quote, validated_data: dict) -> services.QuoteUpdate:
        return self.save_quote(instance, validated_data)


def _unique_items(items: list[dict], name: str, label: str) -> list[dict]:
    seen = set()
    for item in items:
        value = item[name]
        if value in seen:
            raise serializers.ValidationError(f"Two {label}s for {getattr(value, 'key', value)}.")
        seen.add(value)
    return items


def affiliation_for(speaker: Speaker, choice: dict, said: ReducedDate | None) -> Affiliation:
    """The speaker's affiliation named by ``choice`` (organization, title, start)."""
    candidates = speaker.affiliations.filter(organization__key=choice["organization"])
    if choice.get("title"):
        candidates = candidates.filter(role__iexact=choice["title"])
    if choice.get("start"):
        candidates = candidates.filter(start=choice["start"])
    candidates = list(candidates.select_related("organization"))
    if len(candidates) > 1:
        outcome = resolve_role(said, candidates)
        candidates = [outcome.affiliation] if outcome.affiliation else candidates
    if len(candidates) == 1:
        return candidates[0]
    described = ", ".join(f"{k} {v}" for k, v in choice.items() if v)
    if not candidates:
        message = f"{speaker.name} has no affiliation with {described}."
    else:
        message = f"{speaker.name} has several affiliations with {described}: give its start."
    raise serializers.ValidationError({"role": message})


# Speakers.


class SpeakerNameSerializer(WholeItem, BaseModelSerializer):
    class Meta:
        model = SpeakerName
        fields = ["name", "language"]
        validators: list = []


class AffiliationWriteSerializer(WholeItem, serializers.Serializer):
    organization = KeyRelatedField(queryset=Organization.objects.all())
    title = StrictCharField(max_length=300)
    start = ReducedDateField(required=False, allow_null=True)
    end = ReducedDateField(required=False, allow_null=True)


class SpeakerSerializer(BaseModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:speaker-detail", lookup_field="key")
    country = CountryCodeField(required=False, allow_blank=True, max_length=2)
    names = SpeakerNameSerializer(many=True, required=False)
    affiliations = RoleSerializer(many=True, read_only=True)
    quote_count = serializers.IntegerField(read_only=True, help_text="Published quotes.")
    score = serializers.SerializerMethodField(
        help_text="With q: how well the best of the speaker's names matches, from 0 to 1."
    )

    class Meta:
        model = Speaker
        fields = [
            "key",
            "url",
            "name",
            "names",
            "country",
            "description",
            "wikidata",
            "affiliations",
            "quote_count",
            "score",
            "created",
            "updated",
        ]
        read_only_fields = ["created", "updated"]

    @extend_schema_field({"type": "number", "format": "float", "nullable": True})
    def get_score(self, speaker: Speaker) -> float | None:
        score = getattr(speaker, "score", None)
        return None if score is None else round(score, 6)


def shown_correction_note() -> serializers.CharField:
    """The note of a change of a record that published quotes show (services.corrections)."""
    return StrictCharField(
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=limits.NOTE,
        help_text="Required when the change alters what published quotes show (a speaker's "
        "name, a role, a cited source's title or url): each of them gets this note as a "
        "public correction.",
    )


class SpeakerWriteSerializer(BaseModelSerializer):
    """What editors send to create or change a speaker; the answer is a ``Speaker``."""

    country = CountryCodeField(required=False, allow_blank=True, max_length=2)
    names = SpeakerNameSerializer(many=True, required=False)
    affiliations = AffiliationWriteSerializer(
        many=True,
        required=False,
        help_text="Every affiliation of the speaker; those left out are removed.",
    )
    correction_note = shown_correction_note()

    class Meta:
        model = Speaker
        fields = [
            "key",
            "name",
            "names",
            "country",
            "description",
            "wikidata",
            "affiliations",
            "correction_note",
        ]

    def validate_names(self, items: list[dict]) -> list[dict]:
        seen = set()
        for item in items:
            pair = (item["name"], item.get("language", ""))
            if pair in seen:
                raise serializers.ValidationError(f"The name {pair[0]} is given twice.")
            seen.add(pair)
        return items

    def save_speaker(self, speaker: Speaker, attrs: dict) -> Speaker:
        related = {name: attrs.pop(name) for name in ("names", "affiliations") if name in attrs}
        note = attrs.pop("correction_note", "")
        for name, value in attrs.items():
            setattr(speaker, name, value)
        user = self.context["request"].user
        return services.speaker_write(speaker=speaker, user=user, correction_note=note, **related)

    def create(self, validated_data: dict) -> Speaker:
        return self.save_speaker(Speaker(), validated_data)

    def update(self, instance: Speaker, validated_data: dict) -> Speaker:
        return self.save_speaker(instance, validated_data)


# Organizations, sources and topics: validated like the admin does, by the model.


class ValidatedModelSerializer(BaseModelSerializer):
    def save_instance(self, instance, attrs: dict):
        note = attrs.pop("correction_note", "")
        for name, value in attrs.items():
            setattr(instance, name, value)
        user = self.context["request"].user
        return services.record_save(obj=instance, user=user, correction_note=note)

    def create(self, validated_data: dict):
        return self.save_instance(self.Meta.model(), validated_data)

    def update(self, instance, validated_data: dict):
        return self.save_instance(instance, validated_data)


class OrganizationSerializer(ValidatedModelSerializer):
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:organization-detail", lookup_field="key"
    )
    country = CountryCodeField(required=False, allow_blank=True, max_length=2)
    parent = KeyRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True)
    correction_note = shown_correction_note()

    class Meta:
        model = Organization
        fields = [
            "key",
            "api_url",
            "name",
            "kind",
            "country",
            "parent",
            "aliases",
            "wikidata",
            "url",
            "created",
            "updated",
            "correction_note",
        ]
        read_only_fields = ["created", "updated"]


class SourceSerializer(ValidatedModelSerializer):
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:source-detail", lookup_field="key"
    )
    published = ReducedDateField(required=False, allow_null=True)
    quote_count = serializers.IntegerField(read_only=True, help_text="Published quotes.")
    correction_note = shown_correction_note()

    class Meta:
        model = Source
        fields = [
            "key",
            "api_url",
            "kind",
            "title",
            "url",
            "publisher",
            "published",
            "language",
            "author",
            "archive_url",
            "quote_count",
            "created",
            "updated",
            "correction_note",
        ]
        read_only_fields = ["created", "updated"]


class CaptureSerializer(serializers.ModelSerializer):
    captured_at = serializers.DateTimeField(source="fetched_at", read_only=True)
    status = serializers.IntegerField(read_only=True, help_text="The page's HTTP status.")
    sha256 = serializers.CharField(read_only=True, help_text="SHA-256 of the page's body.")

    class Meta:
        model = Capture
        fields = ["id", "captured_at", "sha256", "status", "replaced"]


class SourceDetailSerializer(SourceSerializer):
    captures = serializers.SerializerMethodField(
        help_text="The captures of the source's page that it answered, newest first."
    )

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "full_text", "captures"]

    @extend_schema_field(CaptureSerializer(many=True))
    def get_captures(self, source: Source) -> list[dict]:
        captures = getattr(source, "answered_captures", None)  # the view's prefetch
        if captures is None:  # a source just written
            captures = Capture.objects.answered().filter(source=source).order_by("-fetched_at")
        return CaptureSerializer(captures, many=True).data


class TopicSerializer(ValidatedModelSerializer):
    quote_count = serializers.IntegerField(read_only=True, help_text="Published quotes.")

    class Meta:
        model = Topic
        fields = ["key", "name", "quote_count"]


# Occasions.


class ParticipantSerializer(BaseModelSerializer):
    """A speaker taking part in an occasion, for an organization or a country."""

    speaker = SpeakerSummarySerializer(read_only=True)
    organization = OrganizationSummarySerializer(read_only=True, allow_null=True)
    country = CountryCodeField(
        read_only=True, help_text="The country the speaker represented there; empty if none."
    )

    class Meta:
        model = OccasionParticipant
        fields = ["speaker", "organization", "country"]


class ParticipantWriteSerializer(WholeItem, serializers.Serializer):
    speaker = KeyRelatedField(queryset=Speaker.objects.all(), help_text="Speaker key.")
    organization = KeyRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        help_text="Key of the organization the speaker represented there.",
    )
    country = CountryCodeField(
        required=False,
        allow_blank=True,
        max_length=2,
        help_text="The country the speaker represented there (ISO 3166-1 alpha-2).",
    )


class AccountSerializer(BaseModelSerializer):
    """A source marked as one party's account of the occasion."""

    source = SourceSummarySerializer(read_only=True)
    organization = OrganizationSummarySerializer(read_only=True, allow_null=True)
    country = CountryCodeField(read_only=True, help_text="The party, when it is a country.")

    class Meta:
        model = OccasionAccount
        fields = ["source", "kind", "organization", "country"]


class AccountWriteSerializer(WholeItem, serializers.Serializer):
    source = KeyRelatedField(queryset=Source.objects.all(), help_text="Source key.")
    kind = serializers.ChoiceField(
        choices=OccasionAccount.Kind.choices, required=False, default=OccasionAccount.Kind.READOUT
    )
    organization = KeyRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        help_text="The party whose account it is: an organization's key…",
    )
    country = CountryCodeField(
        required=False, allow_blank=True, max_length=2, help_text="…or a country."
    )


OCCASION_FIELDS = ["key", "name", "kind", "start", "end", "place", "country", "parent"]


class OccasionSerializer(BaseModelSerializer):
    """An occasion (Popolo's Event): a call, a meeting, a summit, a press conference…"""

    url = serializers.HyperlinkedIdentityField(view_name="api:occasion-detail", lookup_field="key")
    start = ReducedDateField(read_only=True)
    end = ReducedDateField(read_only=True)
    country = CountryCodeField(read_only=True)
    parent = OccasionSummarySerializer(read_only=True, allow_null=True)
    participants = ParticipantSerializer(many=True, read_only=True)
    accounts = AccountSerializer(
        many=True, read_only=True, help_text="Each party's account of it: readouts, reports…"
    )
    quote_count = serializers.IntegerField(read_only=True, help_text="Published quotes.")

    class Meta:
        model = Occasion
        fields = [
            "key",
            "url",
            *OCCASION_FIELDS[1:],
            "participants",
            "accounts",
            "quote_count",
            "created",
            "updated",
        ]
        read_only_fields = fields


class OccasionWriteSerializer(BaseModelSerializer):
    """What editors send to create or change an occasion; the answer is an ``Occasion``."""

    start = ReducedDateField(required=False, allow_null=True)
    end = ReducedDateField(required=False, allow_null=True)
    country = CountryCodeField(required=False, allow_blank=True, max_length=2)
    parent = KeyRelatedField(
        queryset=Occasion.objects.all(),
        required=False,
        allow_null=True,
        help_text="Key of the occasion this one was part of.",
    )
    participants = ParticipantWriteSerializer(
        many=True, required=False, help_text="Every participant; those left out are removed."
    )
    accounts = AccountWriteSerializer(
        many=True, required=False, help_text="Every account; those left out are removed."
    )

    class Meta:
        model = Occasion
        fields = [*OCCASION_FIELDS, "participants", "accounts"]

    def validate_participants(self, items: list[dict]) -> list[dict]:
        return _unique_items(items, "speaker", "participant")

    def validate_accounts(self, items: list[dict]) -> list[dict]:
        return _unique_items(items, "source", "account")

    def save_occasion(self, occasion: Occasion, attrs: dict) -> Occasion:
        parts = {name: attrs.pop(name) for name in ("participants", "accounts") if name in attrs}
        for name, value in attrs.items():
            setattr(occasion, name, value)
        user = self.context["request"].user
        return services.occasion_write(occasion=occasion, user=user, **parts)

    def create(self, validated_data: dict) -> Occasion:
        return self.save_occasion(Occasion(), validated_data)

    def update(self, instance: Occasion, validated_data: dict) -> Occasion:
        return self.save_occasion(instance, validated_data)


class OccasionQuoteSerializer(BaseModelSerializer):
    """A statement made at an occasion, as its occasion lists it."""

    url = serializers.HyperlinkedIdentityField(view_name="api:quote-detail", lookup_field="key")
    said = ReducedDateField(read_only=True)
    speaker = SpeakerSummarySerializer(read_only=True)

    class Meta:
        model = Quote
        fields = ["key", "url", "text", "language", "said", "speaker", "status"]
        read_only_fields = fields


class OccasionDetailSerializer(OccasionSerializer):
    quotes = serializers.SerializerMethodField(
        help_text="The statements made there that the client may see, by date."
    )

    class Meta(OccasionSerializer.Meta):
        fields = [*OccasionSerializer.Meta.fields, "quotes"]

    @extend_schema_field(OccasionQuoteSerializer(many=True))
    def get_quotes(self, occasion: Occasion) -> list[dict]:
        request = self.context["request"]
        quotes = (
            Quote.objects.visible_to(request.user)
            .filter(occasion=occasion)
            .select_related("speaker")
            .order_by("said", "key")
        )
        return OccasionQuoteSerializer(quotes, many=True, context=self.context).data


class FacetBucketSerializer(serializers.Serializer):
    value = StrictCharField()
    label = StrictCharField()
    count = serializers.IntegerField()


class FacetListsSerializer(serializers.Serializer):
    speaker = FacetBucketSerializer(many=True)
    country = FacetBucketSerializer(many=True)
    year = FacetBucketSerializer(many=True)
    topic = FacetBucketSerializer(many=True)
    language = FacetBucketSerializer(many=True)
    kind = FacetBucketSerializer(many=True)
    occasion_kind = FacetBucketSerializer(many=True)


class FacetsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many quotes match.")
    facets = FacetListsSerializer()


# History: quotes.history.HistoryEntry and its parts, read-only.


class FieldChangeSerializer(serializers.Serializer):
    name = StrictCharField(help_text="The field, e.g. text, excerpt, status.")
    label = StrictCharField(help_text="Its name for people.")
    before = serializers.JSONField(help_text="The value before (null: none).")
    after = serializers.JSONField(help_text="The value after (null: none).")
    before_display = StrictCharField(help_text="The value before, readable.")
    after_display = StrictCharField(help_text="The value after, readable.")


class ChangeSerializer(serializers.Serializer):
    part = StrictCharField(
        help_text="What changed: the record itself (quote, speaker…) or one of its parts "
        "(translation, citation, topic, other name, affiliation)."
    )
    object_id = serializers.IntegerField()
    object_label = StrictCharField(help_text='The part, e.g. "translation (en)".')
    action = StrictCharField(
        help_text="created, changed, deleted (the record); added, changed, removed (a part)."
    )
    fields = FieldChangeSerializer(many=True)


class HistoryEntrySerializer(serializers.Serializer):
    """Changes made together (one request, command or curation step)."""

    version = serializers.IntegerField(
        help_text="The record's version right after these changes (its ETag then)."
    )
    at = serializers.DateTimeField()
    user = StrictCharField(source="username", allow_null=True, help_text="Who, if a user.")
    command = StrictCharField(
        allow_null=True, help_text="The management command that made the change, if any."
    )
    who = StrictCharField(help_text="The user, the command, or unknown.")
    action = StrictCharField(
        allow_null=True, help_text="The curation step: submit, publish, retract, merge, revert…"
    )
    note = StrictCharField(allow_null=True, help_text="e.g. the reason of a retraction.")
    changes = ChangeSerializer(many=True)


class PreconditionFailedSerializer(serializers.Serializer):
    """The answer to a write whose If-Match is not the record's current version (412)."""

    detail = StrictCharField(help_text="Who changed the record since; nothing was saved.")
    etag = StrictCharField(allow_null=True, help_text="The record's current ETag.")
    changes = HistoryEntrySerializer(
        many=True, help_text="What changed since the version sent, newest first."
    )


class MergeSerializer(serializers.Serializer):
    duplicate = StrictCharField(
        max_length=200,
        validators=[validate_key],
        help_text="The key of the record to merge into this one; it is deleted, and its key "
        "leads to this record from now on.",
    )
    correction_note = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=limits.NOTE,
        help_text="Required when published quotes then show something else (a speaker's "
        "name or role, a quote's sources): each of them gets this note as a public correction.",
    )


class OccasionMergeSerializer(serializers.Serializer):
    """A merge of occasions, which corrects no published quote: no note."""

    duplicate = StrictCharField(
        max_length=200,
        validators=[validate_key],
        help_text="The key of the occasion to merge into this one; it is deleted, and its key "
        "leads to this occasion from now on.",
    )


# Revisions of published quotes.


class RevisionSerializer(serializers.ModelSerializer):
    """A change to a published quote proposed by an editor, for a reviewer to decide."""

    author = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Empty once deleted."
    )
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Who decided, if any."
    )
    changes = serializers.JSONField(
        read_only=True,
        help_text='Each changed field: {"from": …, "to": …}; the speaker and topics by key, '
        "the role as its organization, title and start (null: resolved from the date).",
    )

    class Meta:
        model = QuoteRevision
        fields = [
            "id",
            "author",
            "created",
            "status",
            "changes",
            "decided_by",
            "decided_at",
            "correction_note",
            "reason",
        ]
        read_only_fields = fields


class RevisionAcceptSerializer(serializers.Serializer):
    correction_note = StrictCharField(
        max_length=limits.NOTE,
        required=False,
        allow_blank=True,
        help_text="What the revision corrects, for readers; required when it changes the text, "
        "language, kind, date, speaker, role, translations or citations.",
    )


class RevisionRejectSerializer(serializers.Serializer):
    reason = StrictCharField(
        max_length=limits.NOTE, help_text="Why, for the editor who proposed it."
    )
