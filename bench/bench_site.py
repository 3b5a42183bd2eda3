"""Reading-site benchmark: each page against the API request that reads the same records.

    .venv/bin/python bench/bench_site.py [--quotes 100000] [--repeat 9] [--fresh]

It uses bench_search.py's database (``onrecord_search_bench``), data set and index directory
(``ONRECORD_DATA_DIR/search-bench``), filling and indexing them on the first run. Each page
and its API request go through the whole stack (Django test client: filters, search, page,
highlights, templates or serialization) and are timed in turns, one after the other, so that
both see the same load on a shared machine; the table gives the medians, the ratio page /
API (the target is at most 1.5) and the SQL queries of each. Then the search page's weight
with 20 results: its HTML and the stylesheets and scripts it links (target under 150 KB).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_DEBUG", "false")  # as served: no query log, no debug pages
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret")
import bench_search
import django

TARGET = 1.5
WEIGHT_TARGET = 150 * 1024
STATEMENT_NUMBER = 1000  # quote-1000, or the last one of a smaller data set


def pairs(statement: str) -> list[tuple[str, str, str]]:
    """(label, page, API request): the search page shows 20 statements and the facets."""
    return [
        ("search page, no query", "/", "/api/v1/quotes/"),
        ("search page, q=negotiations", "/?q=negotiations", "/api/v1/quotes/?q=negotiations"),
        ("search page, q=minister (common)", "/?q=minister", "/api/v1/quotes/?q=minister"),
        (
            "search page, q + 2 filters",
            "/?q=negotiations&said_after=2010&country=CN",
            "/api/v1/quotes/?q=negotiations&said_after=2010&country=CN",
        ),
        ("statement page", f"/quotes/{statement}/", f"/api/v1/quotes/{statement}/"),
    ]


def cite_statement(key: str) -> None:
    """Give the benchmark's statement two sources with excerpts, as a real one has."""
    from quotes.models import Citation, Quote, Source

    quote = Quote.objects.get(key=key)
    quote.status = Quote.Status.PUBLISHED
    quote.save(update_fields=["status"])
    for number in (1, 2):
        source, _ = Source.objects.get_or_create(
            key=f"bench-source-{number}",
            defaults={"title": f"Bench report {number}", "publisher": "Bench News"},
        )
        Citation.objects.get_or_create(quote=quote, source=source, defaults={"excerpt": quote.text})


def timed(client, url: str, timings: list[float]) -> None:
    started = time.perf_counter()
    response = client.get(url)
    timings.append((time.perf_counter() - started) * 1000)
    assert response.status_code == 200, (url, response.status_code)


def queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def compare(repeat: int, statement: str) -> list[tuple]:
    from django.test import Client

    client = Client()
    rows = []
    for label, page, api in pairs(statement):
        timed(client, page, []), timed(client, api, [])  # warm up
        page_times: list[float] = []
        api_times: list[float] = []
        for _ in range(repeat):
            timed(client, page, page_times)
            timed(client, api, api_times)
        rows.append(
            (
                label,
                statistics.median(page_times),
                statistics.median(api_times),
                queries(client, page),
                queries(client, api),
            )
        )
    return rows


def search_page_weight() -> tuple[int, int, dict[str, int]]:
    """Results shown, and bytes of the search page with 20 results and of each stylesheet
    and script it links (as served, uncompressed)."""
    from django.contrib.staticfiles import finders
    from django.test import Client

    response = Client().get("/?q=minister")
    assert response.status_code == 200, response.status_code  # an error page weighs nothing
    html = response.content.decode()
    parts = {"HTML": len(response.content)}
    for url in re.findall(r'<(?:link rel="stylesheet"|script) [^>]*?(?:href|src)="([^"]+)"', html):
        path = finders.find(url.removeprefix("/static/"))
        parts[url] = Path(path).stat().st_size
    return html.count('class="result"'), sum(parts.values()), parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--fresh", action="store_true", help="drop and refill the database")
    options = parser.parse_args()
    data_dir = Path(os.environ.get("ONRECORD_DATA_DIR", bench_search.ROOT / "var"))
    os.environ.setdefault("ONRECORD_SEARCH_DIR", str(data_dir / "search-bench"))
    django.setup()
    bench_search.setup(options.fresh)
    from django.conf import settings

    # Pages link their static files by name; the manifest storage would need collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
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
    statement = f"quote-{min(STATEMENT_NUMBER, options.quotes)}"
    cite_statement(statement)
    indexer.catch_up(index)  # the statement's new citations and status
    load = os.getloadavg()
    print(
        f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; "
        f"{Quote.objects.count():,} quotes; medians of {options.repeat} interleaved runs\n"
    )
    print("| page | page ms | API ms | page / API | page queries | API queries |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, page, api, page_queries, api_queries in compare(options.repeat, statement):
        verdict = "" if page / api <= TARGET else " (over the target)"
        print(
            f"| {label} | {page:.0f} | {api:.0f} | {page / api:.2f}{verdict} "
            f"| {page_queries} | {api_queries} |"
        )
    shown, total, parts = search_page_weight()
    print(f"\nSearch page, q=minister, {shown} results: {total / 1024:.1f} KB in all")
    for name, size in parts.items():
        print(f"- {name}: {size / 1024:.1f} KB")
    verdict = "met" if total < WEIGHT_TARGET else "MISSED"
    print(f"Target: under {WEIGHT_TARGET // 1024} KB: {verdict}")


if __name__ == "__main__":
    main()
