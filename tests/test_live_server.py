"""Rate limits and statement timeouts against a real gunicorn with 2 workers, serving the
test database (and the cache CACHE_URL chooses: CI runs this file on both)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
RATE = 100  # per minute, for the burst
BURST = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_environment() -> dict[str, str]:
    """DATABASE_URL for the test database; a Unix socket directory goes in PGHOST."""
    db = settings.DATABASES["default"]
    host, port = str(db["HOST"]), str(db["PORT"] or 5432)
    if host.startswith("/"):
        return {
            "DATABASE_URL": f"postgres://{db['USER']}@/{db['NAME']}",
            "PGHOST": host,
            "PGPORT": port,
        }
    return {"DATABASE_URL": f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"}


def connect() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
        autocommit=True,
    )


def get(url: str) -> tuple[int, dict[str, str], bytes, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            status, headers, body = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, dict(error.headers), error.read()
    return status, headers, body, time.monotonic() - started


@pytest.fixture
def gunicorn(db, tmp_path):
    """Start gunicorn (2 workers, DEBUG off) on the test database, which it sees as
    migrated (the test's own writes stay in its transaction); yield its address."""
    port = free_port()
    cache_url = os.environ.get("CACHE_URL", "dbcache://onrecord_cache")
    separator = "&" if "?" in cache_url else "?"
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PGHOST", "PGPORT")},
        **database_environment(),
        "CACHE_URL": f"{cache_url}{separator}key_prefix=live-{uuid4().hex}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "test-only-secret",
        "ONRECORD_RATE_ANON": f"{RATE}/min",
        "ONRECORD_STATEMENT_TIMEOUT_MS": "500",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(GUNICORN), "project.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, server, tmp_path / "gunicorn.log")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def wait_until_serving(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited: {log.read_text()}")
        try:
            if get(f"{base}/healthz")[0] == 200:  # Django answers, outside the rate limits
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within 60 s: {log.read_text()}")


def test_a_burst_across_two_workers_gets_the_limit_through(gunicorn):
    if time.time() % 60 > 40:  # the burst must fall in one minute's window
        time.sleep(60.5 - time.time() % 60)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: get(f"{gunicorn}/api/v1/topics/"), range(BURST)))
    statuses = [status for status, *_ in answers]
    assert set(statuses) == {200, 429}
    assert RATE * 0.8 <= statuses.count(200) <= RATE * 1.2, statuses.count(200)
    refused = next(a for a in answers if a[0] == 429)
    assert int(refused[1]["Retry-After"]) >= 1
    assert "throttled" in json.loads(refused[2])["detail"]
    assert all(headers["RateLimit-Limit"] == str(RATE) for _, headers, *_ in answers)


def test_a_query_past_the_statement_timeout_is_a_prompt_503_and_workers_go_on(gunicorn):
    with connect() as locker:
        locker.execute("BEGIN")
        locker.execute("LOCK TABLE quotes_topic IN ACCESS EXCLUSIVE MODE")
        blocked = [get(f"{gunicorn}/api/v1/topics/") for _ in range(3)]
        locker.execute("ROLLBACK")
    for status, headers, body, elapsed in blocked:
        assert status == 503
        assert int(headers["Retry-After"]) >= 1
        assert "too long" in json.loads(body)["detail"]
        assert elapsed < 5  # the 500 ms timeout, not gunicorn's 30 s
    assert [get(f"{gunicorn}/api/v1/topics/")[0] for _ in range(6)] == [200] * 6


def test_management_commands_run_without_a_statement_timeout(db):
    code = (
        "from django.db import connection; cursor = connection.cursor(); "
        "cursor.execute('SHOW statement_timeout'); print(cursor.fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        # The test database: on a server given by DATABASE_URL, its own database may not exist.
        env={**os.environ, **database_environment(), "ONRECORD_STATEMENT_TIMEOUT_MS": "500"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0"
