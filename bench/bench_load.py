"""Load benchmark: gunicorn with 2 workers under concurrent clients (locust), on 127.0.0.1.

    .venv/bin/python bench/bench_load.py [--quotes 20000] [--seconds 30] [--fresh]

It fills its own database, ``onrecord_load_bench``, on the server the project uses (the
embedded one unless DATABASE_URL is set) with bench/bench_search.py's generated quotes, on
the first run, and reuses it afterwards. Then it serves the site with gunicorn (2 workers,
DEBUG off) and runs three bounded locust runs against it, each ``--seconds`` long:

1. one client reading quote details alone (the baseline);
2. 16 clients, each sending search and detail requests back to back;
3. 4 clients repeating the costliest search (the slowest of a few candidates, measured
   first) while one client reads quote details at up to 10 a second.

Clients send an editor's token (editors' reads are not rate-limited), or with ``--as reader``
nothing, as the public reads; the server's anonymous rate is then raised out of reach, so
that the numbers are the server's, not a throttle's. It prints a Markdown table for
docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
# Its own index directory, beside the data directory's, so that `make run`'s index is kept.
os.environ.setdefault(
    "ONRECORD_SEARCH_DIR",
    str(Path(os.environ.get("ONRECORD_DATA_DIR", ROOT / "var")) / "search-load-bench"),
)

import bench_search  # noqa: E402
import django  # noqa: E402

bench_search.BENCH_DATABASE = "onrecord_load_bench"
PORT = 8771
WORKERS = 2
SEARCHES = [
    "negotiations",
    "переговоры",
    "停火",
    '"security council"',
    "ceasefire -troops",
    "sanctions OR Sanktionen",
    "Sao Paulo",
]
COMMON = [
    "minister",
    "security",
    "region",
    "policy",
    "support",
    "economy",
    "trade",
    "crisis",
    "peace",
    "statement",
]
COSTLY_CANDIDATES = [
    {"q": "minister"},
    {"q": "minister", "page_size": 100},
    {"q": " OR ".join(COMMON)},
    {"q": " OR ".join(COMMON), "page_size": 100},
]


def prepare(quotes: int, fresh: bool) -> dict:
    """Fill the bench database if needed; return the locust users' configuration."""
    bench_search.setup(fresh)
    from rest_framework.authtoken.models import Token

    from quotes import services
    from quotes.models import Quote

    if Quote.objects.count() != quotes:
        if Quote.objects.exists():
            sys.exit("onrecord_load_bench holds another data set: run again with --fresh")
        print(f"Generating {quotes} quotes…")
        bench_search.generate(quotes)
    editor = services.user_make_editor(username="load-bench", password=None)
    token = Token.objects.get_or_create(user=editor)[0].key
    keys = list(Quote.objects.published().order_by("?").values_list("key", flat=True)[:2000])
    return {"token": token, "keys": keys, "searches": SEARCHES}


def database_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db["HOST"] or db.get("OPTIONS", {}).get("host", "")
    port = db["PORT"] or db.get("OPTIONS", {}).get("port", "5432")
    return f"postgres://{db['USER']}{password}@/{db['NAME']}?host={quote(host)}&port={port}"


def serve(worker_class: str | None) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "load-bench-only",
        "ONRECORD_RATE_ANON": "10000000/min",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "project.wsgi", "--config", "python:project.gunicorn_conf"]
        + ["--workers", str(WORKERS), "--bind", f"127.0.0.1:{PORT}"]
        + (["--worker-class", worker_class] if worker_class else []),
        cwd=ROOT,
        env=environment,
    )
    for _ in range(1500):  # up to 5 minutes: the first start builds the search index
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start")


