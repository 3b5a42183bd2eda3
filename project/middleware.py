"""Bounds on the work of one web request: the size of its body, the time of its queries and
of its wait for a turn to search; and a database that does not answer answered with 503."""

from __future__ import annotations

import json
import logging
import threading
import time

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connections,
)
from django.http import HttpResponse
from django.template.loader import render_to_string
from psycopg import errors

from search.indexer import SearchUnavailable
from search.turns import SearchBusy

API_PREFIX = "/api/"
RETRY_AFTER_TIMEOUT = 5  # seconds: a timed-out query is worth trying again a little later
RETRY_AFTER_BUSY = 2  # seconds: searches queued in a worker are done within a few
RETRY_AFTER_REBUILD = 30  # seconds: a rebuild of the search index takes a minute or more
RETRY_AFTER_OUTAGE = 10  # seconds: a restarting PostgreSQL is back within a few
RETRY_AFTER_CONFLICT = 1  # seconds: the write it collided with is over by then
log = logging.getLogger(__name__)


def error_response(
    request, status: int, detail: str, template: str | None = None, **headers: str
) -> HttpResponse:
    """A JSON ``{"detail": …}`` for the API; elsewhere the page ``template`` (rendered with
    ``detail`` alone, no request: no context processor reads the database), or plain text."""
    if request.path.startswith(API_PREFIX):
        body, content_type = json.dumps({"detail": detail}), "application/json"
    elif template:
        body, content_type = render_to_string(template, {"detail": detail}), "text/html"
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
        if not (length.isascii() and length.isdigit()):  # int("¹") fails
            return error_response(request, 400, "The Content-Length header is not a number.")
        if int(length) > limit:
            detail = f"The request body is larger than the limit of {limit} bytes."
            return error_response(request, 413, detail)
        return self.get_response(request)


def is_statement_timeout(exception: BaseException) -> bool:
    return isinstance(exception, OperationalError) and isinstance(
        exception.__cause__, errors.QueryCanceled
    )


def is_write_conflict(exception: BaseException) -> bool:
    """PostgreSQL ended the transaction because of a concurrent one (a deadlock, or a
    serialization failure): the same request succeeds when it is sent again."""
    return isinstance(exception, OperationalError) and isinstance(
        exception.__cause__, errors.DeadlockDetected | errors.SerializationFailure
    )


class StatementTimeoutMiddleware:
    """A request whose query ran past ONRECORD_STATEMENT_TIMEOUT_MS (PostgreSQL cancelled
    it), a search that waited ONRECORD_SEARCH_WAIT_MS for its turn (search/turns.py), or
    one while no search index can be trusted (search/indexer.py), or a write that PostgreSQL
    ended for a concurrent one (``is_write_conflict``) answers HTTP 503 with Retry-After,
    and the worker goes on to the next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, SearchBusy):
            detail = "The server is busy with other searches; try again in a moment."
            return error_response(request, 503, detail, Retry_After=str(RETRY_AFTER_BUSY))
        if isinstance(exception, SearchUnavailable):
            detail = f"Searches are unavailable while the search index is rebuilt ({exception})."
            return error_response(
                request, 503, detail, "503.html", Retry_After=str(RETRY_AFTER_REBUILD)
            )
        if is_write_conflict(exception):
            first_line = (str(exception.__cause__).splitlines() or [""])[0]
            log.warning("A write collided with another (%s): answered 503.", first_line)
            detail = "This change collided with another made at the same time; send it again."
            return error_response(request, 503, detail, Retry_After=str(RETRY_AFTER_CONFLICT))
        if not is_statement_timeout(exception):
            return None
        detail = (
            "The request took too long to answer and was stopped; try again in a moment, "
            "or narrow it down."
        )
        return error_response(request, 503, detail, Retry_After=str(RETRY_AFTER_TIMEOUT))


# PostgreSQL's codes for a connection lost or refused: class 08, and the server shutting
# down or starting up. Other operational errors (a deadlock, a timeout) are the request's.
_UNREACHABLE_CODES = ("57P01", "57P02", "57P03")


def is_database_outage(exception: BaseException) -> bool:
    """The database does not answer: no connection, or one it closed."""
    if isinstance(exception, InterfaceError):
        return True
    if not isinstance(exception, OperationalError):
        return False
    code = getattr(exception.__cause__, "sqlstate", None)
    return code is None or code.startswith("08") or code in _UNREACHABLE_CODES


class _Outage:
    """One process's view of an outage, so that it logs one line when it starts and one when
    it ends, not a traceback per request."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.answered = 0
        self._lock = threading.Lock()

    def seen(self, exception: BaseException) -> None:
        with self._lock:
            self.answered += 1
            if self.since is not None:
                return
            self.since = time.monotonic()
        first_line = (str(exception).strip().splitlines() or [""])[0]
        log.error(
            "The database does not answer (%s: %s): answering 503 until it does.",
            type(exception).__name__,
            first_line,
        )

    def check_over(self) -> None:
        """While an outage lasts, whether the database answers again (one query)."""
        if self.since is None:
            return
        try:
            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return
        with self._lock:
            if self.since is None:
                return
            seconds, answered = time.monotonic() - self.since, self.answered
            self.since, self.answered = None, 0
        log.warning(
            "The database answers again, after %.0f s (%d requests answered 503).",
            seconds,
            answered,
        )


outage = _Outage()


class DatabaseUnavailableMiddleware:
    """A request that finds the database unreachable answers HTTP 503 with Retry-After (a
    JSON ``detail`` on the API, a page on the site), and the outage is logged once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 503:
            outage.check_over()
        return response

    def process_exception(self, request, exception):
        return outage_response(request, exception)


def outage_response(request, exception: BaseException | None) -> HttpResponse | None:
    """The 503 of a database outage, if ``exception`` is one. For the errors of views
    (``DatabaseUnavailableMiddleware``), and of the middleware before them (the throttles
    read the cache, a table of the database): ``api.exceptions.server_error``."""
    if exception is None or not is_database_outage(exception):
        return None
    outage.seen(exception)
    detail = "The database does not answer at the moment; try again in a few seconds."
    response = error_response(request, 503, detail, "503.html", Retry_After=str(RETRY_AFTER_OUTAGE))
    response._has_been_logged = True  # Django's log: logged once per outage, above
    return response
