"""Alerts benchmark: saved searches matched against newly published statements, and a
daily digest mailed to a local SMTP server.

    python bench/bench_alerts.py [--searches 1000] [--statements 1000] [--words N] [--no-digest]

It works in its own database, ``onrecord_alerts_bench``, on the server the project uses
(DATABASE_URL), made afresh on each run. Each address has one daily alert: half of them
search a word (``{"q": "tokN"}``, every one distinct unless ``--words`` is smaller), half
watch a speaker (200 speakers). Statements are written as drafts, then published in one
commit, so that the matcher reads them from the search outbox as the product does
(``matching.run``). The matches are checked against what each alert should find, computed
here from the generated texts. The digest is the product's: ``delivery.collect("daily")``
makes one delivery per address and queues the sending, and a Procrastinate worker in this
process sends them with the SMTP backend to an aiosmtpd sink in a process of its own,
which counts every mail.
It prints the time of each phase, the process's peak RSS after it, and mails per second.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import resource
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django

from bench.scratch import scratch_database

BENCH_DATABASE = "onrecord_alerts_bench"
SPEAKERS = 200
WRITE_BATCH = 5000


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def words_of(n: int, words: int) -> set[int]:
    """The words statement ``n`` says (its text names them)."""
    return {n % words, (n * 7 + 3) % words}


def statements_write(*, count: int, words: int) -> list[int]:
    """``count`` drafts by the bench's speakers; their ids."""
    from quotes.models import Quote, Speaker

    speakers = Speaker.objects.bulk_create(
        Speaker(key=f"speaker-{n}", name=f"Speaker {n}", country="US") for n in range(SPEAKERS)
    )
    quotes = Quote.objects.bulk_create(
        Quote(
            key=f"quote-{n}",
            speaker=speakers[n % SPEAKERS],
            text=f"Statement {n} " + " ".join(f"tok{w}" for w in sorted(words_of(n, words))),
            language="en",
            kind=Quote.Kind.DIRECT,
            said="2023-10-14",
            status=Quote.Status.DRAFT,
        )
        for n in range(count)
    )
    return [quote.pk for quote in quotes]


