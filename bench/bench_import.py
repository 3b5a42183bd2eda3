"""Benchmark of import_records, export_records and export_quotes_csv on generated data.

    .venv/bin/python bench/bench_import.py --quotes 100000

It generates an NDJSON file with the given number of quotes (plus organizations, speakers
with affiliations and other names, and sources; quotes carry translations, citations, topics
and some explicit roles), recreates a scratch database (``--database-url``, by default
``onrecord_bench`` on the server at 127.0.0.1:5432; it is dropped and created again), migrates
it, then runs each command as its own process and reports the wall time and the peak
resident memory of that process. Results are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/onrecord_bench"
LANGUAGES = ["en", "zh", "ru", "fr", "de", "es", "ar", "pt-BR"]
WORDS = [
    "ceasefire",
    "negotiations",
    "sovereignty",
    "humanitarian",
    "corridor",
    "sanctions",
    "dialogue",
    "security",
    "council",
    "resolution",
    "停火",
    "谈判",
    "переговоры",
    "безопасность",
    "résolution",
    "négociations",
]


def generate(path: Path, quotes: int, seed: int = 1) -> dict[str, int]:
    """Write a data set in dependency order; return how many records of each type."""
    rng = random.Random(seed)
    organizations = max(10, quotes // 1000)
    speakers = max(10, quotes // 50)
    sources = max(10, quotes // 10)
    with path.open("w", encoding="utf-8") as out:

        def write(record: dict) -> None:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

        for n in range(organizations):
            record = {"type": "organization", "key": f"org-{n}", "name": f"Ministry {n}"}
            record |= {"kind": "ministry", "country": rng.choice(["CN", "RU", "US", "FR", "BR"])}
            if n >= 10:
                record["parent"] = f"org-{rng.randrange(10)}"
            write(record)
        for n in range(speakers):
            start = rng.randrange(1990, 2015)
            affiliations = [
                {
                    "organization": f"org-{rng.randrange(organizations)}",
                    "role": "Minister",
                    "start": f"{start}-0{rng.randrange(1, 10)}",
                    "end": f"{start + 5}",
                },
                {
                    "organization": f"org-{rng.randrange(organizations)}",
                    "role": "Envoy",
                    "start": f"{start + 6}",
                },
            ]
            write(
                {
                    "type": "speaker",
                    "key": f"speaker-{n}",
                    "name": f"Speaker {n}",
                    "names": [{"name": f"发言人 {n}", "language": "zh"}],
                    "country": "CN",
                    "description": "Diplomat.",
                    "affiliations": affiliations,
                }
            )
        for n in range(sources):
            write(
                {
                    "type": "source",
                    "key": f"source-{n}",
                    "title": f"Report {n}",
                    "url": f"https://news.example.org/{n}",
                    "publisher": "Example News",
                    "published": f"20{rng.randrange(10, 24)}-0{rng.randrange(1, 10)}",
                    "language": "en",
                }
            )
        for n in range(quotes):
            write(quote(rng, n, speakers, sources, organizations))
    return {
        "organization": organizations,
        "speaker": speakers,
        "source": sources,
        "quote": quotes,
    }


def quote(rng: random.Random, n: int, speakers: int, sources: int, organizations: int) -> dict:
    year = rng.randrange(1990, 2025)
    said = rng.choice(
        [
            f"{year}",
            f"{year}-0{rng.randrange(1, 10)}",
            f"{year}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}",
        ]
    )
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(20, 60)))
    record = {
        "type": "quote",
        "key": f"quote-{n}",
        "speaker": f"speaker-{rng.randrange(speakers)}",
        "text": text,
        "language": rng.choice(LANGUAGES),
        "kind": rng.choice(["direct", "partial", "indirect"]),
        "said": said,
        "context": "Press conference",
        "topics": sorted(rng.sample([f"topic-{t}" for t in range(50)], rng.randrange(0, 3))),
        "translations": [{"language": "en", "text": text[::-1], "official": False}],
        "citations": [
            {"source": f"source-{s}", "excerpt": text[:80]}
            for s in rng.sample(range(sources), rng.randrange(1, 3))
        ],
        "status": rng.choice(["draft", "review", "published"]),
    }
    if n % 20 == 0:
        record["role"] = {"organization": f"org-{rng.randrange(organizations)}", "role": "Adviser"}
    return record


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run(args: list[str], env: dict, stdout=subprocess.DEVNULL) -> tuple[float, float]:
    """Run ``manage.py args``; return wall seconds and the process's peak RSS in MiB."""
    started = time.perf_counter()
    process = subprocess.Popen([PYTHON, "manage.py", *args], cwd=ROOT, env=env, stdout=stdout)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed with exit code {process.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument(
        "--import-export-only",
        action="store_true",
        help="Measure only the first import and the exports (for very large data sets).",
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    options = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": options.database_url,
        "DJANGO_SECRET_KEY": "benchmark-only",
        "DJANGO_DEBUG": "false",
    }
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        data = scratch / "data.ndjson"
        started = time.perf_counter()
        counts = generate(data, options.quotes)
        print(
            f"generated {data.stat().st_size / 2**20:.0f} MiB, {counts} "
            f"in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        recreate_database(options.database_url)
        run(["migrate", "-v0"], env)
        results = []

        def measure(label: str, args: list[str], stdout=subprocess.DEVNULL) -> None:
            seconds, peak = run(args, env, stdout)
            results.append((label, seconds, peak))
            print(f"{label}: {seconds:.1f} s, peak RSS {peak:.0f} MiB", flush=True)

        measure("import into an empty database", ["import_records", str(data)])
        if not options.import_export_only:
            measure("import the same file again (all unchanged)", ["import_records", str(data)])
            measure("import --dry-run", ["import_records", "--dry-run", str(data)])
        exported = scratch / "export.ndjson"
        measure("export_records", ["export_records", str(exported)])
        measure("export_quotes_csv", ["export_quotes_csv", str(scratch / "quotes.csv")])
        if options.import_export_only:
            report(options, results, None)
            return
        recreate_database(options.database_url)
        run(["migrate", "-v0"], env)
        measure("import the export into an empty database", ["import_records", str(exported)])
        again = scratch / "again.ndjson"
        run(["export_records", str(again)], env)
        identical = again.read_bytes() == exported.read_bytes()
        print(f"round trip byte-identical: {identical}")

    report(options, results, identical)


def report(options: argparse.Namespace, results: list, identical: bool | None) -> None:
    print(
        f"\n{options.quotes} quotes, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print("| step | wall time | peak RSS |\n| --- | ---: | ---: |")
    for label, seconds, peak in results:
        print(f"| {label} | {seconds:.1f} s | {peak:.0f} MiB |")
    if identical is not None:
        print(f"| round trip byte-identical | {identical} | |")


if __name__ == "__main__":
    main()
