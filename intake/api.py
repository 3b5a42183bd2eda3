"""``POST /api/v1/intake/``: a report in, its proposed source and statements out; it writes
nothing (docs/intake.md)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
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


class ReportCorrections(serializers.Serializer):
    """What the client may correct of the report, whichever way it gives it."""

    title = StrictCharField(required=False, max_length=500)
    publisher = StrictCharField(required=False, max_length=300)
    published = StrictCharField(
        required=False, max_length=10, help_text="YYYY, YYYY-MM or YYYY-MM-DD."
    )
    language = StrictCharField(required=False, max_length=35, help_text="A BCP 47 tag.")

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


@extend_schema_serializer(component_name="Intake")
class IntakeRequestSerializer(ReportCorrections):
    """The report as exactly one of text, html or url, and the corrections."""

    text = StrictCharField(required=False, trim_whitespace=False)
    html = StrictCharField(required=False, trim_whitespace=False)
    url = serializers.URLField(required=False, max_length=1000)

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


class IntakeTextSerializer(ReportCorrections):
    text = StrictCharField(trim_whitespace=False, help_text="The report as plain text.")


class IntakeHtmlSerializer(ReportCorrections):
    html = StrictCharField(trim_whitespace=False, help_text="The report's web page, as HTML.")


class IntakeUrlSerializer(ReportCorrections):
    url = serializers.URLField(max_length=1000, help_text="The report's address, fetched.")


# The request's schema: exactly one of text, html and url, each alternative a named schema
# with its properties (what ``IntakeRequestSerializer.validate`` requires), so that
# generated clients get one typed model each. The view validates with
# IntakeRequestSerializer, whose errors name the field at fault.
INTAKE_REQUEST = PolymorphicProxySerializer(
    component_name="IntakeReport",
    serializers=[IntakeTextSerializer, IntakeHtmlSerializer, IntakeUrlSerializer],
    resource_type_field_name=None,
    many=False,
)


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


OccasionProposal = inline_serializer(
    "OccasionProposal",
    {
        "key": serializers.CharField(
            allow_null=True, help_text="The occasion on record; null: a new one to create."
        ),
        "name": serializers.CharField(),
        "kind": serializers.CharField(),
        "start": serializers.CharField(allow_null=True),
        "on_record": serializers.BooleanField(),
    },
    allow_null=True,
    help_text="The occasion: one on record the speaker took part in on that date, or a new "
    "one from the report's words (create it with /api/v1/occasions/), or null.",
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
    preselected = serializers.BooleanField(
        help_text="Whether an editor's review should start from accepting it: its speaker is "
        "confident (at least 0.85). Otherwise the speaker is a question to settle first."
    )
    occasion = OccasionProposal


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
    body_required = True  # the schema marks the request body required (api/schema.py)

    @extend_schema(request=INTAKE_REQUEST, responses=IntakeResponseSerializer)
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
