"""Occasion page benchmark: an occasion with 5 accounts of 2,000 words each, against a
statement page (the target: at most 1.5 times as long).

    .venv/bin/python bench/bench_occasion.py [--accounts 5] [--words 2000] [--repeat 15]

It works in its own database, ``onrecord_occasion_bench``, made anew on each run: one
published statement said at the occasion, with a citation, and the occasion's accounts,
each a source whose full text is generated sentences of random words in paragraphs (speed,
not language, is measured). The accounts are aligned first, as the job does after a change
(``lineage.alignment.alignments_refresh``, timed); then the two pages are fetched in turns
through the whole stack (Django's test client), every answer checked for a 200, and the
medians and their ratio printed.

The pages are served as ``make run`` serves them: DEBUG off (no query log), and searches
reading the index as the indexer keeps it (brought up to date once before the timing), not
each search bringing it up to date first (``ONRECORD_SEARCH_SYNC``, the tests' mode, which
made every occasion page, whose list of statements searches, write to the index).
``--sync`` measures in that mode, with DEBUG on, as the first measurements did.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DJANGO_DEBUG", str("--sync" in sys.argv).lower())  # off: as served
os.environ["ONRECORD_SEARCH_SYNC"] = str("--sync" in sys.argv).lower()
os.environ["ONRECORD_RATE_ANON"] = os.environ["ONRECORD_RATE_SITE"] = "1000000000/min"

import django

TARGET = 1.5
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def account_text(rng: random.Random, words: int) -> str:
    vocabulary = ["".join(rng.choices(LETTERS, k=rng.randint(2, 9))) for _ in range(3000)]
    paragraphs, count = [], 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(2, 5)):
            length = rng.randint(8, 25)
            sentences.append(" ".join(rng.choices(vocabulary, k=length)).capitalize() + ".")
            count += length
        paragraphs.append(" ".join(sentences))
    return "\n".join(paragraphs)


def build(accounts: int, words: int) -> tuple[str, str]:
    from quotes.models import Quote
    from tests.factories import (
        CitationFactory,
        OccasionAccountFactory,
        OccasionFactory,
        QuoteFactory,
    )

    rng = random.Random(14)
    occasion = OccasionFactory(key="bench-call", name="A call")
    quote = QuoteFactory(key="bench-statement", occasion=occasion, status=Quote.Status.PUBLISHED)
    CitationFactory(quote=quote)
    for _ in range(accounts):
        account = OccasionAccountFactory(occasion=occasion, country="CN")
        account.source.full_text, account.source.language = account_text(rng, words), "en"
        account.source.save()
    return f"/occasions/{occasion.key}/", f"/quotes/{quote.key}/"


def fetch(client, url: str) -> float:
    began = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=5)
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sync", action="store_true", help="searches update the index first")
    args = parser.parse_args()
    django.setup()
    from django.conf import settings
    from django.test import Client

    from bench.scratch import scratch_database
    from lineage.alignment import alignments_refresh

    scratch_database("onrecord_occasion_bench")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.SEARCH_DIR = Path(tempfile.mkdtemp(prefix="onrecord-occasion-bench-"))
    settings.STATIC_ROOT = tempfile.mkdtemp(prefix="onrecord-occasion-bench-static-")
    settings.STORAGES = {  # DEBUG off serves static files' names without a manifest
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    occasion_url, statement_url = build(args.accounts, args.words)
    if not args.sync:
        from search import indexer
        from search.index import current_index

        print(f"indexed {indexer.rebuild(current_index())} statement", flush=True)
    began = time.perf_counter()
    aligned = alignments_refresh()
    print(f"aligned {aligned} occasion in {time.perf_counter() - began:.1f} s", flush=True)
    client = Client()
    fetch(client, occasion_url), fetch(client, statement_url)  # warm
    occasion_times, statement_times = [], []
    for _ in range(args.repeat):
        occasion_times.append(fetch(client, occasion_url))
        statement_times.append(fetch(client, statement_url))
    occasion, statement = statistics.median(occasion_times), statistics.median(statement_times)
    page = client.get(occasion_url).content.decode()
    if "Only in this account." not in page and "Also in" not in page:
        raise SystemExit("the occasion page shows no alignment")
    verdict = "met" if occasion / statement <= TARGET else "missed"
    load = os.getloadavg()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; "
        f"{'searches update the index, DEBUG on' if args.sync else 'as served'}"
    )
    print(
        f"occasion page {occasion:.1f} ms, statement page {statement:.1f} ms (medians of "
        f"{args.repeat}), ratio {occasion / statement:.2f} (target {TARGET}: {verdict})"
    )


if __name__ == "__main__":
    main()
