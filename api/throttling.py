"""Rate limits of the API, counted in the cache that every worker and app server shares.

Who is counted, and at what rate (``quota_for``):

- a client key (``Authorization: Api-Key …``): by key, at the key's own rate or
  ``ONRECORD_RATE_CLIENT``;
- a signed-in user: by account, at ``ONRECORD_RATE_CLIENT``; editors' and reviewers' reads
  are not counted (their writes are);
- anyone else: by address, at ``ONRECORD_RATE_ANON``.

Each quota is a fixed window (a minute for ``60/min``) counted with the cache's atomic
``incr``, so that N requests a window get through however many workers answer them. Every
API answer says where the client stands in ``RateLimit-Limit``, ``RateLimit-Remaining`` and
``RateLimit-Reset`` (seconds until the window ends); a refused request gets HTTP 429 with
``Retry-After``. While the cache does not answer, each process counts on its own
(``project.cache.guarded``; docs/operations.md).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from project.cache import LOCAL_COUNTS, guarded
from quotes.permissions import may

API_PREFIX = "/api/"


@dataclass(frozen=True)
class Quota:
    scope: str
    ident: str
    limit: int
    period: int  # seconds
    counted: bool = True  # False: the request is shown the quota but not counted

    def window(self, now: float) -> tuple[str, int]:
        """The cache key of the current window, and the seconds left in it."""
        number = int(now // self.period)
        reset = max(1, math.ceil((number + 1) * self.period - now))
        return f"ratelimit:{self.scope}:{self.ident}:{number}", reset


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }


def parse_rate(rate: str) -> tuple[int, int]:
    """``"60/min"`` → (60, 60): requests, and the seconds they are counted over.

    DRF's notation: a number, a slash and a unit of which the first letter counts (s, m, h
    or d). Raises ValueError for anything else.
    """
    number, slash, unit = rate.partition("/")
    periods = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    if not (
        slash
        and number.strip().isascii()
        and number.strip().isdigit()
        and unit.strip()[:1] in periods
    ):
        raise ValueError(f'{rate!r} is not a rate such as "60/min" or "5000/hour".')
    return int(number), periods[unit.strip()[0]]


def is_curator(user) -> bool:
    """Editors and reviewers: those who may read unpublished quotes."""
    return bool(user and user.is_authenticated and may(user, "view", "quote"))


def client_address(request) -> str:
    # DRF's rule for X-Forwarded-For, with NUM_PROXIES (ONRECORD_NUM_PROXIES) trusted proxies.
    return BaseThrottle().get_ident(request)


def quota_for(request, user, auth) -> Quota:
    """The quota that counts ``request``, made by ``user`` with credentials ``auth``."""
    from api.models import ClientKey

    if isinstance(auth, ClientKey):
        limit, period = parse_rate(auth.rate or settings.ONRECORD_RATE_CLIENT)
        return Quota("key", auth.prefix, limit, period)
    if user is not None and user.is_authenticated:
        limit, period = parse_rate(settings.ONRECORD_RATE_CLIENT)
        counted = not (request.method in SAFE_METHODS and is_curator(user))
        return Quota("user", str(user.pk), limit, period, counted=counted)
    limit, period = parse_rate(settings.ONRECORD_RATE_ANON)
    return Quota("anon", client_address(request), limit, period)


def count_request(quota: Quota, now: float | None = None) -> tuple[bool, RateLimitState]:
    """Count one request against ``quota``; whether it may go on, and the state after it."""
    key, reset = quota.window(time.time() if now is None else now)
    if not quota.counted:
        return True, peek(quota)
    used = increment(key, timeout=quota.period + 1)
    return used <= quota.limit, RateLimitState(quota.limit, max(0, quota.limit - used), reset)


def increment(key: str, timeout: int) -> int:
    """Count one more in ``key`` atomically; its new value."""
    return guarded(
        lambda: _shared_increment(key, timeout), lambda: LOCAL_COUNTS.count(key, timeout)
    )


def _shared_increment(key: str, timeout: int) -> int:
    if hasattr(cache, "count"):  # project.cache.DatabaseCache: one short transaction
        return cache.count(key, timeout)
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)  # atomic in Redis
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        return 1


def peek(quota: Quota) -> RateLimitState:
    """The state of ``quota`` without counting a request."""
    key, reset = quota.window(time.time())
    used = guarded(lambda: cache.get(key, 0), lambda: LOCAL_COUNTS.get(key))
    return RateLimitState(quota.limit, max(0, quota.limit - used), reset)


class RateLimitThrottle(SimpleRateThrottle):
    """DRF's throttle hook over ``quota_for`` and ``count_request`` (see the module)."""

    def __init__(self):  # the rate depends on the request: see quota_for
        self.state: RateLimitState | None = None

    def allow_request(self, request, view) -> bool:
        quota = quota_for(request, request.user, request.auth)
        allowed, self.state = count_request(quota)
        request._request.rate_limit = self.state
        return allowed

    def wait(self) -> float | None:
        return self.state.reset if self.state else None


class RateLimitHeadersMiddleware:
    """Adds the RateLimit headers to every answer under /api/, including those given
    before the throttle ran (a refused key, a body too large, an unknown address)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX):
            return response
        state = getattr(request, "rate_limit", None)
        if state is None:
            user = getattr(request, "user", None)
            state = peek(quota_for(request, user, getattr(request, "auth", None)))
        for name, value in state.headers().items():
            response[name] = value
        return response
