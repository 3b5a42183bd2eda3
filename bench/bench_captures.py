"""Benchmark of captures (``sources_check``) against local web servers: rate per host and
overall at the configured politeness, peak RSS, and storage growth with deduplication.

    .venv/bin/python bench/bench_captures.py --sources 2000 --hosts 10 --interval 0.5

It recreates a scratch database (``--database-url``, by default ``onrecord_captures_bench``
on the server at 127.0.0.1:5432; dropped at the end), migrates it, and writes ``--sources``
sources, each cited by one statement, whose addresses are spread over ``--hosts`` web
servers on 127.0.0.2, 127.0.0.3… (each its own host for the politeness rule). Every page is
an article holding its citation's excerpt. ``sources_check`` then runs twice as its own
process, with ``ONRECORD_CAPTURES_HOST_INTERVAL=--interval``: first every page is new; before
the second, ``--changed`` of the pages lose their excerpt, so the second run stores only
their new bodies (the others are identical) and flags their citations. Each run reports its
wall time, the captures a second overall and per host, the peak resident memory, and the
growth of the WARC files and of the captures' table. Results are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import recreate_database, run

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/onrecord_captures_bench"
FILLER = (
    "The minister spoke to reporters after the meeting in the capital on Tuesday. She "
    "described the talks as frank and said that more meetings would follow soon. "
)


def excerpt(n: int) -> str:
    return f"Statement number {n}: we call on both sides to return to the table."


class Pages:
    """The articles the servers answer; ``changed`` pages no longer hold their excerpt."""

    def __init__(self) -> None:
        self.changed: set[int] = set()

    def body(self, n: int) -> bytes:
        said = "The ministry revised this readout." if n in self.changed else excerpt(n)
        paragraphs = "".join(f"<p>{FILLER}{FILLER}</p>" for _ in range(6))
        return (
            f"<html><head><title>Readout {n}</title></head><body><article><h1>Readout {n}</h1>"
            f"{paragraphs}<p>{FILLER}{said} {FILLER}</p>{paragraphs}</article></body></html>"
        ).encode()


def serve(pages: Pages, hosts: int) -> list[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.rsplit("/", 1)[-1]
            if not self.path.startswith("/readouts/") or not name.isdigit():
                self.send_error(404)
                return
            body = pages.body(int(name))
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    bases = []
    for index in range(hosts):
        server = ThreadingHTTPServer((f"127.0.0.{index + 2}", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        bases.append(f"http://127.0.0.{index + 2}:{server.server_address[1]}")
    return bases


def write_sources(url: str, bases: list[str], count: int) -> None:
    """One speaker, ``count`` sources and as many published quotes citing them, by SQL."""
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO quotes_speaker (key, name, name_latin, country, description, "
            "wikidata, created, updated) VALUES ('bench', 'Bench Speaker', 'Bench Speaker', "
            "'', '', '', now(), now())"
        )
        for n in range(count):
            base = bases[n % len(bases)]
            source_id = conn.execute(
                "INSERT INTO quotes_source (key, kind, title, url, publisher, published, "
                "language, author, archive_url, full_text, created, updated) VALUES "
                "(%s, 'news_article', %s, %s, 'Bench', NULL, 'en', '', '', '', now(), now()) "
                "RETURNING id",
                [f"readout-{n}", f"Readout {n}", f"{base}/readouts/{n}"],
            ).fetchone()[0]
            quote_id = conn.execute(
                "INSERT INTO quotes_quote (key, uid, speaker_id, text, language, kind, said, "
                "context, role_resolution, status, retraction_reason, corrections, created, "
                "updated) SELECT %s, gen_random_uuid(), id, %s, 'en', 'direct', '2026-01-01', "
                "'', 'none', 'published', '', '[]', now(), now() FROM quotes_speaker "
                "RETURNING id",
                [f"q-{n}", excerpt(n)],
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO quotes_citation (quote_id, source_id, excerpt, verified_by_name, "
                "created, updated) VALUES (%s, %s, %s, '', now(), now())",
                [quote_id, source_id, excerpt(n)],
            )


def storage(url: str, data: Path) -> tuple[int, int, int]:
    """Files and bytes of the WARC files, and bytes of the captures' table."""
    files = [p for p in (data / "captures").rglob("*") if p.is_file()]
    with psycopg.connect(url) as conn:
        table = conn.execute("SELECT pg_total_relation_size('captures_capture')").fetchone()[0]
    return len(files), sum(p.stat().st_size for p in files), table


def flagged(url: str) -> int:
    with psycopg.connect(url) as conn:
        query = "SELECT count(*) FROM captures_citationcheck WHERE changed_since IS NOT NULL"
        return conn.execute(query).fetchone()[0]


def capture_round(label: str, options, env: dict, url: str, data: Path) -> None:
    before = storage(url, data)
    seconds, rss = run(["sources_check"], env)
    after = storage(url, data)
    rate = options.sources / seconds
    per_thousand = (after[1] - before[1]) / options.sources * 1000 / 2**20
    table = (after[2] - before[2]) / options.sources * 1000 / 2**20
    print(
        f"{label}: {options.sources} captures in {seconds:.1f} s: {rate:.1f}/s overall, "
        f"{rate / options.hosts:.2f}/s per host; peak RSS {rss:.0f} MiB; "
        f"+{after[0] - before[0]} WARC files, +{per_thousand:.2f} MiB of WARC and "
        f"+{table:.2f} MiB of table per 1,000 captures; {flagged(url)} citations flagged",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--interval", type=float, default=0.5, help="Seconds between requests.")
    parser.add_argument("--changed", type=float, default=0.1, help="Share of pages changed.")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    options = parser.parse_args()
    url = options.database_url
    pages = Pages()
    bases = serve(pages, options.hosts)
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SECRET_KEY": "benchmark-only",
            "DJANGO_DEBUG": "false",
            "ONRECORD_DATA_DIR": str(data),
            "ONRECORD_SEARCH_DIR": str(data / "index"),
            "ONRECORD_INTAKE_FETCH_PRIVATE": "true",
            "ONRECORD_CAPTURES_HOST_INTERVAL": str(options.interval),
        }
        recreate_database(url)
        try:
            run(["migrate", "-v0"], env)
            write_sources(url, bases, options.sources)
            capture_round("first run (all new)", options, env, url, data)
            step = max(1, round(1 / options.changed)) if options.changed else 0
            pages.changed = set(range(0, options.sources, step)) if step else set()
            capture_round(f"second run ({len(pages.changed)} changed)", options, env, url, data)
        finally:
            drop(url)


def drop(url: str) -> None:
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        name = sql.Identifier(parts.path.lstrip("/"))
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


if __name__ == "__main__":
    main()
