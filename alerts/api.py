"""``POST /api/v1/alerts/``: an alert for an address, without an account (docs/api.md)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import services
from alerts.languages import language_choices, site_language
from alerts.limits import SignUpLimited
from alerts.models import Frequency
from api.throttling import client_address


class AlertSignupSerializer(serializers.Serializer):
    """Exactly one of search, speaker, topic, organization, quote."""

    email = serializers.EmailField()
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    search = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    speaker = serializers.CharField(required=False)
    topic = serializers.CharField(required=False)
    organization = serializers.CharField(required=False)
    quote = serializers.CharField(required=False)
    language = serializers.ChoiceField(
        choices=language_choices(),
        required=False,
        help_text="The mails' language: translations into it are shown (default: en). "
        "An address already signed up keeps its own.",
    )


class AlertSignupView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=AlertSignupSerializer,
        responses={202: OpenApiResponse(description="The confirmation is mailed.")},
    )
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        try:
            alert = services.alert_subscribe(
                email=data.get("email"),
                frequency=data.get("frequency"),
                target=data,
                client=client_address(request),
                # Absent: the site's; null or anything else unknown is a 400, as the schema says.
                language=data.get("language", site_language()),
            )
        except SignUpLimited as error:
            raise Throttled(wait=error.retry_after, detail=error.message) from error
        return Response(
            {"detail": "A confirmation is mailed to the address.", "frequency": alert.frequency},
            status=status.HTTP_202_ACCEPTED,
        )
