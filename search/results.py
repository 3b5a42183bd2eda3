"""Searching the index: the quotes a query and filters find, a page at a time, in order."""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import tantivy
from django.conf import settings
from django.db.models import QuerySet

from search import indexer
from search.backends.base import MAX_RESULTS, PageTooDeep
from search.index import SearchIndex, current_index
from search.query import CompiledQuery, Filters, search_query

Order = tantivy.Order
# ordering -> (fast field, direction); None: relevance (BM25).
ORDERS = {
    "relevance": (None, Order.Desc),
    "-said": ("said_desc", Order.Desc),
    "said": ("said_asc", Order.Asc),
    "created": ("created", Order.Asc),
    "-created": ("created", Order.Desc),
    "updated": ("updated", Order.Asc),
    "-updated": ("updated", Order.Desc),
}
# Orders of the site's own lists, not offered to the API's clients: the feeds' last public
# change first (an editor's unpublished work does not bring a statement up).
SITE_ORDERS = {"-changed": ("changed", Order.Desc)}
ALL_ORDERS = {**ORDERS, **SITE_ORDERS}


def reading_index() -> SearchIndex:
    """The index to search: in synchronous mode (ONRECORD_SEARCH_SYNC) brought up to date
    first; otherwise as the indexer keeps it, if it can be trusted (else
    ``indexer.SearchUnavailable``, while it is rebuilt)."""
    index = current_index()
    if settings.SEARCH_SYNC:
        indexer.flush()
        return index
    return indexer.searchable(index)


@dataclass
class Hit:
    quote_id: int
    order: tuple  # sorts the hits of a page: ties are then ordered by key
    score: float | None


class QuoteResults:
    """The quotes a search finds, in its order, as Django's Paginator pages through a list:
    ``count()`` and slices (of ``queryset``'s quotes, relevance in ``rank``)."""

    def __init__(
        self,
        queryset: QuerySet,
        compiled: CompiledQuery | None,
        filters: Filters,
        ordering: str,
        index: SearchIndex | None = None,
    ):
        """``index``: a given index as it stands (by default, this process's, see
        ``reading_index``)."""
        self.queryset = queryset
        self.compiled = compiled
        self.filters = filters
        self.ordering = ordering
        self.index = index or reading_index()
        self.searcher = self.index.searcher()
        self.query = search_query(self.index.schema, compiled, filters)
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.searcher.search(self.query, limit=1, count=True).count
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list:
        if not isinstance(item, slice):
            raise TypeError("QuoteResults are read a page (a slice) at a time.")
        start, stop = item.start or 0, item.stop if item.stop is not None else MAX_RESULTS
        if stop > MAX_RESULTS and start < self.count():
            raise PageTooDeep(MAX_RESULTS)
        if stop <= start:
            return []
        hits = self.hits(start, stop - start)
        found = self.queryset.in_bulk([hit.quote_id for hit in hits])
        quotes = []
        for hit in hits:
            quote = found.get(hit.quote_id)
            if quote is not None:
                quote.rank = None if hit.score is None else rank_of(hit.score)
                quotes.append((hit.order, quote.key, quote))
        quotes.sort(key=lambda entry: entry[:2])
        return [quote for _, _, quote in quotes]

    def found(self, offset: int, limit: int) -> list[tuple]:
        """The engine's (score or sort value, document address) of hits ``offset`` to
        ``offset + limit``, in the order asked for."""
        field, direction = ALL_ORDERS[self.ordering]
        return self.searcher.search(
            self.query,
            limit=max(limit, 1),
            count=False,
            order_by_field=field,
            offset=offset,
            order=direction,
        ).hits[:limit]

    def hits(self, offset: int, limit: int) -> list[Hit]:
        """Hits ``offset`` to ``offset + limit`` in the order asked for."""
        found = self.found(offset, limit)
        addresses = [address for _, address in found]
        ids = self.searcher.fast_field_values("id", addresses)
        field, direction = ALL_ORDERS[self.ordering]
        if field is None:
            dates = self.searcher.fast_field_values("said_desc", addresses)
            return [
                Hit(quote_id, (-score, -date), score)
                for (score, _), quote_id, date in zip(found, ids, dates, strict=True)
            ]
        sign = -1 if direction == Order.Desc else 1
        return [
            Hit(quote_id, (sign * value,), None)
            for (value, _), quote_id in zip(found, ids, strict=True)
        ]

    def ids(self, limit: int) -> tuple[array, array | None]:
        """The ids of the first ``limit`` quotes found, in order (for downloads), and their
        ranks when ordered by relevance (else None): packed, 8 bytes a number, and without
        the per-hit objects of a page, since a download's ids are kept while it streams."""
        found = self.found(0, limit)
        ids = array("q", self.searcher.fast_field_values("id", [address for _, address in found]))
        if ALL_ORDERS[self.ordering][0] is not None:
            return ids, None
        return ids, array("d", (rank_of(score) for score, _ in found))


def rank_of(score: float) -> float:
    """A BM25 score as a rank from 0 to 1 (the API's ``rank``)."""
    return score / (score + 1.0)
