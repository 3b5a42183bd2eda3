"""Bounds on the work of one web request: the size of its body, the time of its queries and
of its wait for a turn to search."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse
from psycopg import errors

from search.turns import SearchBusy

API_PREFIX = "/api/"
RETRY_AFTER_TIMEOUT = 5  # seconds: a timed-out query is worth trying again a little later
RETRY_AFTER_BUSY = 2  # seconds: searches queued in a worker are done within a few


def error_response(request, status: int, detail: str, **headers: str) -> HttpResponse:
    """A JSON ``{"detail": …}`` for the API, plain text elsewhere."""
    if request.path.startswith(API_PREFIX):
        body, content_type = json.dumps({"detail": detail}), "application/json"
    else:
        body, content_type = detail, "text/plain; charset=utf-8"
    response = HttpResponse(body, status=status, content_type=content_type)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


class RequestBodyLimitMiddleware:
    """A body announced larger than ONRECORD_MAX_BODY_BYTES is refused (HTTP 413) before
    it is read. (Without a Content-Length, Django reads no body at all.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length, limit = request.META.get("CONTENT_LENGTH") or "0", settings.ONRECORD_MAX_BODY_BYTES
        if not length.isdigit():
            return error_response(request, 400, "The Content-Length header is not a number.")
        if int(length) > limit:
            detail = f"The request body is larger than the limit of {limit} bytes."
            return error_response(request, 413, detail)
        return self.get_response(request)


def is_statement_timeout(exception: BaseException) -> bool:
    return isinstance(exception, OperationalError) and isinstance(
        exception.__cause__, errors.QueryCanceled
    )


class StatementTimeoutMiddleware:
    """A request whose query ran past ONRECORD_STATEMENT_TIMEOUT_MS (PostgreSQL cancelled
    it), or a search that waited ONRECORD_SEARCH_WAIT_MS for its turn (search/turns.py),
    answers HTTP 503 with Retry-After, and the worker goes on to the next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, SearchBusy):
            detail = "The server is busy with other searches; try again in a moment."
            return error_response(request, 503, detail, Retry_After=str(RETRY_AFTER_BUSY))
        if not is_statement_timeout(exception):
            return None
        detail = (
            "The request took too long to answer and was stopped; try again in a moment, "
            "or narrow it down."
        )
        return error_response(request, 503, detail, Retry_After=str(RETRY_AFTER_TIMEOUT))
