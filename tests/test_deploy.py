"""Deployment settings: HTTPS behind a proxy, security headers, persistent connections."""

import json
import secrets
from uuid import uuid4

import pytest

from tests.test_live_server import database_environment
from tests.test_settings import run_django

PRODUCTION = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}
CHECK_DEPLOY = (
    "import django, sys; django.setup(); from django.core.management import call_command; "
    "call_command('check', deploy=True, fail_level='WARNING')"
)
# Requests through Django's test client in a process started with the given environment.
REQUESTS = """
import django, json; django.setup()
from django.conf import settings
from django.test import Client
plain = Client(HTTP_HOST="localhost", HTTP_ACCEPT="application/json")
proxied = {"HTTP_X_FORWARDED_PROTO": "https"}
behind_tls = Client(HTTP_HOST="localhost", HTTP_ACCEPT="application/json", **proxied)
redirect = plain.get("/api/v1/")
print(json.dumps({
    "plain": redirect.status_code,
    "location": redirect.headers.get("Location"),
    "healthz": plain.get("/healthz").status_code,
    "hsts": behind_tls.get("/api/v1/").headers.get("Strict-Transport-Security"),
    "secure_cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
}))
"""


def test_check_deploy_reports_no_issues_with_https():
    result = run_django(CHECK_DEPLOY, ONRECORD_HTTPS="true", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_without_https_check_deploy_names_what_is_missing():
    result = run_django(CHECK_DEPLOY, ONRECORD_HTTPS="false", **PRODUCTION)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_with_https_plain_requests_are_redirected_and_browsers_told_to_stay(db):
    # The child serves from the test database, migrated for every app (the rate limits'
    # cache table included), with a cache prefix of its own so no other test's quota moves.
    result = run_django(
        REQUESTS,
        ONRECORD_HTTPS="true",
        CACHE_URL=f"dbcache://onrecord_cache?key_prefix=deploy-{uuid4().hex}",
        **database_environment(),
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.splitlines()[-1])
    assert answers["plain"] == 301
    assert answers["location"] == "https://localhost/api/v1/"
    assert answers["healthz"] == 200  # load balancers probe over plain HTTP
    assert answers["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert answers["secure_cookies"] == [True, True]


@pytest.mark.parametrize(
    ("environment", "expected"), [({}, "60 True"), ({"DATABASE_CONN_MAX_AGE": "0"}, "0 True")]
)
def test_database_connections_persist_with_health_checks(environment, expected):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])"
    )
    result = run_django(
        code, DATABASE_URL="postgres://someone@db.example.org/x", **PRODUCTION, **environment
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/admin/login/", "/api/v1/quotes/", "/api/docs/", "/api/schema/", "/healthz", "/dumps/"],
)
def test_every_page_carries_the_security_headers(client, path):
    response = client.get(path, HTTP_ACCEPT="text/html,*/*;q=0.8")  # as browsers ask
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
