"""Full-text search over quotes: web-search queries, ranking and highlights.

The documents are ``Quote.search_vector``, which database triggers keep up to date (see
migration 0004_search for what goes into it). A query is written in web-search syntax:

- words, all of which must match (there are no stop words: every word counts);
- ``"quoted phrases"``, whose words must follow each other;
- ``-word`` or ``-"phrase"`` to exclude;
- ``OR`` between two alternatives, which binds more loosely than the implicit AND:
  ``a b OR c`` means (a and b) or c, as in PostgreSQL's ``websearch_to_tsquery``.

Any input is a valid query. Each term is read by the database with every language's
configuration (``onrecord_term_tsquery``), so "negotiations" finds "negotiated" and
"переговоры" finds "переговорах" without the client naming a language, and a CJK term is
matched as a substring.

The syntax is parsed here rather than by ``websearch_to_tsquery``, which reads a whole query
with one configuration: OR-ing its readings by every configuration would exclude a word
only in the readings that happen to stem it as the document's language does, and a query
mixing languages would need one configuration that understands all of its words. Parsed
here, each term becomes the union of its readings, and an excluded term excludes them all.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQueryField, SearchRank
from django.db import connection, models
from django.db.models import F, Func, Value
from django.db.models.functions import Cast

MAX_QUERY_LENGTH = 500
# ts_rank_cd normalization: divide by 1 + log(document length) (1), then scale into 0..1 (32).
RANK_NORMALIZATION = 1 | 32
# Texts up to this length are shown whole in highlights; longer ones as fragments.
WHOLE_TEXT_LENGTH = 600
MARK_START, MARK_END = "\x01", "\x02"
CONTEXT_LANGUAGE = "en"

# Must agree with CJK in migration 0004_search.
CJK_RUN = re.compile(
    "[\u3005\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\U00020000-\U0002fa1f]+"
)
TSQUERY_OPERAND = re.compile(r"'((?:[^'\\]|''|\\.)*)'")


@dataclass(frozen=True)
class Term:
    """A word or a phrase of a query (its words must follow each other), maybe excluded."""

    text: str
    excluded: bool = False


def parse(query: str) -> list[list[Term]]:
    """Split a web-search query into alternatives (OR) of terms that must all match (AND)."""
    alternatives: list[list[Term]] = [[]]
    position, end = 0, len(query)
    while position < end:
        if query[position].isspace():
            position += 1
            continue
        excluded = False
        if query[position] == "-":
            while position < end and query[position] == "-":
                position += 1
            if position == end or query[position].isspace():
                continue  # a dash on its own excludes nothing
            excluded = True
        is_phrase = query[position] == '"'
        term, position = _read_term(query, position)
        if term is None:
            continue
        if not (excluded or is_phrase) and term.lower() == "or":
            if alternatives[-1]:
                alternatives.append([])
            continue
        alternatives[-1].append(Term(term, excluded))
    return [terms for terms in alternatives if terms]


def _read_term(query: str, position: int) -> tuple[str | None, int]:
    """The word or quoted phrase starting at ``position``, and where the next one starts."""
    if query[position] == '"':
        closing = query.find('"', position + 1)
        closing = len(query) if closing == -1 else closing
        phrase = query[position + 1 : closing]
        return (phrase if phrase.strip() else None), closing + 1
    stop = position
    while stop < len(query) and not query[stop].isspace() and query[stop] != '"':
        stop += 1
    return query[position:stop], stop


@dataclass(frozen=True)
class CompiledQuery:
    """A query as the database will run it."""

    text: str
    tsquery: str
    lexemes: tuple[str, ...] = ()
    cjk_runs: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.tsquery

    def expression(self) -> Cast:
        return Cast(Value(self.tsquery), output_field=SearchQueryField())


def compile_query(text: str) -> CompiledQuery:
    """Build the tsquery of ``text``: the database reads each distinct term (one query),
    and the readings are combined here as the query's alternatives say."""
    alternatives = parse(text)
    terms = sorted({term.text for group in alternatives for term in group})
    if not terms:
        return CompiledQuery(text=text, tsquery="")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT term, onrecord_term_tsquery(term)::text FROM unnest(%s::text[]) AS term",
            [terms],
        )
        readings = dict(cursor.fetchall())
    groups = []
    for group in alternatives:
        parts = [
            f"!( {readings[term.text]} )" if term.excluded else f"( {readings[term.text]} )"
            for term in group
            if readings[term.text]
        ]
        if parts:
            groups.append("( " + " & ".join(dict.fromkeys(parts)) + " )")
    included = [term.text for group in alternatives for term in group if not term.excluded]
    lexemes = {
        _unescape(operand)
        for term in included
        for operand in TSQUERY_OPERAND.findall(readings[term])
    }
    cjk_runs = {run for term in included for run in CJK_RUN.findall(term)}
    return CompiledQuery(
        text=text,
        tsquery=" | ".join(groups),
        lexemes=tuple(sorted(lexemes)),
        cjk_runs=tuple(sorted(cjk_runs, key=lambda run: (-len(run), run))),
    )


def _unescape(operand: str) -> str:
    """A lexeme as written inside quotes in a tsquery's text."""
    return re.sub(r"\\(.)|''", lambda m: m.group(1) or "'", operand)


class Matches(Func):
    """``vector @@ query``, which the GIN index on the vector serves."""

    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = models.BooleanField()


