"""Part 3 of bench/bench_vectors.py: the similar check and /lineage/ through the database
and the API, and a search's latency while the embedder works."""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.bench_similar import generate, sentence, vocabulary
from bench.scratch import scratch_database

BENCH_DATABASE = "onrecord_vectors_bench"
REPEAT = 60


def write_embeddings(centres: np.ndarray) -> int:
    """One vector per quote, as the embedder stores them (COPY: the generated quotes have no
    outbox entries to feed the embedder)."""
    from django.db import connection, transaction

    from lineage.models import Embedding
    from quotes.models import Quote

    if Embedding.objects.exists():
        return Embedding.objects.count()
    rng = np.random.default_rng(11)
    ids = list(Quote.objects.values_list("pk", flat=True))
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.copy(
            "COPY lineage_embedding (quote_id, language, digest, vector, version) FROM STDIN"
        ) as copy,
    ):
        for version, pk in enumerate(ids, start=1):
            picks = centres[rng.integers(0, len(centres))]
            vector = picks + rng.normal(0, 0.035, size=picks.shape)
            vector = (vector / np.linalg.norm(vector)).astype(np.float32)
            copy.write_row((pk, "en", "0" * 64, vector.tobytes(), version))
    return len(ids)


def timed(call, repeat: int = REPEAT) -> dict:
    call()  # warm: the replica's first build, the model's load
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        timings.append((time.perf_counter() - began) * 1000)
    q = statistics.quantiles(timings, n=100)
    return {"p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1)}


def checked_get(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")


def bench_database(centres: np.ndarray, quotes: int, fresh: bool) -> dict:
    scratch_database(BENCH_DATABASE, fresh=fresh)
    from django.conf import settings
    from django.test import Client

    from quotes.models import Quote
    from quotes.similarity import similar_quotes

    settings.SEARCH_DIR = tempfile.mkdtemp(prefix="onrecord-vectors-bench-")
    settings.SEARCH_SYNC = True
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rng, pyrng = np.random.default_rng(5), random.Random(5)
    words = vocabulary(pyrng)
    if Quote.objects.count() < quotes:
        generate(quotes - Quote.objects.count(), pyrng, words)
    stored = write_embeddings(centres)
    keys = list(Quote.objects.values_list("key", flat=True)[:2000])
    client = Client()
    result = {"quotes": Quote.objects.count(), "embeddings": stored}
    text = sentence(pyrng, words)
    result["similar_check"] = timed(
        lambda: similar_quotes(texts=[text], speaker_id=None, said="2020-01-01")
    )
    result["lineage"] = timed(
        lambda: checked_get(client, f"/api/v1/quotes/{pyrng.choice(keys)}/lineage/")
    )
    word = words[int(rng.integers(0, len(words)))]
    search = lambda: checked_get(client, f"/api/v1/quotes/?q={word}")  # noqa: E731
    result["search_alone"] = timed(search)
    result["search_while_embedding"] = while_embedding(search)
    result["slowdown"] = round(
        result["search_while_embedding"]["p50_ms"] / result["search_alone"]["p50_ms"], 2
    )
    return result


EMBEDDING_LOOP = """
import os, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
import django
django.setup()
from lineage.embedder import BATCH, pace
from project.jobs import background_priority
background_priority()
from quotes import meaning
texts = [f"Statement number {{n}} on the matter at hand, said again." for n in range(BATCH)]
while True:
    began = time.monotonic()
    meaning.embed(texts)
    pace(time.monotonic() - began)
"""


def while_embedding(call) -> dict:
    """The call's latency while another process embeds texts as the job worker's embedder
    does: batches of ``BATCH``, at its priority, resting as ``ONRECORD_EMBED_SHARE`` says."""
    root = str(Path(__file__).resolve().parent.parent)
    loop = subprocess.Popen([sys.executable, "-c", EMBEDDING_LOOP.format(root=root)])
    try:
        time.sleep(8)  # the model's load
        if loop.poll() is not None:
            raise SystemExit(f"the embedding process ended: exit {loop.returncode}")
        return timed(call)
    finally:
        loop.terminate()
        loop.wait()
