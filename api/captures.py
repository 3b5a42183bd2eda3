"""``/api/v1/sources/{key}/captures/{id}/``: one capture of a source's page, and
``…/warc/``, its WARC file (captures/).

A capture's metadata is public (a source's detail lists it). Its content is the
publisher's: editors read the whole main text and download the WARC file; everyone else
reads each cited passage of the statements they may see in its paragraph, and the whole
text only when ``ONRECORD_CAPTURES_SHOW_WHOLE_TEXT`` is set (docs/api.md, "Captures").
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from captures.models import Capture
from captures.reading import text_read
from quotes.models import Citation, Quote, Source
from quotes.permissions import may

CAPTURE_FIELDS = ("id", "fetched_at", "url", "final_url", "status", "sha256", "replaced")
CAPTURE_ID = OpenApiParameter(
    "capture_id", int, OpenApiParameter.PATH, description="The capture's id (a source's captures)."
)


class PassageSerializer(serializers.Serializer):
    quote = serializers.CharField(source="quote_key", help_text="The statement's key.")
    anchor = serializers.CharField(help_text="Its anchor on the source's page on the site.")
    before = serializers.CharField(help_text="The paragraph before the passage.")
    excerpt = serializers.CharField(help_text="The cited passage as the capture has it.")
    after = serializers.CharField(help_text="The paragraph after the passage.")


class CaptureContentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    captured_at = serializers.DateTimeField(source="fetched_at")
    url = serializers.URLField(help_text="The address fetched.")
    final_url = serializers.CharField(help_text="The address after redirects.")
    status = serializers.IntegerField(help_text="The page's HTTP status.")
    sha256 = serializers.CharField(help_text="SHA-256 of the page's body.")
    replaced = serializers.BooleanField(
        help_text="The address led to a different document (a redirect to the site's home "
        "page, or a text unlike the earlier capture's): taken for a page gone."
    )
    content = serializers.ChoiceField(
        choices=["text", "passages"],
        help_text="text: the whole main text is given (editors; everyone when the site "
        "shows whole texts); passages: only the cited passages in their paragraphs.",
    )
    text = serializers.CharField(
        allow_null=True, help_text="The page's main text, or null when not given."
    )
    passages = PassageSerializer(
        many=True,
        help_text="Each cited passage found in this capture, of the statements the client "
        "may see, in its paragraph, in the text's order.",
    )
    missing = serializers.ListField(
        child=serializers.CharField(),
        help_text="The keys of the statements whose cited passage this capture lacks.",
    )
    warc = serializers.URLField(
        allow_null=True, help_text="The WARC file's address (editors), or null."
    )


class CapturesMixin:
    """The ``capture`` and ``capture_warc`` actions of the sources' viewset."""

    @extend_schema(parameters=[CAPTURE_ID], responses=CaptureContentSerializer, filters=False)
    @action(detail=True, url_path=r"captures/(?P<capture_id>[0-9]+)", pagination_class=None)
    def capture(self, request, *args, capture_id: str, **kwargs):
        """One capture of the source's page: its metadata, and its content as the client
        may read it (the whole text for editors, else the cited passages)."""
        source = self.get_object()
        capture = capture_of(source, capture_id)
        editor = may(request.user, "view", "source")
        cited = Citation.objects.filter(
            source=source, quote__in=Quote.objects.visible_to(request.user)
        ).values_list("quote__key", "excerpt")
        read = text_read(capture.text, list(cited), captured_at=capture.fetched_at, whole=False)
        whole = editor or settings.CAPTURES_SHOW_WHOLE_TEXT
        given = {
            **{name: getattr(capture, name) for name in CAPTURE_FIELDS},
            "content": "text" if whole else "passages",
            "text": capture.text if whole else None,
            "passages": read.passages,
            "missing": [passage.quote_key for passage in read.missing],
            "warc": request.build_absolute_uri("warc/") if editor else None,
        }
        return Response(CaptureContentSerializer(given).data)

    @extend_schema(
        parameters=[CAPTURE_ID],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The capture as a gzipped WARC record (a .warc.gz file; "
                "application/octet-stream, which generic clients read as a file).",
            )
        },
        filters=False,
    )
    @action(detail=True, url_path=r"captures/(?P<capture_id>[0-9]+)/warc", pagination_class=None)
    def capture_warc(self, request, *args, capture_id: str, **kwargs):
        """The capture's WARC file, for editors (the publisher's page as it answered)."""
        source = self.get_object()
        if not may(request.user, "view", "source"):
            raise PermissionDenied("Only editors may download the WARC files of captures.")
        capture = capture_of(source, capture_id)
        name = f"{source.key}-{capture.fetched_at:%Y%m%dT%H%M%S}.warc.gz"
        stream = storages["captures"].open(capture.warc, "rb")
        return FileResponse(
            stream, as_attachment=True, filename=name, content_type="application/octet-stream"
        )


def capture_of(source: Source, capture_id: str) -> Capture:
    """The answered capture ``capture_id`` of ``source``; NotFound naming it otherwise."""
    capture = Capture.objects.answered().filter(source=source, pk=int(capture_id)).first()
    if capture is None:
        raise NotFound(f"The source “{source.key}” has no capture {capture_id}.")
    return capture
