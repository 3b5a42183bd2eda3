"""Reading-site benchmark: each page against the API request that reads the same records.

    .venv/bin/python bench/bench_site.py [--quotes 100000] [--repeat 9] [--fresh]

It uses bench_search.py's database (``onrecord_search_bench``) and data set, filling it on
the first run. Each page and its API request go through the whole stack (Django test
client: filters, search, page, highlights, templates or serialization) and are timed in
turns, one after the other, so that both see the same load on a shared machine; the table
gives the medians and the ratio page / API. The target is a ratio of at most 1.5.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_search
import django

TARGET = 1.5
STATEMENT = "quote-1000"


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


def compare(repeat: int, statement: str) -> list[tuple[str, float, float]]:
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
        rows.append((label, statistics.median(page_times), statistics.median(api_times)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--fresh", action="store_true", help="drop and refill the database")
    options = parser.parse_args()
    django.setup()
    bench_search.setup(options.fresh)
    from quotes.models import Quote

    if Quote.objects.count() != options.quotes:
        if Quote.objects.exists():
            sys.exit(f"{bench_search.BENCH_DATABASE} holds another data set: use --fresh")
        print(f"Generating {options.quotes} quotes…")
        bench_search.generate(options.quotes)
    cite_statement(STATEMENT)
    print(f"\n{Quote.objects.count()} quotes; medians of {options.repeat} runs each\n")
    print("| page | page ms | API ms | page / API |")
    print("| --- | ---: | ---: | ---: |")
    for label, page, api in compare(options.repeat, STATEMENT):
        verdict = "" if page / api <= TARGET else " (over the target)"
        print(f"| {label} | {page:.0f} | {api:.0f} | {page / api:.2f}{verdict} |")


if __name__ == "__main__":
    main()
