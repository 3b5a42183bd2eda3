"""Liveness and readiness probes for load balancers and orchestrators: /healthz, /readyz.

``/healthz`` says the process serves requests and touches nothing else. ``/readyz`` runs
each check named in ``settings.READINESS_CHECKS`` (a dotted path to a function taking no
argument and returning ``None`` when ready, or the reason why not) and answers 503 with the
reasons of the failing ones. A new check (a search index's lag, say) is one more entry.
The checks of ``settings.DEGRADED_CHECKS`` concern what the service works without (the
shared cache): a failing one leaves the answer 200, with ``"status": "degraded"`` and its
reason under ``degraded``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    reasons = [reason for reason in _reasons(settings.READINESS_CHECKS) if reason]
    degraded = [reason for reason in _reasons(settings.DEGRADED_CHECKS) if reason]
    if reasons:
        body = {"status": "unavailable", "reasons": reasons}
        return JsonResponse({**body, "degraded": degraded} if degraded else body, status=503)
    if degraded:
        return JsonResponse({"status": "degraded", "degraded": degraded})
    return JsonResponse({"status": "ok"})


def _reasons(checks: list[str]):
    return (import_string(check)() for check in checks)


def cache_answers() -> str | None:
    """The shared cache (Redis, or the database's cache table) answers a read."""
    from project.cache import CACHE_ERRORS, OUTAGE

    try:
        cache.get("onrecord:readyz")
    except (*CACHE_ERRORS, DatabaseError) as error:
        OUTAGE.failed(error)
        return (
            f"cache does not answer: {type(error).__name__}; rate limits are counted in "
            "each process"
        )
    OUTAGE.answered()
    return None


def database_answers() -> str | None:
    """Every configured database (the primary and each replica) answers a query."""
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            return f"database {alias!r} does not answer: {type(error).__name__} {first_line}"
    return None


def migrations_applied() -> str | None:
    """Every migration of the code is applied to the primary database."""
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return f"migrations cannot be read: {type(error).__name__}"
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        return f"{len(plan)} migration(s) not applied: {names}{more}"
    return None
