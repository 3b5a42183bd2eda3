"""Highlights: where a quote of a page matched, as HTML with ``<mark>`` around the matches.

The words of the page's texts are read by the index's own analyzers, and a word is marked
when one of its readings (accent-folded, or stemmed by the text's language) is one of the
query's; CJK runs of the query are marked wherever they occur.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from django.db import connection

from search import analysis
from search.backends.base import Highlight
from search.index import CONTEXT_STEMMER
from search.query import CompiledQuery

# Texts up to this length are shown whole; longer ones as fragments around the matches.
WHOLE_TEXT_LENGTH = 600
FRAGMENT_CONTEXT = 120
MAX_FRAGMENTS = 2
CONTEXT_LANGUAGE = "en"

# Starts with SELECT (no CTE) so that history tracking sees a read.
TEXTS_SQL = """
SELECT quote_id, field, language, body FROM (
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


def highlights(quote_ids: Iterable[int], compiled: CompiledQuery) -> dict[int, Highlight]:
    """For each quote, the first of its text, translations and context that matched (else
    its text), marked (one query)."""
    ids = list(quote_ids)
    if not ids or compiled.is_empty:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(TEXTS_SQL, {"ids": ids, "context_language": CONTEXT_LANGUAGE})
        rows = cursor.fetchall()
    chosen: dict[int, Highlight] = {}
    matched: set[int] = set()
    for quote_id, field, language, body in rows:
        if quote_id in matched:
            continue
        stemmer = CONTEXT_STEMMER if field == "context" else analysis.stemmer_of(language)
        spans = match_spans(body, stemmer, compiled)
        if spans:
            chosen[quote_id] = Highlight(render(body, spans), field, language)
            matched.add(quote_id)
        elif quote_id not in chosen:
            chosen[quote_id] = Highlight(render(body, []), field, language)
    return chosen


def match_spans(text: str, stemmer: str | None, compiled: CompiledQuery) -> list[list[int]]:
    """The (start, end) character ranges of the matches in ``text``, merged."""
    spans = []
    for name in (analysis.PLAIN, stemmer):
        if name is None:
            continue
        spans += [
            [start, end]
            for term, start, end in analysis.tokens(text, name)
            if (name, term) in compiled.words or (analysis.PLAIN, term) in compiled.words
        ]
    for run in compiled.cjk_runs:
        spans += [[m.start(), m.end()] for m in re.finditer(re.escape(run), text)]
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def render(text: str, spans: list[list[int]]) -> str:
    """The text (or fragments of a long one) as HTML, the spans marked."""
    if len(text) <= WHOLE_TEXT_LENGTH:
        return marked(text, spans, 0, len(text))
    if not spans:
        return marked(text, [], 0, WHOLE_TEXT_LENGTH) + "…"
    fragments, covered = [], -1
    for start, end in spans:
        if start < covered or len(fragments) == MAX_FRAGMENTS:
            continue
        begin = word_boundary(text, max(0, start - FRAGMENT_CONTEXT), backwards=True)
        finish = word_boundary(text, min(len(text), end + FRAGMENT_CONTEXT), backwards=False)
        fragments.append((begin, finish))
        covered = finish
    parts = [marked(text, spans, begin, finish) for begin, finish in fragments]
    prefix = "…" if fragments[0][0] > 0 else ""
    suffix = "…" if fragments[-1][1] < len(text) else ""
    return prefix + " … ".join(parts) + suffix


def word_boundary(text: str, at: int, *, backwards: bool) -> int:
    if at <= 0 or at >= len(text):
        return at
    if backwards:
        space = text.rfind(" ", 0, at)
        return at if space == -1 else space + 1
    space = text.find(" ", at)
    return at if space == -1 else space


def marked(text: str, spans: list[list[int]], begin: int, finish: int) -> str:
    out, at = [], begin
    for start, end in spans:
        if end <= begin or start >= finish:
            continue
        start, end = max(start, begin), min(end, finish)
        out.append(html.escape(text[at:start], quote=False))
        out.append("<mark>" + html.escape(text[start:end], quote=False) + "</mark>")
        at = end
    out.append(html.escape(text[at:finish], quote=False))
    return "".join(out)
