"""Finding statements in a report's text: direct quotes in many languages' quotation marks
(split quotes included), reported speech ("X said that…", "according to X…") and quoted
fragments inside it, each with its exact span, its attribution and its speaker's mention.

Nothing here knows the speakers on record: ``intake.speakers`` resolves the mentions. By
concern: ``quotation`` (quoted passages), ``sentences``, ``mentions`` (how a speaker is
named) and ``statements`` (what was said, by whom, in which words); ``base`` holds what
they share.
"""

from intake.extract.base import WORD, Found, Mention, QuoteSpan
from intake.extract.mentions import find_name, mention_after, mention_before
from intake.extract.quotation import find_quotes, masked
from intake.extract.sentences import paragraphs, sentences
from intake.extract.statements import find_statements, occasion

__all__ = [
    "WORD",
    "Found",
    "Mention",
    "QuoteSpan",
    "find_name",
    "find_quotes",
    "find_statements",
    "masked",
    "mention_after",
    "mention_before",
    "occasion",
    "paragraphs",
    "sentences",
]
