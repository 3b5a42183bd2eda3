"""Queries of the query language (quotes/search.py) and of the list's filters, for tantivy.

A term (a word, or a phrase) matches a quote when any reading of it matches any part of the
quote: its words as they are (accent-folded) or stemmed by any language's stemmer, in the
text, a translation, a name of the speaker or the context; its CJK runs as phrases of
bigrams. Parts are weighted for BM25: the text above translations, above names, above the
context.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import tantivy

from quotes.search import CJK_RUN, Term, parse
from search import analysis
from search.backends.base import Filters
from search.documents import days_of
from search.index import PARTS, part_fields

Occur = tantivy.Occur
WEIGHTS = {"text": 8.0, "translation": 4.0, "name": 2.0, "context": 1.0}


@dataclass(frozen=True)
class CompiledQuery:
    """A query parsed and ready for the index: ``terms`` are what highlights mark."""

    text: str
    alternatives: tuple[tuple[Term, ...], ...]
    words: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    cjk_runs: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.alternatives


def compile_query(text: str) -> CompiledQuery:
    """Parse ``text``; terms that have no words (punctuation only) are left out."""
    alternatives = []
    for group in parse(text):
        kept = tuple(term for term in group if has_content(term.text))
        if kept:
            alternatives.append(kept)
    included = {term.text for group in alternatives for term in group if not term.excluded}
    words = {
        (name, word)
        for term in included
        for name in analysis.analyzer_names()
        for word in analysis.words(term, name)
    }
    runs = {run for term in included for run in CJK_RUN.findall(term)}
    return CompiledQuery(
        text=text,
        alternatives=tuple(alternatives),
        words=frozenset(words),
        cjk_runs=tuple(sorted(runs, key=lambda run: (-len(run), run))),
    )


def has_content(text: str) -> bool:
    return bool(CJK_RUN.search(text) or analysis.words(text, analysis.PLAIN))


def text_query(schema: tantivy.Schema, compiled: CompiledQuery) -> tantivy.Query:
    """Quotes matching any alternative, scored by BM25."""
    groups = [group_query(schema, group) for group in compiled.alternatives]
    if len(groups) == 1:
        return groups[0]
    return tantivy.Query.boolean_query([(Occur.Should, group) for group in groups])


def group_query(schema: tantivy.Schema, group: tuple[Term, ...]) -> tantivy.Query:
    clauses = [
        (Occur.MustNot if term.excluded else Occur.Must, term_query(schema, term)) for term in group
    ]
    if all(term.excluded for term in group):
        clauses.append((Occur.Must, tantivy.Query.all_query()))
    return tantivy.Query.boolean_query(clauses)


def term_query(schema: tantivy.Schema, term: Term) -> tantivy.Query:
    """Its words read every way, in every part, and each of its CJK runs, all required."""
    required = []
    readings = word_readings(schema, term.text)
    if readings:
        required.append(any_of(readings))
    for run in CJK_RUN.findall(term.text):
        required.append(any_of(cjk_readings(schema, run)))
    if len(required) == 1:
        return required[0]
    return tantivy.Query.boolean_query([(Occur.Must, query) for query in required])


def word_readings(schema: tantivy.Schema, text: str) -> list[tantivy.Query]:
    """The words as they are, and stemmed by each stemmer. Stemmed fields are also asked
    for the words as they are: a stemmer may stem a word's inflection to the word itself
    but the word to something shorter (Turkish "müzakereler" and "müzakere")."""
    by_analyzer = {name: analysis.words(text, name) for name in analysis.analyzer_names()}
    plain = by_analyzer[analysis.PLAIN]
    readings = []
    for part in PARTS:
        for field_name in part_fields(part):
            terms = by_analyzer[field_name.split("_", 1)[1]]
            for reading in [terms] + ([plain] if plain != terms else []):
                if reading:
                    readings.append(weighted(matching(schema, field_name, reading), part))
    return readings


def cjk_readings(schema: tantivy.Schema, run: str) -> list[tantivy.Query]:
    if len(run) == 1:
        return [weighted(matching(schema, f"{part}_cjk1", [run]), part) for part in PARTS]
    bigrams = analysis.query_bigrams(run)
    return [weighted(matching(schema, f"{part}_cjk", bigrams), part) for part in PARTS]


def matching(schema: tantivy.Schema, field_name: str, terms: list[str]) -> tantivy.Query:
    if len(terms) == 1:
        return tantivy.Query.term_query(schema, field_name, terms[0])
    return tantivy.Query.phrase_query(schema, field_name, terms)


def weighted(query: tantivy.Query, part: str) -> tantivy.Query:
    return tantivy.Query.boost_query(query, WEIGHTS[part])


def any_of(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(Occur.Should, query) for query in queries])


TERM_FILTERS = ("speaker", "organization", "topic", "kind", "source", "occasion", "occasion_kind")


def filter_queries(schema: tantivy.Schema, filters: Filters) -> list[tantivy.Query]:
    queries = [tantivy.Query.term_set_query(schema, "status", list(filters.statuses))]
    for name in TERM_FILTERS:
        value = getattr(filters, name)
        if value:
            queries.append(tantivy.Query.term_query(schema, name, value))
    if filters.country:
        queries.append(tantivy.Query.term_query(schema, "country", filters.country.upper()))
    if filters.language:
        language = filters.language.lower()
        queries.append(tantivy.Query.term_query(schema, "language_match", language))
    if filters.said_from or filters.said_until:
        queries.append(
            tantivy.Query.range_query(
                schema,
                "said_start",
                tantivy.FieldType.Integer,
                days_of(filters.said_from) if filters.said_from else None,
                days_of(filters.said_until) if filters.said_until else None,
            )
        )
    return queries


def search_query(
    schema: tantivy.Schema, compiled: CompiledQuery | None, filters: Filters
) -> tantivy.Query:
    """The text query (when there is one) restricted by the filters, which do not score."""
    clauses = [
        (Occur.Must, tantivy.Query.const_score_query(query, 0.0))
        for query in filter_queries(schema, filters)
    ]
    if compiled is not None:
        if compiled.is_empty:
            return tantivy.Query.empty_query()
        clauses.append((Occur.Must, text_query(schema, compiled)))
    return tantivy.Query.boolean_query(clauses)
