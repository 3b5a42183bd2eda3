"""The embedder: every quote's texts embedded off the request path, fed by the outbox.

It reads the search outbox (search/outbox.py) as an index replica does: every commit that
touched a quote, on every path, in commit order. For each quote touched it embeds the texts
(the quote's own words and each translation, in the languages the model reads) whose
SHA-256 changed, and empties the rows of texts that are gone, giving every written row the
next ``version`` so that each app server's vector index (lineage/vectors.py) catches up.
Runs after the writes' transactions, like indexing: an import is not slowed by it. One
embedder at a time (the ``Progress`` row's lock). If the outbox was pruned past its
position, it checks every quote once (``embed_all``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Max

from lineage.models import Embedding, Progress
from quotes import meaning
from quotes.interchange.exporter import chunked
from quotes.models import Quote, Translation
from search import outbox

BATCH = 32  # texts embedded at a time: about a third of a second of work between rests


@dataclass(frozen=True)
class Text:
    quote_id: int
    translation_id: int | None
    language: str
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def run(*, own: bool = False) -> int:
    """Embed what every commit since the last run changed; the number of texts embedded.
    ``own`` also embeds the current transaction's uncommitted changes (tests)."""
    embedded = 0
    while True:
        with transaction.atomic():
            progress = progress_locked()
            state = outbox.state()
            if state.first is not None and progress.position < state.first - 1:
                embedded += embed_all()
                progress.position = state.latest
            elif (batch := outbox.pending(progress.position)) is not None:
                embedded += embed_quotes(batch.quote_ids)
                progress.position = batch.position
            else:
                return embedded + (embed_quotes(outbox.own_changes()) if own else 0)
            progress.save(update_fields=["position"])


def progress_locked() -> Progress:
    progress = Progress.objects.select_for_update().first()
    if progress is None:
        Progress.objects.create(position=0)
        progress = Progress.objects.select_for_update().first()
    return progress


def embed_all() -> int:
    """Check every quote's texts (the outbox no longer holds what the embedder missed)."""
    ids = Quote.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000)
    return sum(embed_quotes(chunk) for chunk in chunked(ids, 2000))


def embed_quotes(quote_ids: Iterable[int]) -> int:
    """Bring the embeddings of these quotes' texts up to date; the number embedded."""
    quote_ids = list(quote_ids)
    if not quote_ids:
        return 0
    texts = list(texts_of(quote_ids))
    stored = {
        (row.quote_id, row.translation_id): row
        for row in Embedding.objects.filter(quote_id__in=quote_ids).only(
            "pk", "quote_id", "translation_id", "digest", "vector"
        )
    }
    wanted = {(text.quote_id, text.translation_id): text for text in texts}
    stale = [
        text
        for key, text in wanted.items()
        if key not in stored or stored[key].digest != text.digest or stored[key].vector is None
    ]
    gone = [row for key, row in stored.items() if key not in wanted and row.vector is not None]
    for chunk in chunked(iter(stale), BATCH):
        began = time.monotonic()
        vectors = meaning.embed([text.text for text in chunk])
        pace(time.monotonic() - began)
        _write(chunk, vectors)
    _empty(gone)
    return len(stale)


def pace(worked: float) -> None:
    """Rest after ``worked`` seconds of embedding so as to compute only a share of the time
    (``ONRECORD_EMBED_SHARE``, 0.25 by default): the model's tokenizer is pure Python and its
    forward pass takes a core, which on a small machine searches would otherwise wait for
    (docs/performance.md, "Lineage")."""
    share = float(getattr(settings, "ONRECORD_EMBED_SHARE", 1.0))
    if 0 < share < 1:
        time.sleep(worked * (1 - share) / share)


def texts_of(quote_ids: list[int]) -> Iterator[Text]:
    """The texts of these quotes that the model reads."""
    for pk, language, text in Quote.objects.filter(pk__in=quote_ids).values_list(
        "pk", "language", "text"
    ):
        if meaning.supports(language) and text.strip():
            yield Text(pk, None, language, text)
    for pk, quote_id, language, text in Translation.objects.filter(
        quote_id__in=quote_ids
    ).values_list("pk", "quote_id", "language", "text"):
        if meaning.supports(language) and text.strip():
            yield Text(quote_id, pk, language, text)


def _write(texts: list[Text], vectors: np.ndarray) -> None:
    """One upsert for a batch of texts (``embedding_one_per_text`` finds the row to update)."""
    version = next_versions(len(texts))
    rows = [
        Embedding(
            quote_id=text.quote_id,
            translation_id=text.translation_id,
            language=text.language,
            digest=text.digest,
            vector=vector.astype(np.float32).tobytes(),
            version=version + offset,
        )
        for offset, (text, vector) in enumerate(zip(texts, vectors, strict=True))
    ]
    Embedding.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["quote", "translation_id"],
        update_fields=["language", "digest", "vector", "version"],
    )


def _empty(rows: list[Embedding]) -> None:
    version = next_versions(len(rows))
    for offset, row in enumerate(rows):
        row.vector, row.version = None, version + offset
    Embedding.objects.bulk_update(rows, ["vector", "version"])


def next_versions(count: int) -> int:
    """The first of ``count`` new versions. The embedder's lock (``progress_locked``) makes
    it the only writer, so versions are given and committed in order."""
    if count == 0:
        return 0
    latest = Embedding.objects.aggregate(latest=Max("version"))["latest"] or 0
    return latest + 1
