"""Lineage benchmark at scale: the vector index, the similar check and /lineage/.

    .venv/bin/python bench/bench_vectors.py [--vectors 1000000] [--quotes 100000]
                                            [--queries 500] [--fresh]

1. **The index alone** (``lineage.vectors.VectorIndex``'s usearch index, as each app server
   holds it): ``--vectors`` vectors are added in batches; it reports the build time, the
   index's memory, the latency of one search for 20 neighbours (p50, p95) and recall@10
   against exact search (numpy, float32) on ``--queries`` probes. The vectors are not
   texts' embeddings (embedding a million texts takes hours, below): each is one of the
   real embeddings of the labelled set (tests/data/lineage/pairs.jsonl) plus Gaussian noise,
   normalized, so that they come in clusters of near neighbours as statements do.
2. **Embedding throughput**: the labelled set's texts embedded in batches of 64 (texts per
   second), and the time it implies for 1,000,000 texts from scratch.
3. **Through the database and the API** (``--quotes`` statements in a scratch database,
   ``onrecord_vectors_bench``, their embeddings written as the embedder writes them, from
   the same kind of vectors): the similar check of a new statement
   (``similarity.similar_quotes``, words and meaning) and ``GET /api/v1/quotes/{key}/lineage/``
   through Django's test client (p50, p95); every answer's status is checked, and a run stops
   on one that is not 200. Then the search list's latency while the embedder embeds texts in
   a thread, against without (the ratio).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
# The numbers are the server's, not a throttle's.
os.environ["ONRECORD_RATE_ANON"] = os.environ["ONRECORD_RATE_SITE"] = "1000000000/min"

import django
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "data" / "lineage" / "pairs.jsonl"
BENCH_DATABASE = "onrecord_vectors_bench"
NOISE = 0.035  # per dimension: a noisy copy keeps a cosine of about 0.6 with its centre


def real_texts() -> list[str]:
    texts = {}
    for line in PAIRS.read_text().splitlines():
        pair = json.loads(line)
        for side in (pair["a"], pair["b"]):
            texts[side["key"]] = side["text"]
    return list(texts.values())


def clustered(centres: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    picks = centres[rng.integers(0, len(centres), size=count)]
    noisy = picks + rng.normal(0, NOISE, size=picks.shape).astype(np.float32)
    return (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def bench_index(centres: np.ndarray, count: int, queries: int) -> dict:
    from lineage.vectors import VectorIndex

    rng = np.random.default_rng(7)
    index, batch, data = VectorIndex().index, 50_000, []
    started = time.monotonic()
    for first in range(0, count, batch):
        vectors = clustered(centres, min(batch, count - first), rng)
        index.add(np.arange(first, first + len(vectors), dtype=np.uint64), vectors)
        data.append(vectors)
    built = time.monotonic() - started
    everything = np.vstack(data)
    probes = clustered(centres, queries, rng)
    latencies, hits = [], 0
    for probe in probes:
        began = time.perf_counter()
        found = index.search(probe, 20)
        latencies.append((time.perf_counter() - began) * 1000)
        exact = set(np.argsort(-(everything @ probe))[:10].tolist())
        hits += len(exact & set(found.keys[:10].tolist()))
    return {
        "vectors": count,
        "build_s": round(built, 1),
        "memory_mib": round(index.memory_usage / 2**20, 1),
        "search_p50_ms": round(percentile(latencies, 50), 3),
        "search_p95_ms": round(percentile(latencies, 95), 3),
        "recall_at_10": round(hits / (10 * queries), 4),
    }


def bench_embedding(texts: list[str]) -> dict:
    from quotes import meaning

    meaning.embed(texts[:2])  # loads the model
    started = time.monotonic()
    for first in range(0, len(texts), 64):
        meaning.embed(texts[first : first + 64])
    rate = len(texts) / (time.monotonic() - started)
    hours = round(1e6 / rate / 3600, 1)
    return {"texts": len(texts), "texts_per_s": round(rate, 1), "million_h": hours}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vectors", type=int, default=1_000_000)
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    django.setup()
    from quotes import meaning

    texts = real_texts()
    centres = meaning.embed(texts)
    print(json.dumps({"index": bench_index(centres, args.vectors, args.queries)}), flush=True)
    print(json.dumps({"embedding": bench_embedding(texts)}), flush=True)
    from bench.vectors_db import bench_database

    print(json.dumps({"database": bench_database(centres, args.quotes, args.fresh)}), flush=True)


if __name__ == "__main__":
    main()
