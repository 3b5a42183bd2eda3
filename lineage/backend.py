"""Statements by meaning as a search backend (search/backends/base.py): the request's text
embedded and matched against every statement's texts and translations in the vector index
(lineage/vectors.py), in any of the model's languages; the filters and orders applied by
the database. Fed by the embedder (lineage/embedder.py) from the same outbox as the text
index."""

from __future__ import annotations

from array import array
from collections.abc import Iterable

from django.db.models import QuerySet

from lineage import embedder, vectors
from quotes import meaning
from search.backends.base import (
    MAX_RESULTS,
    PageTooDeep,
    SearchBackend,
    SearchRequest,
    SearchResults,
)

# A search by meaning lists the statements whose meaning is at least this close to the text
# (unrelated texts score up to about 0.3, docs/lineage.md), at most NEIGHBOURS of them.
SEARCH_THRESHOLD = 0.35
NEIGHBOURS = 200
DATABASE_ORDERS = {
    "-said": ("-said_start", "key"),
    "said": ("said_start", "key"),
    "created": ("created", "key"),
    "-created": ("-created", "key"),
    "updated": ("updated", "key"),
    "-updated": ("-updated", "key"),
    "-changed": ("-updated", "key"),
}


class MeaningResults(SearchResults):
    def __init__(self, request: SearchRequest, queryset: QuerySet):
        self.request = request
        self.queryset = queryset
        self._ordered: list[tuple[int, float | None]] | None = None

    def ordered(self) -> list[tuple[int, float | None]]:
        """(quote id, score) of every quote found, in order (computed once)."""
        if self._ordered is None:
            kept = self.queryset.filter(self.request.filters.as_q())
            if self.request.is_search:
                scores = self.scores()
                ids = set(kept.filter(pk__in=list(scores)).values_list("pk", flat=True))
                by_score = sorted(ids, key=lambda pk: (-scores[pk], pk))
                if self.request.ordering == "relevance":
                    self._ordered = [(pk, scores[pk]) for pk in by_score]
                    return self._ordered
                kept = kept.filter(pk__in=ids)
            order = DATABASE_ORDERS.get(self.request.ordering, DATABASE_ORDERS["-said"])
            pks = kept.distinct().order_by(*order).values_list("pk", flat=True)[:MAX_RESULTS]
            self._ordered = [(pk, None) for pk in pks]
        return self._ordered

    def scores(self) -> dict[int, float]:
        if not vectors.replica().catch_up_and_count():
            return {}
        probe = meaning.embed([self.request.text.strip()])
        found = vectors.nearest_quotes(probe, count=NEIGHBOURS)[0]
        return {pk: score for pk, score in found.items() if score >= SEARCH_THRESHOLD}

    def count(self) -> int:
        return len(self.ordered())

    def __getitem__(self, item: slice) -> list:
        if not isinstance(item, slice):
            raise TypeError("Results are read a page (a slice) at a time.")
        start, stop = item.start or 0, item.stop if item.stop is not None else MAX_RESULTS
        if stop > MAX_RESULTS and start < self.count():
            raise PageTooDeep(MAX_RESULTS)
        page = self.ordered()[start:stop]
        found = self.queryset.in_bulk([pk for pk, _ in page])
        quotes = []
        for pk, score in page:
            if pk in found:
                found[pk].rank = score
                quotes.append(found[pk])
        return quotes

    def ids(self, limit: int) -> tuple[array, array | None]:
        page = self.ordered()[:limit]
        ids = array("q", (pk for pk, _ in page))
        if self.request.ordering != "relevance" or not self.request.is_search:
            return ids, None
        return ids, array("d", (score for _, score in page))


class MeaningBackend(SearchBackend):
    def search(self, request: SearchRequest, queryset: QuerySet) -> MeaningResults:
        return MeaningResults(request, queryset)

    def update(self, quote_ids: Iterable[int]) -> int:
        embedded = embedder.embed_quotes(quote_ids)
        vectors.replica().catch_up()
        return embedded

    def refresh(self) -> int:
        embedded = embedder.run(own=True)
        vectors.replica().catch_up()
        return embedded