def alerts_write(*, count: int, words: int) -> None:
    """One confirmed daily alert per address: a word search, parsed as a sign-up's is
    (``targets.parse_search``), or a speaker; written a batch at a time, so that the
    process's peak RSS after it is the matcher's."""
    from django.utils import timezone

    from alerts.models import Alert, Subscriber
    from quotes.models import Speaker

    now = timezone.now()
    speakers = list(Speaker.objects.order_by("pk"))
    for start in range(0, count, WRITE_BATCH):
        numbers = range(start, min(start + WRITE_BATCH, count))
        subscribers = Subscriber.objects.bulk_create(
            Subscriber(email=f"reader{n}@example.org", confirmed_at=now) for n in numbers
        )
        Alert.objects.bulk_create(
            Alert(
                subscriber=subscriber,
                frequency="daily",
                confirmed_at=now,
                **(
                    word_search((n // 2) % words)
                    if n % 2 == 0
                    else {"speaker": speakers[(n // 2) % SPEAKERS]}
                ),
            )
            for n, subscriber in zip(numbers, subscribers, strict=True)
        )


@functools.lru_cache(maxsize=10_000)
def word_search(word: int) -> dict:
    from alerts.targets import parse_search

    return parse_search({"q": f"tok{word}"})


def expected_matches(*, statements: int, words: int) -> set[tuple[int, str]]:
    """(alert id, quote key) of every match the alerts should make."""
    from alerts.models import Alert

    by_word: dict[int, list[str]] = {}
    by_speaker: dict[int, list[str]] = {}
    for n in range(statements):
        for word in words_of(n, words):
            by_word.setdefault(word, []).append(f"quote-{n}")
        by_speaker.setdefault(n % SPEAKERS, []).append(f"quote-{n}")
    speaker_index = {pk: i for i, pk in enumerate(sorted(by_speaker_pks()))}
    expected = set()
    for pk, search, speaker_id in Alert.objects.values_list("pk", "search", "speaker_id"):
        if search is not None:
            keys = by_word.get(int(search["q"].removeprefix("tok")), [])
        else:
            keys = by_speaker.get(speaker_index[speaker_id], [])
        expected.update((pk, key) for key in keys)
    return expected


def by_speaker_pks() -> list[int]:
    from quotes.models import Speaker

    return list(Speaker.objects.values_list("pk", flat=True))


def timed(label: str, function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f} s, peak RSS {peak_mb():.0f} MB", flush=True)
    return result, elapsed


def matching_bench(*, searches: int, statements: int, words: int) -> None:
    """Two runs as a worker makes them: the first parses every saved search, the second
    (another ``statements`` published) finds them parsed."""
    from alerts import matching
    from alerts.models import Match
    from quotes.models import Quote

    ids, _ = timed("statements written", statements_write, count=2 * statements, words=words)
    _, _ = timed("alerts written", alerts_write, count=searches, words=words)
    matching.run()  # the matcher starts here: what is published next is news
    for run, batch in (("first", ids[:statements]), ("second", ids[statements:])):
        Quote.objects.filter(pk__in=batch).update(status=Quote.Status.PUBLISHED)
        made, elapsed = timed(f"matching, {run} run", matching.run)
        print(
            f"MATCHING {run} run: searches={searches} statements={statements} words={words} "
            f"matches={made} seconds={elapsed:.2f}",
            flush=True,
        )
    found = set(Match.objects.values_list("alert_id", "change__quote__key"))
    expected = expected_matches(statements=2 * statements, words=words)
    if found != expected:  # not an assert: python -O would time unchecked results
        raise SystemExit(f"matches: {len(found)} found, {len(expected)} expected")
    print(f"matches checked: {len(found)} as expected", flush=True)


class Sink:
    """Accepts every mail and counts it (in memory shared with the bench's process)."""

    def __init__(self, count):
        self.count = count

    async def handle_DATA(self, server, session, envelope):
        with self.count.get_lock():
            self.count.value += 1
        return "250 Message accepted"


def smtp_server(port: int, count, stop) -> None:
    """The SMTP sink, in a process of its own as a local mail server would be."""
    from aiosmtpd.controller import Controller

    controller = Controller(Sink(count), hostname="127.0.0.1", port=port)
    controller.start()
    stop.wait()
    controller.stop()


def smtp_started(port: int):
    """A process serving the sink on ``port``; (its mail count, its stop event, it)."""
    context = multiprocessing.get_context("fork")
    count, stop = context.Value("l", 0), context.Event()
    process = context.Process(target=smtp_server, args=(port, count, stop), daemon=True)
    process.start()
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return count, stop, process
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the SMTP sink did not start")


def digest_bench() -> None:
    from django.conf import settings
    from procrastinate.contrib.django import app

    from alerts import delivery
    from alerts.models import Delivery, Match
    from tests.live_site import free_port

    port = free_port()
    count, stop, server = smtp_started(port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    addresses = Match.objects.values("alert__subscriber").distinct().count()
    made, collected = timed("digest: deliveries made", delivery.collect, "daily")
    worker = app.with_connector(app.connector.get_worker_connector())
    _, sending = timed(
        "digest: mails sent",
        worker.run_worker,
        wait=False,
        install_signal_handlers=False,
        listen_notify=False,
        queues=["mail"],
    )
    stop.set()
    server.join()
    mails = count.value
    sent = Delivery.objects.filter(status=Delivery.Status.SENT).count()
    if not made == addresses == sent == mails:
        raise SystemExit(f"digest: {made} made, {addresses} addresses, {sent} sent, {mails}")
    total = collected + sending
    print(
        f"DIGEST addresses={addresses} mails={mails} collect={collected:.2f}s "
        f"send={sending:.2f}s mails_per_s={mails / total:.1f} "
        f"(sending alone {mails / sending:.1f}) checked=ok",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--statements", type=int, default=1000)
    parser.add_argument("--words", type=int, default=0, help="distinct words (default: all)")
    parser.add_argument("--no-digest", action="store_true")
    options = parser.parse_args()
    words = options.words or max(options.searches // 2, 1)
    django.setup()
    scratch_database(BENCH_DATABASE)
    matching_bench(searches=options.searches, statements=options.statements, words=words)
    if not options.no_digest:
        digest_bench()


if __name__ == "__main__":
    main()
