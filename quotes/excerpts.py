"""Finding a citation's excerpt in its source's full text.

Sources are copied from web pages, PDFs and wire services, so the same sentence arrives
with different whitespace, curly or straight quotes and apostrophes, and hyphens or
dashes. Those differences are ignored; letters, digits, case and every other character
must match.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

# Each group is folded to its first character.
EQUIVALENT_CHARACTERS = (
    "'‘’‚‛′`´",
    '"“”„‟″«»',
    "-‐‑‒–—―−",
)
FOLD = {ord(char): group[0] for group in EQUIVALENT_CHARACTERS for char in group[1:]}


@dataclass(frozen=True)
class Folded:
    """Text with runs of whitespace collapsed and equivalent characters folded.

    ``origins[i]`` is the index in the original text of the folded character ``i``.
    """

    text: str
    origins: tuple[int, ...]

    def span_of(self, excerpt: str, *, near: int = 0) -> tuple[int, int] | None:
        """Where ``excerpt`` occurs in the original text, as (start, end) of that text: the
        first occurrence from the original index ``near`` on, else the first of all. Folding
        the text once and searching it for many excerpts keeps the work linear in it."""
        needle = fold(excerpt).text
        if not needle:
            return None
        found = self.text.find(needle, bisect_left(self.origins, near))
        if found < 0:
            found = self.text.find(needle)
        if found < 0:
            return None
        return self.origins[found], self.origins[found + len(needle) - 1] + 1


def fold(text: str) -> Folded:
    chars: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        if char.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                origins.append(index)
            continue
        chars.append(char.translate(FOLD))
        origins.append(index)
    if chars and chars[-1] == " ":
        chars.pop()
        origins.pop()
    return Folded("".join(chars), tuple(origins))


def excerpt_span(excerpt: str, full_text: str) -> tuple[int, int] | None:
    """Where ``excerpt`` occurs in ``full_text`` as (start, end) indexes of ``full_text``."""
    return fold(full_text).span_of(excerpt)


def excerpt_occurs(excerpt: str, full_text: str) -> bool:
    return excerpt_span(excerpt, full_text) is not None


@dataclass(frozen=True)
class ExcerptInContext:
    before: str
    excerpt: str
    after: str
    truncated_before: bool
    truncated_after: bool


def excerpt_in_context(
    excerpt: str, full_text: str, *, context: int = 240
) -> ExcerptInContext | None:
    """The excerpt as the source has it, with up to ``context`` characters either side."""
    span = excerpt_span(excerpt, full_text)
    if span is None:
        return None
    start, end = span
    first, last = max(0, start - context), min(len(full_text), end + context)
    return ExcerptInContext(
        before=full_text[first:start],
        excerpt=full_text[start:end],
        after=full_text[end:last],
        truncated_before=first > 0,
        truncated_after=last < len(full_text),
    )
