"""A benchmark's own database on the server the project uses (the embedded one unless
DATABASE_URL is set): made anew, or kept when it exists, then migrated; Django's default
connection is pointed at it. Call after ``django.setup()``."""

from __future__ import annotations

import psycopg
from psycopg import sql


def scratch_database(name: str, *, fresh: bool = True) -> None:
    from django.conf import settings
    from django.core.management import call_command

    database = settings.DATABASES["default"]
    conninfo = {
        "dbname": "postgres",
        "user": database["USER"],
        "host": database["HOST"],
        "port": database["PORT"],
        "password": database.get("PASSWORD") or None,
    }
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        identifier = sql.Identifier(name)
        if fresh:  # FORCE: a connection left by an interrupted run does not block the drop
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
    database["NAME"] = name
    call_command("migrate", verbosity=0)