def costliest(token: str | None) -> tuple[dict, float]:
    """The candidate search that takes longest (median of 3, after a warm-up)."""
    timed = []
    for params in COSTLY_CANDIDATES:
        url = f"http://127.0.0.1:{PORT}/api/v1/quotes/?{urlencode(params)}"
        headers = {"Authorization": f"Token {token}"} if token else {}
        request = urllib.request.Request(url, headers=headers)
        urllib.request.urlopen(request, timeout=60).read()
        times = []
        for _ in range(3):
            started = time.perf_counter()
            urllib.request.urlopen(request, timeout=60).read()
            times.append((time.perf_counter() - started) * 1000)
        timed.append((statistics.median(times), params))
    slowest, params = max(timed, key=lambda item: item[0])
    return params, slowest


def locust(users: list[str], count: int, seconds: int, config: Path, out: Path) -> list[dict]:
    """Run locust headless for ``seconds``; return its per-request statistics."""
    prefix = out / "-".join(users)
    command = [str(Path(sys.executable).parent / "locust"), "-f", str(HERE / "load_users.py")]
    command += [*users, "--headless", "--only-summary", "--loglevel", "WARNING"]
    command += ["-u", str(count), "-r", str(count), "-t", f"{seconds}s", "--stop-timeout", "5"]
    command += ["--host", f"http://127.0.0.1:{PORT}", "--csv", str(prefix)]
    environment = {**os.environ, "BENCH_LOAD_CONFIG": str(config)}
    subprocess.run(command, env=environment, timeout=seconds + 60, check=False)
    with open(f"{prefix}_stats.csv", newline="") as stats:
        rows = [row for row in csv.DictReader(stats) if row["Name"] != "Aggregated"]
    if any(int(row["Failure Count"]) for row in rows):
        # Locust counts every answer but a 2xx or 3xx as a failure: timing error answers
        # (429s, 503s) would measure nothing, so the run stops here and says which.
        with open(f"{prefix}_failures.csv", newline="") as failures:
            listed = "\n".join(
                f"{row['Occurrences']} × {row['Method']} {row['Name']}: {row['Error']}"
                for row in csv.DictReader(failures)
            )
        sys.exit(f"locust {' '.join(users)}: requests failed; stopped.\n{listed}")
    return rows


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    models = [line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line]
    model = models[0] if models else platform.processor()
    return (
        f"{os.cpu_count()} cores ({model}); {version}; Python {platform.python_version()}; "
        f"load average before the run {os.getloadavg()[0]:.2f}"
    )


def row(label: str, stats: dict, seconds: int) -> str:
    failures = int(stats["Failure Count"])
    return (
        f"| {label} | {stats['Name']} | {stats['Request Count']} | {failures} | "
        f"{float(stats['Request Count']) / seconds:.1f} | {stats['50%']} | {stats['99%']} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="drop and refill the database")
    parser.add_argument(
        "--worker-class", help="gunicorn's worker class instead of project/gunicorn_conf.py's"
    )
    parser.add_argument(
        "--as",
        dest="client",
        choices=["editor", "reader"],
        default="editor",
        help="the clients' identity: an editor's token, or none (an anonymous reader)",
    )
    options = parser.parse_args()
    django.setup()
    config = prepare(options.quotes, options.fresh)
    if options.client == "reader":
        config["token"] = None
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {machine()}")
    server = serve(options.worker_class)
    try:
        params, slowest = costliest(config["token"])
        config["costliest"] = params
        print(f"Costliest search: {params} ({slowest:.0f} ms alone)")
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch)
            (out / "config.json").write_text(json.dumps(config))
            runs = [
                ("1 client alone", ["DetailReader"], 1),
                ("16 clients, search + detail", ["Mixed"], 16),
                ("4 costliest searches + 1 reader", ["CostliestSearch", "DetailReader"], 5),
            ]
            lines = []
            for label, users, count in runs:
                for stats in locust(users, count, options.seconds, out / "config.json", out):
                    lines.append(row(label, stats, options.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    workers = f"{WORKERS} gunicorn workers ({options.worker_class or 'project/gunicorn_conf.py'})"
    print(
        f"\n{options.quotes} quotes; {workers}; {options.seconds} s per run; "
        f"clients: {'anonymous readers' if options.client == 'reader' else 'an editor'}\n"
    )
    print("| load | request | requests | failures | per second | p50 ms | p99 ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
