"""Quoted passages in the quotation marks of many languages, and the text with them masked."""

from __future__ import annotations

import re

from intake.extract.base import MASK, WORD, QuoteSpan
from intake.lexicon import QUOTE_PAIRS

# A paragraph opening with a dash quotes its speaker, as Spanish writes dialogue: the words
# run to a dash before the verb of saying (lower case), or to the paragraph's end.
DIALOGUE = re.compile(r"^\s*—([^—\n]{2,}?)(?:\s?(?=—\s?[^\W\d_A-ZÁÉÍÓÚÑ])|$)")


def find_quotes(text: str) -> list[QuoteSpan]:
    """Quoted passages of a paragraph, outermost only; an unclosed long quotation runs to
    the paragraph's end, as quotations continued in the next paragraph do."""
    spans, index = [], 0
    dialogue = DIALOGUE.match(text)
    if dialogue:  # "—No vamos a aceptar chantajes —ha advertido Albares."
        spans.append(QuoteSpan(0, dialogue.end(1), dialogue.group(1)))
        index = dialogue.end(1)
    while index < len(text):
        char = text[index]
        closers = QUOTE_PAIRS.get(char)
        if closers is None or not _opens(text, index):
            index += 1
            continue
        close = _closing(text, index, closers)
        if close is None:
            inner = text[index + 1 :]
            if len(WORD.findall(inner)) >= 6 and char not in "‘‚'":
                spans.append(QuoteSpan(index, len(text), inner))
            break
        spans.append(QuoteSpan(index, close + 1, text[index + 1 : close]))
        index = close + 1
    return spans


def _opens(text: str, index: int) -> bool:
    char = text[index]
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    if char in "‘'":  # also an apostrophe: opens only before a word, after a non-letter
        return not before.isalnum() and after.isalnum()
    if char == "»":  # German »…«: only when it cannot be a closing French mark
        return not before.isalnum() and after.isalnum()
    return not after.isspace() or char in "«"


def _closing(text: str, start: int, closers: str) -> int | None:
    for index in range(start + 1, len(text)):
        char = text[index]
        if char == "\n":
            return None
        if char not in closers:
            continue
        after = text[index + 1] if index + 1 < len(text) else " "
        if char in "’'" and after.isalpha():
            continue  # an apostrophe inside the quotation
        if char == text[start] and char == '"' and index == start + 1:
            continue
        return index
    return None


def masked(text: str, quotes: list[QuoteSpan]) -> str:
    """``text`` with each quotation blanked, so that words inside it are not attributions."""
    chars = list(text)
    for quote in quotes:
        chars[quote.start : quote.end] = MASK * (quote.end - quote.start)
    return "".join(chars)
