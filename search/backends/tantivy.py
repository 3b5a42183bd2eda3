"""The tantivy text index as a search backend: the query language compiled for the index
(search/query.py), results from its searcher (search/results.py), facets from its fast
fields in one aggregation, highlights of the words matched (search/highlights.py), fed by
the outbox (search/indexer.py)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from django.db.models import QuerySet

from search import indexer
from search.backends.base import SearchBackend, SearchRequest, SearchResults
from search.highlights import highlights
from search.index import current_index
from search.percolate import ChangedQuotes
from search.query import compile_query
from search.results import QuoteResults

# Buckets asked for beyond the limit, so that ties at the limit are ordered by label.
TIE_MARGIN = 20
SEGMENT_SIZE = 10_000


class TantivyResults(QuoteResults, SearchResults):
    def __init__(self, request: SearchRequest, queryset: QuerySet):
        self.request = request
        compiled = compile_query(request.text.strip()) if request.is_search else None
        super().__init__(queryset, compiled, request.filters, request.ordering)

    def bucket_counts(self, *, limit: int, year_limit: int) -> dict[str, list[tuple]]:
        from search.backends.base import FACETS

        aggregations = {
            name: {
                "terms": {
                    "field": name,
                    "size": year_limit if name == "year" else limit + TIE_MARGIN,
                    "segment_size": SEGMENT_SIZE,
                    **({"order": {"_key": "desc"}} if name == "year" else {}),
                }
            }
            for name in FACETS
        }
        found = self.searcher.aggregate(self.query, aggregations)
        return {
            name: [(b["key"], b["doc_count"]) for b in found[name]["buckets"]] for name in FACETS
        }

    def highlights(self, quote_ids: Iterable[int]) -> dict:
        if self.compiled is None or self.compiled.is_empty:
            return {}
        return highlights(quote_ids, self.compiled)


class TantivyBackend(SearchBackend):
    def search(self, request: SearchRequest, queryset: QuerySet) -> TantivyResults:
        return TantivyResults(request, queryset)

    def percolate(
        self, quote_ids: Iterable[int], requests: Iterable[tuple[Hashable, SearchRequest]]
    ) -> dict[Hashable, set[int]]:
        """The changed quotes indexed in memory apart (search/percolate.py), each request
        run once against them."""
        return ChangedQuotes(quote_ids).percolate(requests)

    def update(self, quote_ids: Iterable[int]) -> int:
        index = current_index()
        with index.writing() as writer:
            applied = indexer.apply(index, writer, quote_ids)
            writer.commit()
        index.reload()
        return applied

    def refresh(self) -> int:
        return indexer.flush()
