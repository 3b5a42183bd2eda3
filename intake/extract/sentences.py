"""Paragraphs and sentences, with quotations kept whole."""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from intake.extract.base import QuoteSpan


@lru_cache(maxsize=8)
def _segmenter(code: str):
    import pysbd

    supported = {"en", "fr", "de", "es", "ru", "it", "nl", "pl", "zh", "ja", "ar", "el", "da"}
    return pysbd.Segmenter(
        language=code if code in supported else "en", clean=False, char_span=True
    )


# pysbd rewrites a whole paragraph for each abbreviation it finds in it, which is quadratic
# in a paragraph's length: a long one is given to it in pieces cut after a sentence's end.
SEGMENT_CHARS = 3000
PIECE_END = re.compile(r"[^\W\d_]{4}[.!?][\"”»’']?\s+(?=\S)")


def _pieces(paragraph: str) -> list[tuple[int, int]]:
    """Spans of a paragraph of at most about SEGMENT_CHARS, each ending after a sentence."""
    spans, start = [], 0
    while len(paragraph) - start > SEGMENT_CHARS:
        cut = PIECE_END.search(paragraph, start + SEGMENT_CHARS // 2)
        if cut is None:
            break
        spans.append((start, cut.end()))
        start = cut.end()
    spans.append((start, len(paragraph)))
    return spans


def sentences(paragraph: str, quotes: list[QuoteSpan], code: str) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph, never cutting through a quotation."""
    segmenter = _segmenter(code)
    spans = [
        (offset + s.start, offset + s.end)
        for offset, end in _pieces(paragraph)
        for s in segmenter.segment(paragraph[offset:end])
    ] or [(0, len(paragraph))]
    starts = [q.start for q in quotes]  # in order, and quotations do not overlap
    merged: list[list[int]] = []
    for start, end in spans:
        index = bisect.bisect_left(starts, start) - 1  # the last quotation opened before
        within = index >= 0 and start < quotes[index].end
        after_comma = merged and paragraph[merged[-1][0] : start].rstrip().endswith(COMMAS)
        if merged and (within or after_comma or _continues_quote(paragraph, start, index >= 0)):
            merged[-1][1] = end
        else:
            merged.append([start, end])
    spans = [(s, _rstrip(paragraph, s, e)) for s, e in merged]
    return _clauses(paragraph, spans, quotes) if code.startswith("zh") else spans


def _clauses(
    paragraph: str, spans: list[tuple[int, int]], quotes: list[QuoteSpan]
) -> list[tuple[int, int]]:
    """Chinese sentences cut after a semicolon outside quotations: "梅洛尼說，…；馬克宏則表示，
    …" gives each speaker a clause (one that names none goes on with the one before)."""
    result = []
    for start, end in spans:
        for match in re.finditer("；", paragraph[start:end]):
            cut = start + match.end()
            if not any(q.start < cut <= q.end for q in quotes) and cut < end:
                result.append((start, cut))
                start = cut
        result.append((start, end))
    return result


# No sentence ends with a comma or a colon; pysbd's Arabic rules cut after them all the same
# ("وقال …،" and "قال …: «…»").
COMMAS = (",", "،", ":")


def _continues_quote(paragraph: str, start: int, quoted_before: bool) -> bool:
    # "“We will respond.” he said" split after the closing mark: keep the attribution.
    rest = paragraph[start : start + 200].lstrip()
    return bool(rest) and rest[0].islower() and quoted_before


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def paragraphs(text: str) -> list[tuple[int, str]]:
    result, start = [], 0
    for line in text.split("\n"):
        if line.strip():
            offset = start + (len(line) - len(line.lstrip()))
            result.append((offset, line.strip()))
        start += len(line) + 1
    return result
