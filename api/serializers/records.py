"""Speakers, organizations, sources (with their captures) and topics."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import (
    BaseModelSerializer,
    CountryCodeField,
    KeyRelatedField,
    ReducedDateField,
    StrictCharField,
    WholeItem,
    assign_written,
)
from api.serializers.summaries import RoleSerializer
from captures.models import Capture
from quotes import limits, services
from quotes.models import (
    Organization,
    Source,
    Speaker,
    SpeakerName,
    Topic,
)

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
        "name, a role, a cited source's title or url, their occasion): each of them gets "
        "this note as a public correction.",
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
        related, note = assign_written(speaker, attrs, ("names", "affiliations"))
        user = self.context["request"].user
        return services.speaker_write(speaker=speaker, user=user, correction_note=note, **related)

    def create(self, validated_data: dict) -> Speaker:
        return self.save_speaker(Speaker(), validated_data)

    def update(self, instance: Speaker, validated_data: dict) -> Speaker:
        return self.save_speaker(instance, validated_data)


# Organizations, sources and topics: validated like the admin does, by the model.


class ValidatedModelSerializer(BaseModelSerializer):
    def save_instance(self, instance, attrs: dict):
        _, note = assign_written(instance, attrs)
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
