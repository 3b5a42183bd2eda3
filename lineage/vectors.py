"""The nearest-neighbour index of the stored embeddings, one replica per app server.

Like the search index (search/), it lives beside the database in each process and catches
up before each use: the embedder gives every written row of ``lineage_embedding`` a greater
``version``, so the rows after the replica's version are what it has still to apply (a
row emptied since is removed). It is HNSW (usearch), cosine distance, vectors kept as
16-bit floats: about 1 KiB a text plus the graph (docs/performance.md).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from django.db.models import Max
from usearch.index import Index

from lineage.models import Embedding
from quotes.meaning import DIMENSIONS

CATCH_UP_ROWS = 5000


class VectorIndex:
    def __init__(self) -> None:
        self.index = Index(ndim=DIMENSIONS, metric="cos", dtype="f16")
        self.quote_of: dict[int, int] = {}
        self.version = 0
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.quote_of)

    def catch_up(self) -> int:
        """Apply the rows written since this replica's version; how many."""
        applied = 0
        with self.lock:
            latest = Embedding.objects.aggregate(latest=Max("version"))["latest"] or 0
            if latest < self.version:  # another database, or a rolled-back write
                self._clear()
            while True:
                rows = list(
                    Embedding.objects.changed_after(self.version).values_list(
                        "pk", "quote_id", "vector", "version"
                    )[:CATCH_UP_ROWS]
                )
                if not rows:
                    return applied
                self._apply(rows)
                applied += len(rows)

    def _clear(self) -> None:
        self.index = Index(ndim=DIMENSIONS, metric="cos", dtype="f16")
        self.quote_of, self.version = {}, 0

    def _apply(self, rows: list[tuple]) -> None:
        added_keys, added = [], []
        for pk, quote_id, vector, version in rows:
            if pk in self.quote_of:
                self.index.remove(pk)
                del self.quote_of[pk]
            if vector is not None:
                added_keys.append(pk)
                added.append(np.frombuffer(bytes(vector), dtype=np.float32))
                self.quote_of[pk] = quote_id
            self.version = max(self.version, version)
        if added_keys:
            self.index.add(np.array(added_keys, dtype=np.uint64), np.vstack(added))

    def catch_up_and_count(self) -> int:
        self.catch_up()
        return len(self)

    def nearest(self, vectors: np.ndarray, *, count: int = 20) -> list[dict[int, float]]:
        """For each vector, the quotes of its ``count`` nearest texts and the best cosine
        similarity of each (a quote may have several texts: its words, its translations).
        The replica as it stands: a caller catches it up once (``catch_up_and_count``), not
        for every vector."""
        if not len(self) or not len(vectors):
            return [{} for _ in range(len(vectors))]
        with self.lock:
            matches = self.index.search(np.asarray(vectors, dtype=np.float32), count)
        if hasattr(matches, "counts"):
            rows = zip(matches.keys, matches.distances, matches.counts, strict=True)
        else:  # one vector: usearch answers its matches alone
            rows = [(matches.keys, matches.distances, len(matches.keys))]
        found: list[dict[int, float]] = []
        for keys, distances, size in rows:
            best: dict[int, float] = defaultdict(float)
            for key, distance in zip(keys[:size], distances[:size], strict=True):
                quote_id = self.quote_of.get(int(key))
                if quote_id is not None:
                    best[quote_id] = max(best[quote_id], round(1.0 - float(distance), 3))
            found.append(dict(best))
        return found


_replica: VectorIndex | None = None
_replica_lock = threading.Lock()


def replica() -> VectorIndex:
    """This process's replica, built from the stored embeddings on first use."""
    global _replica
    if _replica is None:
        with _replica_lock:
            if _replica is None:
                _replica = VectorIndex()
    return _replica


def reset() -> None:
    """Forget this process's replica (tests, a restored database)."""
    global _replica
    with _replica_lock:
        _replica = None


def nearest_quotes(vectors: Sequence | np.ndarray, *, count: int = 20) -> list[dict[int, float]]:
    return replica().nearest(np.asarray(vectors, dtype=np.float32), count=count)
