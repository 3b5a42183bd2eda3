"""``POST /api/v1/intake/``: a report in, its proposed source and statements out; it writes
nothing (docs/intake.md)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from api.params import SingleValuedParams
from api.serializers import StrictCharField
from intake.errors import IntakeError
from intake.proposals import propose
from intake.reports import Report, report_from_html, report_from_text, report_from_url
from intake.services import intake_may
from quotes.dates import ReducedDate
from quotes.validators import validate_language_tag


class MayTakeIn(BasePermission):
    message = "Only editors may propose statements from a report."

    def has_permission(self, request, view) -> bool:
        return intake_may(user=request.user)


REPORT_FIELDS = ("text", "html", "url")


@extend_schema_serializer(component_name="Intake")
class IntakeRequestSerializer(serializers.Serializer):
    text = StrictCharField(required=False, trim_whitespace=False)
    html = StrictCharField(required=False, trim_whitespace=False)
    url = serializers.URLField(required=False, max_length=1000)
    title = StrictCharField(required=False, max_length=500)
    publisher = StrictCharField(required=False, max_length=300)
    published = StrictCharField(required=False, max_length=10)
    language = StrictCharField(required=False, max_length=35)

    def validate_published(self, value: str) -> str:
        try:
            return str(ReducedDate.parse(value))
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None

    def validate_language(self, value: str) -> str:
        try:
            validate_language_tag(value)
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None
        return value

    def validate(self, attrs: dict) -> dict:
        given = [name for name in REPORT_FIELDS if attrs.get(name)]
        if len(given) != 1:
            raise ValidationError(
                {
                    "text": "Give exactly one of text, html or url."
                    if given
                    else "Give the report as text, html or url."
                }
            )
        return attrs


class IntakeRequestSchema(OpenApiSerializerExtension):
    """The request's schema says what ``validate`` requires: exactly one of text, html, url."""

    target_class = IntakeRequestSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target_class, direction, bypass_extensions=True)
        if direction == "request":
            schema["oneOf"] = [{"required": [name]} for name in REPORT_FIELDS]
        return schema


class SourceProposalSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()
    publisher = serializers.CharField()
    author = serializers.CharField()
    published = serializers.CharField(allow_null=True)
    language = serializers.CharField()
    full_text = serializers.CharField()


SpeakerProposal = inline_serializer(
    "SpeakerProposal",
    {
        "key": serializers.CharField(allow_null=True),
        "name": serializers.CharField(),
        "confidence": serializers.FloatField(),
        "role": serializers.CharField(),
    },
)


class ProposalSerializer(serializers.Serializer):
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=["direct", "partial", "indirect"])
    language = serializers.CharField()
    excerpt = serializers.CharField()
    said = serializers.CharField(allow_null=True)
    context = serializers.CharField()
    speaker = SpeakerProposal
    candidates = serializers.ListField(child=SpeakerProposal)


class IntakeResponseSerializer(serializers.Serializer):
    source = SourceProposalSerializer()
    proposals = ProposalSerializer(many=True)


def read_report(data: dict) -> Report:
    """The report the request gives, with the fields the client corrected."""
    if data.get("url"):
        report = report_from_url(data["url"])
    elif data.get("html"):
        report = report_from_html(data["html"])
    else:
        report = report_from_text(data["text"])
    corrected = {k: data[k] for k in ("title", "publisher", "published", "language") if k in data}
    return Report(**{**report.__dict__, **corrected})


def source_proposal(report: Report) -> dict:
    return {
        "title": report.title,
        "url": report.url,
        "publisher": report.publisher,
        "author": report.author,
        "published": report.published or None,
        "language": report.language,
        "full_text": report.text,
    }


class IntakeView(SingleValuedParams, APIView):
    """Propose the statements of a report: speakers, kinds, dates and exact excerpts.

    Give the report as `text`, `html` or `url` (fetched with a time and size limit), and
    optionally correct its `title`, `publisher`, `published` date and `language`. Nothing
    is saved: create the source and quotes with the usual endpoints.
    """

    permission_classes = [MayTakeIn]

    @extend_schema(request=IntakeRequestSerializer, responses=IntakeResponseSerializer)
    def post(self, request):
        serializer = IntakeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            report = read_report(serializer.validated_data)
        except IntakeError as error:
            raise ValidationError({error.field: [error.message]}) from None
        return Response(
            {
                "source": source_proposal(report),
                "proposals": [proposal.as_dict() for proposal in propose(report)],
            }
        )
