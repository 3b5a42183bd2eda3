"""Occasions with their participants and accounts."""

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
from api.serializers.quotes import unique_items
from api.serializers.records import shown_correction_note
from api.serializers.summaries import (
    OccasionSummarySerializer,
    OrganizationSummarySerializer,
    SourceSummarySerializer,
    SpeakerSummarySerializer,
)
from quotes import services
from quotes.models import (
    Occasion,
    OccasionAccount,
    OccasionParticipant,
    Organization,
    Quote,
    Source,
    Speaker,
)

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
    correction_note = shown_correction_note()

    class Meta:
        model = Occasion
        fields = [*OCCASION_FIELDS, "participants", "accounts", "correction_note"]

    def validate_participants(self, items: list[dict]) -> list[dict]:
        return unique_items(items, "speaker", "participant")

    def validate_accounts(self, items: list[dict]) -> list[dict]:
        return unique_items(items, "source", "account")

    def save_occasion(self, occasion: Occasion, attrs: dict) -> Occasion:
        parts, note = assign_written(occasion, attrs, ("participants", "accounts"))
        user = self.context["request"].user
        return services.occasion_write(occasion=occasion, user=user, correction_note=note, **parts)

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
