"""Statements of the same meaning as given texts, in any language: the part of the
similar-text check (quotes/similarity.py) and of lineage that reads the vector index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lineage import vectors
from lineage.models import Decision, Embedding
from quotes import meaning
from quotes.models import Quote, Translation

NEIGHBOURS = 20


@dataclass
class SameMeaning:
    """For each probe (a list of texts: a statement and its translations), the quotes of the
    same meaning and their best cosine similarity, and the means to ask of one quote."""

    probes: list[list[str]]
    scores: list[dict[int, float]]
    dismissed: set[tuple[int, int]] = field(default_factory=set)
    _vectors: dict[int, np.ndarray] = field(default_factory=dict)

    def probe_vectors(self, n: int) -> np.ndarray:
        if n not in self._vectors:
            self._vectors[n] = meaning.embed(self.probes[n]) if self.probes[n] else _none()
        return self._vectors[n]

    def embed_all(self) -> None:
        """Every probe's texts in one call of the model (an import's batch: a call per
        probe cost several times as much)."""
        texts = [text for probe in self.probes for text in probe]
        if not texts:
            return
        rows, start = meaning.embed(texts), 0
        for n, probe in enumerate(self.probes):
            self._vectors[n] = rows[start : start + len(probe)] if probe else _none()
            start += len(probe)

    def agrees(self, n: int, quote_id: int) -> bool:
        """Whether probe ``n`` means what the quote says; True when the model cannot tell
        (no text of either in a language it reads)."""
        if quote_id in self.scores[n]:
            return True
        theirs, mine = vectors_of_quote(quote_id), self.probe_vectors(n)
        if not len(theirs) or not len(mine):
            return True
        return float((mine @ theirs.T).max()) >= meaning.SAME_STATEMENT_THRESHOLD


def same_meaning(
    probes: Sequence[Sequence[str]],
    *,
    exclude: Sequence[int | None],
    written_up_to: int | None = None,
    threshold: float = meaning.SAME_STATEMENT_THRESHOLD,
) -> SameMeaning:
    """The quotes whose embedded texts are nearest each probe's texts, at ``threshold`` or
    above, leaving out each probe's own quote (``exclude``), the quotes written after
    ``written_up_to`` and the pairs a reviewer dismissed."""
    found = SameMeaning([list(texts) for texts in probes], [{} for _ in probes])
    _note_dismissed(found, exclude)
    if not vectors.replica().catch_up_and_count():
        return found
    found.embed_all()
    probes = [n for n, texts in enumerate(found.probes) if texts]
    if not probes:
        return found
    # One search of the index for every text of every probe (an import's batch).
    rows = vectors.nearest_quotes(
        np.vstack([found.probe_vectors(n) for n in probes]), count=NEIGHBOURS
    )
    start = 0
    for n in probes:
        size = len(found.probes[n])
        best: dict[int, float] = {}
        for scores in rows[start : start + size]:
            for pk, score in scores.items():
                fits = written_up_to is None or pk <= written_up_to
                if score >= threshold and pk != exclude[n] and fits:
                    best[pk] = max(best.get(pk, 0.0), score)
        found.scores[n] = {pk: s for pk, s in best.items() if (n, pk) not in found.dismissed}
        start += size
    return found


def _note_dismissed(found: SameMeaning, exclude: Sequence[int | None]) -> None:
    """The pairs of a probe's own quote that a reviewer dismissed: never raised again."""
    own_ids = {own for own in exclude if own is not None}
    if not own_ids:
        return
    pairs = Decision.objects.dismissed_among(own_ids)
    for n, own in enumerate(exclude):
        for first, second in pairs:
            if own in (first, second):
                found.dismissed.add((n, second if first == own else first))


def vectors_of_quote(quote_id: int, *, embed_missing: bool = True) -> np.ndarray:
    """A quote's text vectors: those stored, or (``embed_missing``) embedded now if none is
    stored yet."""
    stored = [row.as_array() for row in Embedding.objects.current().filter(quote_id=quote_id)]
    if stored:
        return np.vstack(stored)
    if not embed_missing:
        return _none()
    texts = [
        text
        for language, text in [
            *Quote.objects.filter(pk=quote_id).values_list("language", "text"),
            *Translation.objects.filter(quote_id=quote_id).values_list("language", "text"),
        ]
        if meaning.supports(language) and text.strip()
    ]
    return meaning.embed(texts) if texts else _none()


def _none() -> np.ndarray:
    return np.zeros((0, meaning.DIMENSIONS), dtype=np.float32)
