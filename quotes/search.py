"""The query language of quote search, as docs/api.md describes it.

A query is written in web-search syntax:

- words, all of which must match (there are no stop words: every word counts);
- ``"quoted phrases"``, whose words must follow each other;
- ``-word`` or ``-"phrase"`` to exclude;
- ``OR`` between two alternatives, which binds more loosely than the implicit AND:
  ``a b OR c`` means (a and b) or c.

Any input is a valid query. The search engine (the ``search`` package) compiles the parsed
query: each term is read with every language's stemmer, so "negotiations" finds
"negotiated" and "переговоры" finds "переговорах" without the client naming a language, an
excluded term excludes all its readings, and a CJK term is matched as a substring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_LENGTH = 500
# Han (with extensions and compatibility ideographs), kana, Hangul and the iteration mark:
# scripts written without spaces between words.
CJK_RUN = re.compile(
    "[\u3005\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\U00020000-\U0002fa1f]+"
)


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
