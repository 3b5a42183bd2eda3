"""Intake benchmark: quality of the proposals on the labelled reports, and their speed.

    .venv/bin/python bench/bench_intake.py [--repeat 5] [--misses] [--quality-only]
        [--database onrecord_intake_bench]

It works in its own database, ``onrecord_intake_bench`` (made anew each run, on the server
the project uses: the embedded one unless DATABASE_URL is set), with the speakers of
tests/data/intake/speakers.json on record. For each language it reports precision and
recall of statement detection (direct and partial quotes together, indirect statements
apart), on the reports the rules were developed on and on held-out reports; speaker
accuracy where the speaker is on record and for new or unnamed speakers, date accuracy
and kind accuracy; recall and speaker accuracy by kind (direct, partial, indirect);
then the time to propose the statements of a report of
about 1,000 words (the median of the runs, after one warm-up), with its number of words;
then of 10 kB, 100 kB and 1 MB of text (the seed article, a published report, repeated),
which must grow linearly.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django

from bench.scratch import scratch_database

BENCH_DATABASE = "onrecord_intake_bench"
DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "intake"
COLUMNS = [
    ("precision", "precision"),
    ("recall_direct", "recall direct"),
    ("recall_indirect", "recall indirect"),
    ("recall", "recall"),
    ("speaker_accuracy", "speaker"),
    ("speaker_accuracy_on_record", "speaker (on record)"),
    ("speaker_accuracy_new", "speaker (new/unnamed)"),
    ("date_accuracy", "date"),
    ("kind_accuracy", "kind"),
    ("preselected_wrong_speaker", "preselected, wrong speaker"),
    ("preselected", "preselected"),
    ("statements", "statements"),
    ("proposals", "proposals"),
]


def quality(folder: Path, show_misses: bool) -> None:
    from intake.evaluation import Tally, load_cases
    from intake.proposals import propose
    from intake.reports import Report

    tallies: dict[str, Tally] = defaultdict(Tally)
    for case in load_cases(folder):
        report = Report(
            text=case.text, title=case.title, published=case.published, language=case.language
        )
        proposals = propose(report)
        tallies[case.language].add(case, proposals)
        tallies["all"].add(case, proposals)
    print("| language | " + " | ".join(label for _, label in COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for language in [*sorted(k for k in tallies if k != "all"), "all"]:
        values = tallies[language].report()
        cells = ["—" if values[key] is None else str(values[key]) for key, _ in COLUMNS]
        print(f"| {language} | " + " | ".join(cells) + " |")
    print("\n| kind | statements | found | recall | speaker (of found) |")
    print("|---|---|---|---|---|")
    for kind, values in tallies["all"].kinds().items():
        cells = ["—" if v is None else str(v) for v in values.values()]
        print(f"| {kind} | " + " | ".join(cells) + " |")
    if show_misses:
        print()
        for miss in tallies["all"].misses:
            print(f"- {miss}")


def speed(repeat: int) -> None:
    from intake.evaluation import load_cases
    from intake.proposals import propose
    from intake.reports import Report

    english = [c for c in load_cases(DATA) if c.language == "en"]
    paragraphs = [p for case in english for p in case.text.split("\n\n")]
    text, words = "", 0
    while words < 1000:
        paragraph = paragraphs[len(text.split("\n\n")) % len(paragraphs)]
        text += ("\n\n" if text else "") + paragraph
        words = len(text.split())
    report = Report(text=text, title="Speed", published="2023-10-20", language="en")
    propose(report)  # warm-up: loads the sentence splitter, dateparser's data, the model
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        count = len(propose(report))
        times.append(time.perf_counter() - start)
    print(
        f"\nA report of {words} words ({count} proposals): median {statistics.median(times):.3f} s,"
        f" slowest {max(times):.3f} s over {repeat} runs."
    )


SETS = [
    ("Written reports the rules were developed on", DATA, False),
    ("Written held-out reports, not used to tune the rules", DATA / "heldout", True),
    (
        "Real published reports, each with its address (the rules may be developed on them)",
        DATA / "real",
        False,
    ),
    (
        "Held-out real published reports, labelled before any run and never used to change a rule",
        DATA / "real" / "heldout",
        True,
    ),
    (
        "Second held-out set of real published reports, labelled by someone who changed no rule",
        DATA / "real" / "heldout2",
        True,
    ),
]

SEED_ARTICLE = DATA / "china-russia-gaza-2023-10-20.txt"  # as published, 3.9 kB


def sizes() -> None:
    """The time to propose the statements of 10 kB, 100 kB and 1 MB of text: the seed
    article (a published report) repeated, as paragraphs, and as one paragraph."""
    from intake.proposals import propose
    from intake.reports import Report

    article = SEED_ARTICLE.read_text(encoding="utf-8")
    print("\n| text | paragraphs | proposals | seconds | seconds per 100 kB |")
    print("| --- | --- | ---: | ---: | ---: |")
    for size in (10_000, 100_000, 1_000_000):
        for shape, piece, separator in (
            ("paragraphs", article, "\n\n"),
            ("one paragraph", article.replace("\n", " "), " "),
        ):
            text = separator.join([piece] * (size // len(piece) + 1))[:size]
            report = Report(text=text, title="Size", published="2023-10-20", language="en")
            started = time.perf_counter()
            count = len(propose(report))
            seconds = time.perf_counter() - started
            print(
                f"| {size // 1000:,} kB | {shape} | {count} | {seconds:.2f} | "
                f"{seconds / size * 100_000:.2f} |",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--misses",
        action="store_true",
        help="list every miss on the development reports (never on the held-out ones)",
    )
    parser.add_argument(
        "--development-only",
        action="store_true",
        help="measure only the reports the rules may be developed on",
    )
    parser.add_argument("--quality-only", action="store_true", help="leave out the timings")
    parser.add_argument("--database", default=BENCH_DATABASE, help="the scratch database's name")
    args = parser.parse_args()
    django.setup()
    scratch_database(args.database)
    from intake.evaluation import load_speakers

    load_speakers(DATA / "speakers.json")
    for title, folder, held_out in SETS:
        if (held_out and args.development_only) or not folder.is_dir():
            continue
        print(f"\n{title} ({folder.relative_to(DATA.parent.parent.parent)}/):\n")
        # Held-out misses are never listed: reading them would tune the rules to them.
        quality(folder, args.misses and not held_out)
    if not args.quality_only:
        speed(args.repeat)
        sizes()


if __name__ == "__main__":
    main()
