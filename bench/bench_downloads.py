"""Download benchmark: time and memory of /api/v1/quotes/?format=csv and ?format=ndjson.

    .venv/bin/python bench/bench_downloads.py [--quotes 30000] [--fresh]

It works in its own database, ``onrecord_download_bench``, and index directory
(``ONRECORD_DATA_DIR/search-download-bench``), filled like bench_search.py's (quotes in nine
languages, translated ones, each with a topic and a role), created on the first run and
reused afterwards. Each download goes through the whole stack (Django test
client: filters, search, the streamed response read a piece at a time and thrown away) with
the row cap (``ONRECORD_DOWNLOAD_MAX_ROWS``) at a fifth, half and all of the quotes, so that
the table shows how time and memory grow with the rows of one download. Memory is the peak
of Python's own allocations during the download (tracemalloc), which is what would grow if
rows were kept.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret")
os.environ["ONRECORD_SEARCH_SYNC"] = "false"

import bench_search
import django

ROOT = Path(__file__).resolve().parent.parent
bench_search.BENCH_DATABASE = "onrecord_download_bench"

DOWNLOADS = [
    ("csv, every quote", {"format": "csv"}),
    ("ndjson, every quote", {"format": "ndjson"}),
    ("csv, q=minister", {"format": "csv", "q": "minister"}),
]


def measure(client, params: dict) -> tuple[int, int, float, float]:
    """Rows, bytes, seconds and peak MiB of one download."""
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get("/api/v1/quotes/", params)
    assert response.status_code == 200, response.content[:300]
    size = lines = 0
    for piece in response.streaming_content:
        size += len(piece)
        lines += piece.count(b"\n")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return lines, size, elapsed, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=30_000)
    parser.add_argument("--fresh", action="store_true", help="drop and refill the database")
    options = parser.parse_args()
    data_dir = Path(os.environ.get("ONRECORD_DATA_DIR", ROOT / "var"))
    os.environ.setdefault("ONRECORD_SEARCH_DIR", str(data_dir / "search-download-bench"))
    django.setup()
    bench_search.setup(options.fresh)
    from django.conf import settings
    from django.test import Client

    from quotes.models import Quote
    from search import indexer
    from search.index import current_index

    index = current_index()
    if Quote.objects.count() != options.quotes:
        if Quote.objects.exists():
            sys.exit(f"{bench_search.BENCH_DATABASE} holds another data set: use --fresh")
        print(f"Generating {options.quotes} quotes…")
        bench_search.generate(options.quotes)
        index.position_file.unlink(missing_ok=True)
    if options.fresh or not index.exists():
        print(f"Indexed {indexer.rebuild(index)} quotes.")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    published = Quote.objects.published().count()
    load = os.getloadavg()
    print(
        f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores, "
        f"load average {load[0]:.1f}; {options.quotes} quotes, {published} published (what "
        "an anonymous client downloads)\n"
    )
    print("| download | row cap | lines | MiB sent | seconds | rows/s | peak MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    client = Client()
    for label, params in DOWNLOADS:
        for cap in (published // 5, published // 2, published):
            settings.ONRECORD_DOWNLOAD_MAX_ROWS = cap
            lines, size, elapsed, peak = measure(client, params)
            print(
                f"| {label} | {cap} | {lines} | {size / 2**20:.1f} | {elapsed:.2f} "
                f"| {lines / elapsed:.0f} | {peak:.1f} |"
            )


if __name__ == "__main__":
    main()
