"""Whether a source's address now leads to a different document than the one cited: a
redirect to the site's home page, or a main text that no longer resembles the last capture
of the document (a news site that reuses an address, a ministry that replaces a readout by
its list of readouts).

Resemblance is the Jaccard index of the two texts' word trigrams ("shingles", as in
Broder's near-duplicate detection), after the project's normalization of excerpts
(quotes.excerpts): a revised readout keeps most of its trigrams; another page shares few.
It reads each text once, so a capture of a long page costs little more than its parsing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from quotes.excerpts import fold

SHINGLE = 3  # words a shingle


def shingles(text: str) -> set[tuple[str, ...]]:
    """The text's word trigrams, folded as excerpts are (quotes, dashes, spaces) and in
    lower case; a text shorter than a trigram is its one shingle."""
    words = fold(text).text.casefold().split()
    if len(words) < SHINGLE:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def resemblance(older: str, newer: str) -> float:
    """How much two texts resemble each other, from 0 (no trigram in common) to 1 (the same
    trigrams); 1 when both are empty."""
    a, b = shingles(older), shingles(newer)
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def to_home_page(url: str, final_url: str) -> bool:
    """Whether a page with a path of its own was redirected to its site's home page."""
    if not final_url or final_url == url:
        return False
    asked, landed = urlsplit(url), urlsplit(final_url)
    return asked.path.strip("/") != "" and landed.path.strip("/") == "" and not landed.query


def different_document(*, url: str, final_url: str, text: str, earlier_text: str) -> bool:
    """Whether the page at ``url`` (which led to ``final_url`` with main text ``text``) is
    no longer the document last captured with ``earlier_text`` ("" when none was): a
    redirect to the home page, or a resemblance below ``CAPTURES_SAME_DOCUMENT``."""
    if to_home_page(url, final_url):
        return True
    if not earlier_text or not text:
        return False
    return resemblance(earlier_text, text) < settings.CAPTURES_SAME_DOCUMENT
