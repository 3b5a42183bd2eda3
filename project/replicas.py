"""Reads on PostgreSQL streaming replicas, writes on the primary (DATABASE_REPLICA_URLS).

Only the reads of a web request that changes nothing go to a replica, and only for the apps
in ``settings.REPLICA_READ_APPS``. A request that writes (any unsafe method) runs wholly on
the primary, and so do the requests of a client that wrote within
``settings.REPLICA_STICKY_SECONDS``: it reads its own writes even while the replicas lag.
Which clients wrote is kept in the shared cache, so that every worker and every app server
knows it. Commands, the shell and anything else outside a request use the primary.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from contextvars import ContextVar

import environ
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# The replica aliases the current request may read from; empty: read from the primary.
_readable_replicas: ContextVar[tuple[str, ...]] = ContextVar("readable_replicas", default=())


def replica_databases(urls: list[str], databases: dict) -> dict:
    """Return the DATABASES entries ``replica_1``, ``replica_2``… for the given URLs.

    They share the primary's connection settings; the test runner treats them as mirrors of
    the primary, so tests need no replica of their own.
    """
    primary = databases[PRIMARY]
    shared = {key: primary[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS") if key in primary}
    return {
        f"replica_{number}": {
            **environ.Env.db_url_config(url.strip()),
            **shared,
            "TEST": {"MIRROR": PRIMARY},
        }
        for number, url in enumerate((url for url in urls if url.strip()), start=1)
    }


def replica_aliases() -> tuple[str, ...]:
    return tuple(alias for alias in settings.DATABASES if alias.startswith("replica_"))


class ReplicaRouter:
    """Send the reads of a read-only request to a replica, everything else to the primary."""

    def db_for_read(self, model, **hints) -> str:
        replicas = _readable_replicas.get()
        if (
            not replicas
            or model._meta.app_label not in settings.REPLICA_READ_APPS
            or connections[PRIMARY].in_atomic_block
        ):
            return PRIMARY
        return random.choice(replicas)

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Every database holds the same data: a replica is a copy of the primary.
        return True

    def allow_migrate(self, db, app_label, **hints) -> bool:
        return db == PRIMARY


def _client_key(request: HttpRequest) -> str | None:
    """Who the client is: its credentials (a token, a key) or its session cookie."""
    credential = request.headers.get("Authorization") or request.COOKIES.get(
        settings.SESSION_COOKIE_NAME
    )
    if not credential:
        return None
    return "onrecord:wrote:" + hashlib.sha256(credential.encode()).hexdigest()


class ReplicaMiddleware:
    """Choose, per request, whether its reads may go to a replica; remember who wrote."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        replicas = replica_aliases()
        if not replicas:
            return self.get_response(request)
        client = _client_key(request)
        writes = request.method not in SAFE_METHODS
        read_only = not writes and not (client and _wrote(client))
        token = _readable_replicas.set(replicas if read_only else ())
        try:
            response = self.get_response(request)
        finally:
            _readable_replicas.reset(token)
        if writes and client and response.status_code < 400:
            _mark_wrote(client)
        return response


def _wrote(client: str) -> bool:
    from project.cache import guarded  # (settings import this module: the cache comes later)

    # A cache that does not answer cannot say whether the client wrote: the primary, then.
    return bool(guarded(lambda: cache.get(client), lambda: True))


def _mark_wrote(client: str) -> None:
    from project.cache import guarded

    guarded(lambda: cache.set(client, True, timeout=settings.REPLICA_STICKY_SECONDS), lambda: None)
