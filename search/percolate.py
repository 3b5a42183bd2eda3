"""Which of many saved queries find which of a few changed quotes ("percolation").

The changed quotes are indexed, as the search index holds them (``documents``), in a small
index in memory; each saved query runs against it once. A saved query costs one search of
a few documents however many quotes the record holds, so that many saved searches are
matched against a batch of changes without asking about each statement in turn.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

import tantivy

from search import analysis, documents
from search.index import build_schema

HEAP = 15_000_000


class ChangedQuotes:
    """An index in memory of the quotes of ``quote_ids``, as they are now."""

    def __init__(self, quote_ids: Iterable[int]):
        self.schema = build_schema()
        self.index = tantivy.Index(self.schema)
        analysis.register(self.index)
        writer = self.index.writer(HEAP, 1)
        self.count = 0
        for row in documents.rows_by_id(quote_ids):
            writer.add_document(documents.document(row))
            self.count += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def found(self, query: tantivy.Query) -> set[int]:
        """The ids of the changed quotes that ``query`` finds."""
        if not self.count:
            return set()
        hits = self.searcher.search(query, limit=self.count, count=False).hits
        return set(self.searcher.fast_field_values("id", [address for _, address in hits]))

    def percolate(
        self, queries: Iterable[tuple[Hashable, Callable[[tantivy.Schema], tantivy.Query]]]
    ) -> dict[Hashable, set[int]]:
        """For each (key, query maker): the ids it finds, when it finds any."""
        result = {}
        for key, make in queries:
            ids = self.found(make(self.schema))
            if ids:
                result[key] = ids
        return result
