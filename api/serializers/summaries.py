"""Read-only summaries of records embedded in other records, and the parts of a quote."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.base import (
    BaseModelSerializer,
    CountryCodeField,
    ReducedDateField,
    StrictCharField,
    WholeItem,
)
from quotes.models import (
    Affiliation,
    Citation,
    Occasion,
    Organization,
    Source,
    Speaker,
    Topic,
    Translation,
)

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
