"""Similar-text benchmark: the check that a new quote runs against every quote on record.

    .venv/bin/python bench/bench_similar.py [--quotes 200000] [--repeat 7] [--fresh]

It works in its own database, ``onrecord_similar_bench``, on the server the project uses
(the embedded one unless DATABASE_URL is set), filled on the first run and reused after
(``--fresh`` starts over). Texts are random sentences over a vocabulary of 20,000 random
words of 3 to 9 letters, half of the quotes with a translation, dated over 35 years. Each
check (``similarity.similar_quotes``, what ``POST /api/v1/quotes/`` runs) is timed with the
date indexes, then with index scans turned off in the same run, so that the ratio says
what the indexes bring.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django

from bench.scratch import scratch_database

BENCH_DATABASE = "onrecord_similar_bench"
BATCH = 5000
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def vocabulary(rng: random.Random) -> list[str]:
    return ["".join(rng.choices(LETTERS, k=rng.randint(3, 9))) for _ in range(20_000)]


def sentence(rng: random.Random, words: list[str]) -> str:
    return " ".join(rng.choice(words) for _ in range(rng.randint(12, 40))).capitalize() + "."


def generate(count: int, rng: random.Random, words: list[str]) -> None:
    """Add ``count`` quotes with COPY (``copy_create``, as the importer writes them)."""
    from django.db import connection, transaction

    from quotes.interchange.copying import copy_create
    from quotes.models import Quote, Speaker, Translation

    speakers = list(Speaker.objects.all()) or Speaker.objects.bulk_create(
        Speaker(key=f"speaker-{n}", name=f"Speaker {n}") for n in range(2000)
    )
    written = Quote.objects.count()
    count += written
    while written < count:
        size = min(BATCH, count - written)
        quotes = [
            Quote(
                key=f"quote-{n}",
                speaker=rng.choice(speakers),
                text=sentence(rng, words),
                language="ru",
                said=f"{rng.randint(1990, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                status=Quote.Status.PUBLISHED,
            )
            for n in range(written, written + size)
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            # Generated rows need neither history nor the search index: no triggers.
            cursor.execute("SET LOCAL session_replication_role = replica")
            copy_create(Quote, quotes)
            translations = [
                Translation(quote=q, language="en", text=sentence(rng, words))
                for q in quotes
                if rng.random() < 0.5
            ]
            copy_create(Translation, translations)
        written += size
        print(f"  {written} quotes", end="\r", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def timed(check, repeat: int) -> tuple[float, float, int]:
    found = check()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        check()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), max(timings), len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--fresh", action="store_true", help="drop and refill the database")
    parser.add_argument(
        "--skip-unindexed", action="store_true", help="leave out the runs without indexes"
    )
    options = parser.parse_args()
    django.setup()
    scratch_database(BENCH_DATABASE, fresh=options.fresh)
    from django.db import connection, transaction

    from quotes.models import Quote, Translation
    from quotes.similarity import similar_quotes

    rng = random.Random(2023)
    words = vocabulary(rng)
    if Quote.objects.count() < options.quotes:
        started = time.perf_counter()
        generate(options.quotes - Quote.objects.count(), rng, words)
        print(f"generated in {time.perf_counter() - started:.0f} s")
    on_record = Quote.objects.order_by("pk")[options.quotes // 2]
    translated = Translation.objects.order_by("pk").first()
    checks = [
        ("a new text (nothing similar)", [sentence(rng, words)], on_record.said),
        ("the text of a quote on record", [on_record.text], on_record.said),
        ("the translation of a quote on record", [translated.text], translated.quote.said),
        (
            "a reworded quote on record",
            [on_record.text.replace(on_record.text.split()[2], "zuzuzu")],
            on_record.said,
        ),
    ]
    print(f"\n{Quote.objects.count()} quotes, {Translation.objects.count()} translations\n")
    print(f"{'check':<40}{'found':>6}{'indexed, median':>18}{'max':>8}{'no index, median':>19}")
    for label, texts, said in checks:

        def check(texts=texts, said=said):
            return similar_quotes(texts=texts, speaker_id=None, said=said)

        median, slowest, found = timed(check, options.repeat)
        unindexed = "–"
        if not options.skip_unindexed:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_indexscan = off")
                cursor.execute("SET LOCAL enable_bitmapscan = off")
                unindexed = f"{timed(check, min(options.repeat, 3))[0]:.0f} ms"
        print(f"{label:<40}{found:>6}{median:>15.1f} ms{slowest:>6.0f} ms{unindexed:>19}")
    import_batches(rng, words, options.repeat)


def import_batches(rng: random.Random, words: list[str], repeat: int) -> None:
    """What import_records runs for each batch of new quotes (interchange/writer.py): one
    ``similar_for_quotes`` for the batch's 1,000 quotes, half of them with a translation."""
    from quotes.interchange.importer import BATCH_SIZE
    from quotes.models import Quote
    from quotes.similarity import NewQuote, similar_for_quotes

    up_to = Quote.objects.order_by("-pk").values_list("pk", flat=True).first()
    picked = rng.sample(range(1, up_to + 1), min(BATCH_SIZE, up_to))
    sample = list(Quote.objects.filter(pk__in=picked).values_list("text", "said", "speaker_id"))

    def texts(text: str) -> list[str]:
        return [text, sentence(rng, words)] if rng.random() < 0.5 else [text]

    batches = [
        (
            f"an import's batch of {BATCH_SIZE} new quotes",
            [NewQuote(texts(sentence(rng, words)), s, said) for _, said, s in sample],
        ),
        (
            f"... of {BATCH_SIZE} copies of quotes on record",
            [NewQuote(texts(text), s, said) for text, said, s in sample],
        ),
    ]
    for label, quotes in batches:

        def check(quotes=quotes):
            found = similar_for_quotes(quotes, written_up_to=up_to)
            return [similar for similar in found if similar]

        median, slowest, found = timed(check, min(repeat, 3))
        print(f"{label:<40}{found:>6}{median:>15.1f} ms{slowest:>6.0f} ms{'–':>19}")


if __name__ == "__main__":
    main()
