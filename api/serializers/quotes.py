"""Quotes: their public representation (quotes.public) as the API gives it, and what editors
write."""

from __future__ import annotations

import abc

from django.db import transaction
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from api.serializers.base import (
    BaseModelSerializer,
    KeyRelatedField,
    ReducedDateField,
    StrictCharField,
    WholeItem,
)
from api.serializers.summaries import (
    CitationSerializer,
    OccasionSummarySerializer,
    RoleSerializer,
    SpeakerSummarySerializer,
    TopicSummarySerializer,
    TranslationSerializer,
)
from quotes import limits, public, services
from quotes.dates import ReducedDate
from quotes.models import (
    Affiliation,
    Occasion,
    Quote,
    Source,
    Speaker,
    Topic,
)
from quotes.roles import resolve_role
from quotes.validators import validate_key

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
        return unique_items(items, "language", "translation")

    def validate_citations(self, items: list[dict]) -> list[dict]:
        return unique_items(items, "source", "citation")

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


def unique_items(items: list[dict], name: str, label: str) -> list[dict]:
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
