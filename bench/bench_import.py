"""Benchmark of import_records, export_records and export_quotes_csv on generated data.

    .venv/bin/python bench/bench_import.py --quotes 100000

It generates an NDJSON file with the given number of quotes (plus organizations, speakers
with affiliations and other names, and sources; quotes carry translations, citations, topics
and some explicit roles), recreates a scratch database (``--database-url``, by default
``onrecord_bench`` on the server at 127.0.0.1:5432; it is dropped and created again), migrates
it, then runs each command as its own process and reports the wall time and the peak
resident memory of that process. Results are recorded in docs/performance.md.

In the same run, for comparison: the rows the import wrote are dumped and loaded again into
an empty database by ``psql``'s ``\\copy`` (the same tables, triggers and history included);
the search indexer applies the import's outbox (the bulk indexing after the commit), and
``search_reindex`` rebuilds the index from scratch.
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


def generate(
    path: Path, quotes: int, seed: int = 1, *, new: int = 0, first: int = 0
) -> dict[str, int]:
    """Write a data set in dependency order; return how many records of each type.

    With ``new``, only ``new`` other quotes, numbered from ``first``, citing the stored
    organizations, speakers and sources of the data set of ``quotes`` quotes: its speaker
    lines again would drop the affiliations its quotes' roles added, a change of published
    quotes refused without a correction note."""
    rng = random.Random(seed)
    organizations = max(10, quotes // 1000)
    speakers = max(10, quotes // 50)
    sources = max(10, quotes // 10)
    with path.open("w", encoding="utf-8") as out:

        def write(record: dict) -> None:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

        for n in range(0 if new else organizations):
            record = {"type": "organization", "key": f"org-{n}", "name": f"Ministry {n}"}
            record |= {"kind": "ministry", "country": rng.choice(["CN", "RU", "US", "FR", "BR"])}
            if n >= 10:
                record["parent"] = f"org-{rng.randrange(10)}"
            write(record)
        for n in range(0 if new else speakers):
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
        for n in range(0 if new else sources):
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
        rng = random.Random(seed + first)
        for n in range(first, first + (new or quotes)):
            record = quote(rng, n, speakers, sources, organizations)
            if new:  # a new role's affiliation would alter the role published quotes show
                record.pop("role", None)
            write(record)
    return {
        "organization": organizations,
        "speaker": speakers,
        "source": sources,
        "quote": new or quotes,
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


# The tables an import writes, and the columns COPY can load (said_start is generated).
COPIED_TABLES = [
    "quotes_organization",
    "quotes_speaker",
    "quotes_speakername",
    "quotes_affiliation",
    "quotes_source",
    "quotes_topic",
    "quotes_quote",
    "quotes_translation",
    "quotes_quote_topics",
    "quotes_citation",
]


def table_columns(url: str, table: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND is_generated = 'NEVER' ORDER BY ordinal_position",
            [table],
        ).fetchall()
    return [f'"{row[0]}"' for row in rows]


def dump_tables(url: str, scratch: Path) -> list[tuple[str, list[str], Path]]:
    dumps = []
    with psycopg.connect(url) as conn:
        for table in COPIED_TABLES:
            columns = table_columns(url, table)
            path = scratch / f"{table}.copy"
            with (
                path.open("wb") as out,
                conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) TO STDOUT") as copy,
            ):
                for chunk in copy:
                    out.write(chunk)
            dumps.append((table, columns, path))
    return dumps


def psql_copy(url: str, dumps: list[tuple[str, list[str], Path]]) -> float:
    """Load the dumped rows with psql's \\copy in one transaction; return wall seconds."""
    script = ["BEGIN;", "SET CONSTRAINTS ALL IMMEDIATE;"]
    script += [f"\\copy {t} ({', '.join(c)}) FROM '{p}'" for t, c, p in dumps]
    script.append("COMMIT;")
    started = time.perf_counter()
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", url],
        input="\n".join(script).encode(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def run(
    args: list[str], env: dict, stdout=subprocess.DEVNULL, *, refused: str = "", each: str = ""
) -> tuple[float, float]:
    """Run ``manage.py args``; wall seconds and the process's peak RSS in MiB. It must
    succeed, or with ``refused`` fail with that on its standard error (an import's errors),
    each error line saying ``each``: anything else stops the benchmark, which would
    otherwise time a failure or another refusal than the one meant."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, stdout=stdout, stderr=stderr
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        stderr.seek(0)
        errors = stderr.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if (code != 0) != bool(refused) or refused not in errors:
        expected = f"refused with “{refused}”" if refused else "exit code 0"
        raise SystemExit(
            f"manage.py {' '.join(args)}: exit code {code}, expected {expected}\n{errors[-2000:]}"
        )
    other = [line for line in errors.splitlines() if line.startswith("line ") and each not in line]
    if other:
        raise SystemExit(f"manage.py {' '.join(args)}: refused for another reason: {other[0]}")
    if refused:
        print(errors.strip().splitlines()[-1], flush=True)
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument(
        "--import-export-only",
        action="store_true",
        help="Measure only the first import, the indexing, psql's \\copy and the exports.",
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--similar",
        type=int,
        default=0,
        metavar="N",
        help="Only: import the data set, then N new quotes into it (the similar-text check "
        "against the quotes on record: generated texts share their words, so the import is "
        "refused), and the same N with --allow-similar (the check skipped).",
    )
    options = parser.parse_args()
    url = options.database_url
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SECRET_KEY": "benchmark-only",
            "DJANGO_DEBUG": "false",
            "ONRECORD_SEARCH_DIR": str(scratch / "index"),
        }
        data = scratch / "data.ndjson"
        started = time.perf_counter()
        counts = generate(data, options.quotes)
        print(
            f"generated {data.stat().st_size / 2**20:.0f} MiB, {counts} "
            f"in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        recreate_database(url)
        run(["migrate", "-v0"], env)
        run(["search_reindex"], env)  # an empty index, which the indexer then follows
        results = []

        def measure(label: str, args: list[str], stdout=subprocess.DEVNULL) -> float:
            seconds, peak = run(args, env, stdout)
            results.append((label, seconds, peak))
            print(f"{label}: {seconds:.1f} s, peak RSS {peak:.0f} MiB", flush=True)
            return seconds

        imported = measure("import into an empty database", ["import_records", str(data)])
        if options.similar:
            return similar_check(options, data.parent, env, results, measure)
        measure("search indexer: the import's outbox, in bulk", ["search_indexer", "--once"])
        measure("search_reindex (from scratch)", ["search_reindex"])
        dumps = dump_tables(url, scratch)
        if not options.import_export_only:
            measure("import the same file again (all unchanged)", ["import_records", str(data)])
            measure("import --dry-run", ["import_records", "--dry-run", str(data)])
        exported = scratch / "export.ndjson"
        measure("export_records", ["export_records", str(exported)])
        measure("export_quotes_csv", ["export_quotes_csv", str(scratch / "quotes.csv")])
        recreate_database(url)
        run(["migrate", "-v0"], env)
        copied = psql_copy(url, dumps)
        results.append(("psql \\copy of the same rows (triggers, history)", copied, None))
        print(f"psql \\copy: {copied:.1f} s; import / copy rate: {copied / imported:.2f}")
        identical = None
        if not options.import_export_only:
            recreate_database(url)
            run(["migrate", "-v0"], env)
            measure("import the export into an empty database", ["import_records", str(exported)])
            again = scratch / "again.ndjson"
            run(["export_records", str(again)], env)
            identical = again.read_bytes() == exported.read_bytes()
            print(f"round trip byte-identical: {identical}")
    report(options, results, identical, copied / imported)


def similar_check(options, scratch: Path, env: dict, results: list, measure) -> None:
    """Time the import of ``--similar`` new quotes into the data set just imported."""
    new = scratch / "new.ndjson"
    generate(new, options.quotes, new=options.similar, first=options.quotes)
    label = f"import {options.similar:,} new quotes (similar-text check)"
    seconds, peak = run(
        ["import_records", str(new)],
        env,
        refused="nothing was imported",
        each="similar to quotes on record",
    )
    results.append((label + ", refused", seconds, peak))
    print(f"{label}: {seconds:.1f} s, peak RSS {peak:.0f} MiB", flush=True)
    allowed = f"import {options.similar:,} new quotes --allow-similar (check skipped)"
    measure(allowed, ["import_records", "--allow-similar", str(new)])
    load, now = os.getloadavg(), time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"\n{options.quotes:,} quotes on record, {now}, load average {load[0]:.1f} {load[1]:.1f}")
    print("| step | wall time | peak RSS |\n| --- | ---: | ---: |")
    for step, wall, memory in results:
        print(f"| {step} | {wall:.1f} s | {memory:.0f} MiB |")


def report(
    options: argparse.Namespace, results: list, identical: bool | None, ratio: float
) -> None:
    load = os.getloadavg()
    print(
        f"\n{options.quotes} quotes, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.machine()}, {os.cpu_count()} cores, load average {load[0]:.1f} "
        f"{load[1]:.1f} {load[2]:.1f}, Python {platform.python_version()}"
    )
    print("| step | wall time | peak RSS |\n| --- | ---: | ---: |")
    for label, seconds, peak in results:
        memory = f"{peak:.0f} MiB" if peak is not None else "–"
        print(f"| {label} | {seconds:.1f} s | {memory} |")
    print(f"| import rate / psql \\copy rate | {ratio:.2f} (target ≥ 0.5) | |")
    if identical is not None:
        print(f"| round trip byte-identical | {identical} | |")


if __name__ == "__main__":
    main()
