"""A backup made as docs/operations.md says restores into an empty database and works.

The demo data is loaded into a scratch database and edited through the API; the database
is dumped with ``pg_dump -Fc`` and restored with ``pg_restore`` into a new, empty database,
and the site served from that one must search, show the same history, refuse a stale edit
and go on recording history with new versions.
"""

import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tests.live_site import (
    call,
    editor_token,
    manage,
    serving,
    site_environment,
    wait_until_ready,
)
from tests.replication import BIN

QUOTE = "wang-yi-2023-10-14-collective-punishment"


def server_conninfo() -> dict:
    """Where the test run's own PostgreSQL server is (embedded, or DATABASE_URL's)."""
    database = settings.DATABASES["default"]
    conninfo = {"user": database["USER"], "password": database["PASSWORD"] or None}
    conninfo.update(host=database["HOST"], port=database["PORT"] or None)
    conninfo.update(database.get("OPTIONS", {}))
    return {key: value for key, value in conninfo.items() if value}


def url(database: str) -> str:
    info = server_conninfo()
    password = f":{info['password']}" if "password" in info else ""
    return (
        f"postgres://{info['user']}{password}@/{database}"
        f"?host={info['host']}&port={info.get('port', 5432)}"
    )


@pytest.fixture
def scratch_databases():
    """Two new database names on the server; both are dropped afterwards."""
    names = [f"onrecord_backup_{uuid.uuid4().hex[:8]}_{role}" for role in ("live", "restored")]
    with psycopg.connect(dbname="postgres", autocommit=True, **server_conninfo()) as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        yield names
        for name in names:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def client_programs() -> Path:
    """pg_dump and pg_restore of the server's own major version, as docs/operations.md
    advises: a newer pg_restore writes settings an older server does not know."""
    with psycopg.connect(dbname="postgres", **server_conninfo()) as conn:
        major = conn.info.server_version // 10_000
    if major == _major_version(BIN):
        return BIN
    installed = Path(f"/usr/lib/postgresql/{major}/bin")
    assert (installed / "pg_restore").exists(), f"no pg_restore {major} in {installed}"
    return installed


def _major_version(bin_dir: Path) -> int:
    output = subprocess.run([str(bin_dir / "pg_restore"), "--version"], capture_output=True)
    return int(output.stdout.split()[-1].split(b".")[0])


def pg(program: str, *args: str) -> None:
    info = server_conninfo()
    connection = ["-h", str(info["host"]), "-p", str(info.get("port", 5432)), "-U", info["user"]]
    environment = {**os.environ, "PGPASSWORD": info.get("password", "")}
    subprocess.run(
        [str(client_programs() / program), *connection, *args],
        check=True,
        timeout=300,
        env=environment,
    )


def edit_context(base: str, token: str, context: str, etag: str):
    return call(
        "PATCH", f"{base}/api/v1/quotes/{QUOTE}/", token, {"context": context}, {"If-Match": etag}
    )


def test_a_restored_dump_keeps_history_conflicts_and_search(scratch_databases, tmp_path: Path):
    live, restored = scratch_databases
    environment = site_environment(url(live), tmp_path / "live")
    manage(environment, "migrate", "--no-input", "-v0")
    manage(environment, "load_demo")
    token = editor_token(environment)
    with serving(environment) as base:
        first = call("GET", f"{base}/api/v1/quotes/{QUOTE}/", token)[2]["ETag"]
        status, _, headers = edit_context(base, token, "A call with Faisal bin Farhan.", first)
        assert status == 200
        second = headers["ETag"]
        history_before = call("GET", f"{base}/api/v1/quotes/{QUOTE}/history/", token)[1]

    dump = tmp_path / "onrecord.dump"
    pg("pg_dump", "--format=custom", f"--file={dump}", live)
    pg("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump))

    environment = site_environment(url(restored), tmp_path / "restored")
    with serving(environment) as base:
        wait_until_ready(base)  # the indexer builds the restored database's index
        assert call("GET", f"{base}/readyz")[:2] == (200, {"status": "ok"})
        found = call("GET", f"{base}/api/v1/quotes/?q=collective%20punishment")[1]
        assert [quote["key"] for quote in found["results"]] == [QUOTE]
        history = call("GET", f"{base}/api/v1/quotes/{QUOTE}/history/", token)[1]
        assert history == history_before  # the token, the history and its authors restored

        # An edit based on the version before the last one is refused as a conflict…
        assert edit_context(base, token, "Stale.", first)[0] == 412
        # …one based on the current version goes through, as a newer version.
        status, _, headers = edit_context(base, token, "After the restore.", second)
        assert status == 200
        assert int(headers["ETag"].strip('"')) > int(second.strip('"'))
        history = call("GET", f"{base}/api/v1/quotes/{QUOTE}/history/", token)[1]
        assert history["count"] == history_before["count"] + 1
        newest = history["results"][0]
        assert newest["version"] == int(headers["ETag"].strip('"'))
        assert newest["user"] == "site-editor"
        [change] = newest["changes"][0]["fields"]
        assert (change["name"], change["after"]) == ("context", "After the restore.")
