"""Which of many saved queries find which of a few changed quotes ("percolation").

The changed quotes are indexed, as the search index holds them (``documents``), in a small
index in memory; each saved query runs against it once. A saved query costs one search of
a few documents however many quotes the record holds, so that many saved searches are
matched against a batch of changes without asking about each statement in turn.

Most saved searches look for words that none of a batch's quotes has: as a percolator
does, a query whose words are all missing from the small index's terms is known to find
nothing without being built or run (``may_find``), which is what makes many saved searches
cheap to match.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import tantivy

from search import analysis, documents
from search.backends.base import SearchRequest
from search.index import PARTS, build_schema, part_fields
from search.query import CompiledQuery, compile_query, search_query

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
        self.terms = self.word_terms()

    def word_terms(self) -> frozenset[str]:
        """Every term of the words of the changed quotes, in any of their fields and by any
        analyzer (not their CJK bigrams)."""
        terms: set[str] = set()
        if self.count:
            for part in PARTS:
                for field in part_fields(part):
                    terms.update(term for term, _ in self.searcher.terms_with_prefix(field, ""))
        return frozenset(terms)

    def may_find(self, compiled: CompiledQuery) -> bool:
        """False when ``compiled`` finds none of the changed quotes for certain: it has no
        terms, or none of the readings of its words is a term of a changed quote while each
        of its alternatives needs one of them (a quote found needs a reading of a word of
        every term it must have). A query with CJK runs, or with an alternative of excluded
        terms only, is run."""
        if compiled.is_empty or not self.count:
            return False
        if compiled.cjk_runs or any(
            all(term.excluded for term in group) for group in compiled.alternatives
        ):
            return True
        return any(word in self.terms for _analyzer, word in compiled.words)

    def found(self, query: tantivy.Query) -> set[int]:
        """The ids of the changed quotes that ``query`` finds."""
        if not self.count:
            return set()
        hits = self.searcher.search(query, limit=self.count, count=False).hits
        return set(self.searcher.fast_field_values("id", [address for _, address in hits]))

    def percolate(
        self, requests: Iterable[tuple[Hashable, SearchRequest]]
    ) -> dict[Hashable, set[int]]:
        """For each (key, request): the ids it finds, when it finds any."""
        result = {}
        for key, request in requests:
            compiled = compile_query(request.text.strip()) if request.is_search else None
            if compiled is not None and not self.may_find(compiled):
                continue
            ids = self.found(search_query(self.schema, compiled, request.filters))
            if ids:
                result[key] = ids
        return result