def search_quotes(queryset: models.QuerySet, query: str | CompiledQuery) -> models.QuerySet:
    """Quotes matching ``query``, annotated with their ``rank`` (between 0 and 1)."""
    compiled = query if isinstance(query, CompiledQuery) else compile_query(query)
    if compiled.is_empty:
        return queryset.none().annotate(rank=Value(0.0, output_field=models.FloatField()))
    tsquery = compiled.expression()
    return queryset.filter(Matches(F("search_vector"), tsquery)).annotate(
        rank=SearchRank(
            F("search_vector"), tsquery, cover_density=True, normalization=RANK_NORMALIZATION
        )
    )


@dataclass
class Highlight:
    """Where a quote matched, as HTML with ``<mark>`` around the matching words."""

    html: str
    field: str
    language: str


@dataclass
class _Candidate:
    quote_id: int
    field: str
    language: str
    body: str
    headline: str | None = None


# Starts with SELECT (no CTE) so that history tracking sees a read.
HEADLINE_SQL = """
SELECT quote_id, field, language, body,
       onrecord_headline(language, translate(body, %(marks)s, ''), %(lexemes)s,
                         CASE WHEN length(body) <= %(whole)s THEN %(whole_options)s
                              ELSE %(fragment_options)s END)
FROM (
    SELECT q.id AS quote_id, 'text' AS field, q.language, q.text AS body, 0 AS ord
    FROM quotes_quote q WHERE q.id = ANY(%(ids)s)
    UNION ALL
    SELECT t.quote_id, 'translation', t.language, t.text, 1
    FROM quotes_translation t WHERE t.quote_id = ANY(%(ids)s)
    UNION ALL
    SELECT q.id, 'context', %(context_language)s, q.context, 2
    FROM quotes_quote q WHERE q.id = ANY(%(ids)s) AND q.context <> ''
) AS texts
ORDER BY quote_id, ord, language
"""
HEADLINE_OPTIONS = f"StartSel={MARK_START}, StopSel={MARK_END}"
WHOLE_OPTIONS = f"{HEADLINE_OPTIONS}, HighlightAll=true"
FRAGMENT_OPTIONS = (
    f'{HEADLINE_OPTIONS}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
)


def highlights(quote_ids: Iterable[int], compiled: CompiledQuery) -> dict[int, Highlight]:
    """Highlights for the given quotes (one query): the first of the text, its translations
    and its context that contains a match, else the text itself."""
    ids = list(quote_ids)
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            HEADLINE_SQL,
            {
                "ids": ids,
                "lexemes": list(compiled.lexemes),
                "marks": MARK_START + MARK_END,
                "context_language": CONTEXT_LANGUAGE,
                "whole": WHOLE_TEXT_LENGTH,
                "whole_options": WHOLE_OPTIONS,
                "fragment_options": FRAGMENT_OPTIONS,
            },
        )
        candidates = [_Candidate(*row) for row in cursor.fetchall()]
    chosen: dict[int, Highlight] = {}
    for candidate in candidates:
        marked = _mark(candidate, compiled.cjk_runs)
        best = chosen.get(candidate.quote_id)
        if MARK_START in marked and (best is None or "<mark>" not in best.html):
            chosen[candidate.quote_id] = _highlight(candidate, marked)
        elif best is None:
            chosen[candidate.quote_id] = _highlight(candidate, _excerpt(candidate.body))
    return chosen


def _mark(candidate: _Candidate, cjk_runs: Sequence[str]) -> str:
    """The headline, or the text, with CJK matches marked too; "" when nothing matched."""
    text = candidate.headline
    if text is None:
        text = candidate.body.replace(MARK_START, "").replace(MARK_END, "")
        if not cjk_runs or not any(run in text for run in cjk_runs):
            return ""
        text = _excerpt(text, around=min(text.find(run) for run in cjk_runs if run in text))
    return mark_substrings(text, cjk_runs)


def mark_substrings(text: str, needles: Sequence[str]) -> str:
    """Wrap every occurrence of the needles in marks, outside the parts already marked."""
    if not needles:
        return text
    pattern = re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))
    parts = re.split(f"({MARK_START}[^{MARK_END}]*{MARK_END})", text)
    marked = [part if part.startswith(MARK_START) else pattern.sub(_wrap, part) for part in parts]
    return "".join(marked).replace(MARK_END + MARK_START, "")


def _wrap(match: re.Match) -> str:
    return f"{MARK_START}{match.group(0)}{MARK_END}"


def _excerpt(text: str, around: int = 0, width: int = WHOLE_TEXT_LENGTH) -> str:
    """The whole text when short, else about ``width`` characters around ``around``."""
    if len(text) <= width:
        return text
    start = max(0, around - width // 3)
    end = start + width
    excerpt = text[start:end]
    return ("…" if start else "") + excerpt + ("…" if end < len(text) else "")


def _highlight(candidate: _Candidate, marked: str) -> Highlight:
    escaped = html.escape(marked, quote=False)
    return Highlight(
        html=escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"),
        field=candidate.field,
        language=candidate.language,
    )


@contextmanager
def search_vectors_deferred() -> Iterator[None]:
    """Within the current transaction, leave quotes' search vectors to be refreshed later.

    For bulk writers: a quote written with its translations would otherwise have its vector
    computed twice. Call ``search_vectors_refresh`` for the quotes written (migration
    0008_search_deferred).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('onrecord.defer_search', 'on', true)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('onrecord.defer_search', 'off', true)")


def search_vectors_refresh(quote_ids: Sequence[int]) -> None:
    """Compute the search vectors of these quotes again (the quote trigger does it)."""
    if quote_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE quotes_quote SET search_vector = NULL WHERE id = ANY(%s)", [list(quote_ids)]
            )
