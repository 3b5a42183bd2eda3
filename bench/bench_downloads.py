"""Download benchmark: time and memory of /api/v1/quotes/?format=csv and ?format=ndjson.

    .venv/bin/python bench/bench_downloads.py [--quotes 120000] [--fresh]

It works in its own database, ``onrecord_download_bench``, and index directory
(``ONRECORD_DATA_DIR/search-download-bench``), filled like bench_search.py's (quotes in nine
languages, translated ones, each with a topic and a role), created on the first run and
reused afterwards. Each download goes through the whole stack (Django test
client: filters, search, the streamed response read a piece at a time and thrown away) with
the row cap (``ONRECORD_DOWNLOAD_MAX_ROWS``) at a fifth and a half of the published quotes and
at its setting (100,000 unless configured), so that the table shows how time and memory grow
with the rows of one download, and (with more published quotes than the cap, as by default)
that a download stops at the cap and says so. Memory is the process's peak resident size
during the download (Linux's VmHWM, reset before each one through /proc/self/clear_refs), which
would grow with the rows if they were kept; it includes the index pages the search reads.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
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


def measure(client, params: dict) -> tuple[int, int, float, float, str]:
    """Lines, bytes, seconds, peak resident MiB and the truncation header of one download."""
    Path("/proc/self/clear_refs").write_text("5")  # the peak resident size starts again
    started = time.perf_counter()
    response = client.get("/api/v1/quotes/", params)
    assert response.status_code == 200, response.content[:300]
    size = lines = 0
    for piece in response.streaming_content:
        size += len(piece)
        lines += piece.count(b"\n")
    elapsed = time.perf_counter() - started
    return lines, size, elapsed, peak_resident_mib(), response["X-OnRecord-Truncated"]


def peak_resident_mib() -> float:
    status = Path("/proc/self/status").read_text().splitlines()
    return int(next(line for line in status if line.startswith("VmHWM")).split()[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=120_000)
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
    print("| download | row cap | lines | truncated | MiB sent | s | lines/s | peak RSS MiB |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    client = Client()
    configured = settings.ONRECORD_DOWNLOAD_MAX_ROWS
    for label, params in DOWNLOADS:
        for cap in (published // 5, published // 2, configured):
            settings.ONRECORD_DOWNLOAD_MAX_ROWS = cap
            lines, size, elapsed, peak, truncated = measure(client, params)
            print(
                f"| {label} | {cap:,} | {lines:,} | {truncated} | {size / 2**20:.1f} "
                f"| {elapsed:.2f} | {lines / elapsed:,.0f} | {peak:.1f} |"
            )


if __name__ == "__main__":
    main()
