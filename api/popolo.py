"""``/api/v1/popolo.json``: speakers, organizations and affiliations in the Popolo format."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from api.params import SingleValuedParams
from quotes.interchange.popolo import popolo_json


class PopoloView(SingleValuedParams, APIView):
    """Every speaker (``persons``), organization, affiliation (``memberships``), country
    (``areas``), occasion (``events``) and public statement (``speeches``: Popolo ``Speech``,
    with its ``event_id``) as one Popolo JSON
    document (https://www.popoloproject.com/specs/), streamed; ``python manage.py
    export_popolo`` writes the same document."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="popolo_retrieve",
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="A Popolo document: persons, organizations, memberships, areas, "
                "events, speeches.",
            )
        },
    )
    def get(self, request, *args, **kwargs):
        return StreamingHttpResponse(popolo_json(), content_type="application/json; charset=utf-8")
