"""Rate limits of the reader site and its feeds, counted like the API's (api/throttling.py),
in the same shared cache, per client: anonymous readers by address at ONRECORD_RATE_SITE,
signed-in users by account at ONRECORD_RATE_CLIENT (editors' and reviewers' reading is not
counted). Past the limit a page answers 429 with ``Retry-After`` and a page saying so."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from api.throttling import (
    Quota,
    RateLimitState,
    client_address,
    count_request,
    is_curator,
    parse_rate,
)

logger = logging.getLogger(__name__)

# Not the reader's: the API counts its own requests, the admin has its login lock-out, and
# the probes and static files must always answer.
NOT_COUNTED = ("/api/", "/admin/", "/static/", "/healthz", "/readyz")


def site_quota(request: HttpRequest) -> Quota:
    """The quota that counts a request for a page or a feed."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        limit, period = parse_rate(settings.ONRECORD_RATE_CLIENT)
        return Quota("site-user", str(user.pk), limit, period, counted=not is_curator(user))
    limit, period = parse_rate(settings.ONRECORD_RATE_SITE)
    return Quota("site-anon", client_address(request), limit, period)


class SiteRateLimitMiddleware:
    """Counts each request for the reader's pages and feeds; 429 past the client's limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(NOT_COUNTED):
            return self.get_response(request)
        allowed, state = count_request(site_quota(request))
        response = self.get_response(request) if allowed else too_many_requests(request, state)
        for name, value in state.headers().items():
            response[name] = value
        return response


def too_many_requests(request: HttpRequest, state: RateLimitState) -> HttpResponse:
    """The reader's 429 page, with ``Retry-After``."""
    context = {"retry_after": state.reset, "limit": state.limit}
    try:
        body = render_to_string("429.html", context, request=request)
    except ValueError:  # no collected static files: the page cannot name its style sheet
        logger.exception("The 429 page could not be rendered: has collectstatic run?")
        body = f"Too many requests: try again in {state.reset} seconds."
    response = HttpResponse(body, status=429, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(state.reset)
    return response
