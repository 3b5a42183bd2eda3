"""Benchmark of the public dump (``dump_public``) on generated data: wall time and peak RSS.

    .venv/bin/python bench/bench_dumps.py --quotes 10000 --copies 9     # 100,000 statements

It generates ``--quotes`` quotes with the generator of bench_import.py and imports them into
a scratch database (``--database-url``, by default ``onrecord_dumps_bench`` on the server at
127.0.0.1:5432; dropped and created again, and dropped at the end). To reach a million
statements without an hour of importing, the imported quotes (with their translations,
citations and topics) are then copied ``--copies`` times by SQL, with new keys and permanent
identifiers, and every quote is made public (published; one in ten retracted): so the dump
holds ``quotes × (copies + 1)`` statements. The copies are written with triggers off
(``session_replication_role = replica``), as a restore would: no history rows, and no search
outbox, which a dump does not read. Then ``dump_public`` runs as its own process, and its
wall time and peak resident memory are reported. Results are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import generate, recreate_database, run

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/onrecord_dumps_bench"
# The tables of a quote's parts, each with its column naming the quote.
QUOTE_PARTS = ("quotes_translation", "quotes_citation", "quotes_quote_topics")


def copied_columns(conn: psycopg.Connection, table: str) -> list[str]:
    """The columns an INSERT may write: not the id, nor generated ones."""
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND is_generated = 'NEVER' AND is_identity = 'NO' AND column_name <> 'id' "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [name for (name,) in rows]


def multiply(url: str, copies: int) -> None:
    """Copy every quote and its parts ``copies`` times, then make every quote public."""
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(
            "CREATE TEMP TABLE copy_map AS SELECT q.id AS old_id, c.n AS n, "
            "nextval(pg_get_serial_sequence('quotes_quote', 'id')) AS new_id "
            "FROM quotes_quote q CROSS JOIN generate_series(1, %s) AS c(n)",
            [copies],
        )
        columns = [c for c in copied_columns(conn, "quotes_quote") if c not in ("key", "uid")]
        names = sql.SQL(", ").join(map(sql.Identifier, columns))
        values = sql.SQL(", ").join(sql.SQL("q.{}").format(sql.Identifier(c)) for c in columns)
        conn.execute(
            sql.SQL(
                "INSERT INTO quotes_quote (id, key, uid, {}) "
                "SELECT m.new_id, q.key || '-' || m.n, gen_random_uuid(), {} "
                "FROM quotes_quote q JOIN copy_map m ON m.old_id = q.id"
            ).format(names, values)
        )
        for table in QUOTE_PARTS:
            columns = [c for c in copied_columns(conn, table) if c != "quote_id"]
            names = sql.SQL(", ").join(map(sql.Identifier, columns))
            values = sql.SQL(", ").join(sql.SQL("p.{}").format(sql.Identifier(c)) for c in columns)
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (quote_id, {}) SELECT m.new_id, {} "
                    "FROM {} p JOIN copy_map m ON m.old_id = p.quote_id"
                ).format(sql.Identifier(table), names, values, sql.Identifier(table))
            )
        conn.execute(
            "UPDATE quotes_quote SET status = CASE WHEN id % 10 = 0 THEN 'retracted' "
            "ELSE 'published' END, published_at = coalesce(published_at, now()), "
            "retracted_at = CASE WHEN id % 10 = 0 THEN now() END, "
            "retraction_reason = CASE WHEN id % 10 = 0 THEN 'Misattributed.' ELSE '' END"
        )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def drop_database(url: str) -> None:
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        name = sql.Identifier(parts.path.lstrip("/"))
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))


def prepare(options: argparse.Namespace, scratch: Path, env: dict) -> int:
    """The scratch database with the statements; return how many are public."""
    data = scratch / "data.ndjson"
    generate(data, options.quotes)
    recreate_database(options.database_url)
    run(["migrate", "-v0"], env)
    started = time.perf_counter()
    run(["import_records", str(data)], env)
    print(f"imported {options.quotes:,} quotes in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    multiply(options.database_url, options.copies)
    print(f"copied {options.copies} times in {time.perf_counter() - started:.0f} s", flush=True)
    with psycopg.connect(options.database_url) as conn:
        return conn.execute("SELECT count(*) FROM quotes_quote").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=10_000, help="Quotes imported.")
    parser.add_argument("--copies", type=int, default=9, help="Copies of them made by SQL.")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        env = {
            **os.environ,
            "DATABASE_URL": options.database_url,
            "DJANGO_SECRET_KEY": "benchmark-only",
            "DJANGO_DEBUG": "false",
            "ONRECORD_SEARCH_DIR": str(scratch / "index"),
            "ONRECORD_DUMPS_DIR": str(scratch / "dumps"),
        }
        try:
            statements = prepare(options, scratch, env)
            seconds, peak = run(["dump_public"], env, stdout=subprocess.DEVNULL)
            sizes = {p.name: p.stat().st_size for p in (scratch / "dumps").glob("*/*.gz")}
        finally:
            drop_database(options.database_url)
    report(statements, seconds, peak, sizes)


def report(statements: int, seconds: float, peak: float, sizes: dict[str, int]) -> None:
    load = os.getloadavg()
    print(
        f"\n{statements:,} public statements, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        f", {platform.machine()}, {os.cpu_count()} cores, load average {load[0]:.1f} "
        f"{load[1]:.1f} {load[2]:.1f}, Python {platform.python_version()}"
    )
    print(f"| dump_public | {seconds:.1f} s | {peak:.0f} MiB peak RSS |")
    for name, size in sorted(sizes.items()):
        print(f"| {name} | {size / 2**20:.1f} MiB | |")


if __name__ == "__main__":
    main()
