"""One translation of domain errors into HTTP answers, for every endpoint.

Services raise ``quotes.exceptions`` errors and Django's ``ValidationError``; views let
them through and this handler (settings ``EXCEPTION_HANDLER``) answers:

- ``ValidationError``, ``CurationError`` with a field: 400 ``{field: [message]}``
- ``NotPermitted``: 403; ``DeletionRefused``: 409; ``SimilarQuotesFound``: 409 with ``similar``
- ``EditConflict`` and ``PreconditionFailed``: 412 with the current ETag and the changes since
- ``RecordMoved``: 301 (reads) or 308 (writes) to the record's current key

and, as ``handler404`` and ``handler500``, answers an unknown address and an unexpected
server error under /api/ in JSON too (the reading site's pages are reader/templates/).
(A query past the statement timeout is answered for every view, API or not, by
``project.middleware.StatementTimeoutMiddleware``.)
"""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from api import conditional
from project.middleware import outage_response
from quotes.exceptions import (
    CurationError,
    DeletionRefused,
    EditConflict,
    NotPermitted,
    RevisionNotPending,
    SimilarQuotesFound,
)


class RecordMoved(Exception):
    """The key is an old key of the record now at ``key`` (renamed, or merged into it)."""

    def __init__(self, old_key: str, key: str, *, merged: bool = True):
        super().__init__(old_key)
        self.old_key = old_key
        self.key = key
        self.merged = merged


def as_drf_error(error: DjangoValidationError) -> ValidationError:
    """A model validation error as DRF's, keyed by field when the model said which."""
    if hasattr(error, "error_dict"):
        return ValidationError(
            {
                ("non_field_errors" if name == "__all__" else name): messages
                for name, messages in error.message_dict.items()
            }
        )
    return ValidationError({"non_field_errors": error.messages})


def exception_handler(exc: Exception, context: dict) -> Response | None:
    view = context.get("view")
    if isinstance(exc, RecordMoved) and hasattr(view, "moved"):
        return view.moved(exc)
    if isinstance(exc, EditConflict):
        obj = getattr(exc, "obj", None)
        exc = conditional.PreconditionFailed(obj, exc.message, exc.changes)
    if isinstance(exc, conditional.PreconditionFailed):
        return precondition_failed(exc)
    if isinstance(exc, SimilarQuotesFound):
        return similar_found(exc, context)
    if isinstance(exc, DeletionRefused | RevisionNotPending):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, NotPermitted):
        exc = PermissionDenied(exc.message)
    elif isinstance(exc, CurationError):
        exc = ValidationError({exc.field or "non_field_errors": [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        exc = as_drf_error(exc)
    return drf_exception_handler(exc, context)


def precondition_failed(failure: conditional.PreconditionFailed) -> Response:
    """412, with the current ETag and what changed since the version the client sent."""
    from api.serializers import HistoryEntrySerializer

    headers = conditional.etag_headers(failure.obj) if failure.obj is not None else {}
    body = {
        "detail": failure.message,
        "etag": headers.get("ETag"),
        "changes": HistoryEntrySerializer(failure.changes, many=True).data,
    }
    return Response(body, status=status.HTTP_412_PRECONDITION_FAILED, headers=headers)


def similar_found(exc: SimilarQuotesFound, context: dict) -> Response:
    body = {
        "detail": exc.message,
        "similar": [
            {
                "key": found.quote.key,
                "score": found.score,
                "relation": found.relation,
                "language": found.language,
                "match": found.match,
            }
            for found in exc.similar
        ],
    }
    return Response(body, status=status.HTTP_409_CONFLICT)


logger = logging.getLogger(__name__)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The reading site's 404 page (reader/templates/404.html), but a JSON ``{"detail": …}``
    under /api/. Without collected static files (``collectstatic`` not run) that page cannot
    name its style sheet; a plain 404 is answered then, not a 500."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "There is nothing at this address."}, status=404)
    try:
        return defaults.page_not_found(request, exception)
    except ValueError:  # "Missing staticfiles manifest entry": logged, once per request
        logger.exception("The 404 page could not be rendered: has collectstatic run?")
        return HttpResponseNotFound(
            "There is nothing at this address.", content_type="text/plain; charset=utf-8"
        )


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page (reader/templates/500.html), but a JSON ``{"detail": …}`` under /api/;
    a database that does not answer is a 503 (``project.middleware.outage_response``)."""
    # Called while Django handles the exception: it is the one being handled.
    if outage := outage_response(request, sys.exc_info()[1]):
        return outage
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "The server could not answer: try again later."}, status=500)
    return defaults.server_error(request)
