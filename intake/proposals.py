"""Proposals: the statements of a report as records an editor may confirm, with the
speaker, kind, language, date, occasion and the excerpt exactly as the report has it.
Nothing is saved here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from intake.dates import statement_date
from intake.extract import find_statements, occasion
from intake.reports import Report
from intake.speakers import Candidate, Directory, Resolver
from quotes.dates import DAY, ReducedDate
from quotes.excerpts import excerpt_occurs

CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Proposal:
    text: str
    kind: str
    language: str
    excerpt: str
    said: str | None
    context: str
    speaker: Candidate
    candidates: list[Candidate] = field(default_factory=list)
    start: int = 0  # the excerpt's span in the report's text
    end: int = 0

    def as_dict(self) -> dict:
        """The API's shape of a proposal (docs/intake.md)."""
        return {
            "text": self.text,
            "kind": self.kind,
            "language": self.language,
            "excerpt": self.excerpt,
            "said": self.said,
            "context": self.context,
            "speaker": self.speaker.as_dict(),
            "candidates": [candidate.as_dict() for candidate in self.candidates],
        }


def propose(report: Report) -> list[Proposal]:
    """The statements the report attributes to persons, in the order of the text."""
    lang = report.language or "en"
    published = report.published_date
    base = published if published is not None and published.precision == DAY else None
    resolver = Resolver(Directory(report.text, base.start if base else None), lang)
    resolver.seed(report.text)
    proposals = []
    for found in find_statements(report.text, lang):
        speaker, candidates = resolver.resolve(found.mention, found.paragraph)
        excerpt = report.text[found.start : found.end]
        if not excerpt_occurs(excerpt, report.text):
            continue  # never propose a citation that would not verify
        said = statement_date(found.attribution, lang, base)
        context = occasion(found.attribution, lang)
        earlier = _same_occasion(found, speaker, proposals)
        if earlier is not None:
            said = said or (ReducedDate.parse(earlier.said) if earlier.said else None)
            context = context or earlier.context
        proposals.append(
            Proposal(
                text=found.text[:1].upper() + found.text[1:],
                kind=found.kind,
                language=statement_language(found.text, lang),
                excerpt=excerpt,
                said=str(said) if said else None,
                context=context,
                speaker=speaker,
                candidates=candidates,
                start=found.start,
                end=found.end,
            )
        )
    return proposals


ADDED = re.compile(
    r"(?i)\b(?:added|adds|ajout[ée]|ajoute|hinzu|ergänzte|añadió|agregó|добавил[аи]?)\b"
)


def _same_occasion(found, speaker: Candidate, proposals: list[Proposal]) -> Proposal | None:
    """ "He added that…": the same occasion as the speaker's statement before it."""
    if not ADDED.search(found.verb):
        return None
    for proposal in reversed(proposals):
        if (proposal.speaker.key, proposal.speaker.name) == (speaker.key, speaker.name):
            return proposal
    return None


def statement_language(text: str, report_language: str) -> str:
    """The statement's language: the report's, unless the statement is plainly in another."""
    if len(CJK.findall(text)) > len(text) / 3:
        return "zh"
    if len(text) < 60:
        return report_language
    code, probability = _identifier().classify(text)
    return code if probability >= 0.98 else report_language


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=True)
