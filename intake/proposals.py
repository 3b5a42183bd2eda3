"""Proposals: the statements of a report as records an editor may confirm, with the
speaker, kind, language, date, occasion and the excerpt exactly as the report has it.
Nothing is saved here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from intake.dates import find_date_phrase, statement_date
from intake.extract import Found, find_statements, occasion, paragraphs
from intake.occasions import ProposedOccasion, proposed_occasion
from intake.reports import Report
from intake.speakers import Candidate, Directory, Resolver
from quotes.dates import DAY, ReducedDate
from quotes.excerpts import fold

CJK = re.compile(r"[\u3400-\u9fff]")


# A proposal is offered as accepted only when its speaker is this sure; below it, the editor
# decides (the review screen asks about the speaker and lists the candidates).
PRESELECT_CONFIDENCE = 0.85


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
    occasion: ProposedOccasion | None = None  # on record, or a new one to create

    @property
    def preselected(self) -> bool:
        """Whether the review offers the proposal as accepted: its speaker is confident."""
        return self.speaker.confidence >= PRESELECT_CONFIDENCE

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
            "preselected": self.preselected,
            "occasion": self.occasion.as_dict() if self.occasion else None,
        }


def propose(report: Report) -> list[Proposal]:
    """The statements the report attributes to persons, in the order of the text."""
    lang = report.language or "en"
    published = report.published_date
    base = published if published is not None and published.precision == DAY else None
    resolver = Resolver(Directory(report.text, base.start if base else None), lang)
    resolver.seed(report.text)
    proposals = []
    folded = fold(report.text)  # once: folding it for each statement was quadratic
    leads = paragraphs(report.text)
    headlines = _headlines(leads, report.title)
    for found in find_statements(report.text, lang):
        if found.paragraph in headlines:
            continue  # 'Lavrov: West "pumping weapons"' sums a statement up; the body has it
        speaker, candidates = resolver.resolve(found.mention, found.paragraph)
        excerpt = report.text[found.start : found.end]
        if folded.span_of(excerpt, near=found.start) is None:
            continue  # never propose a citation that would not verify
        said = (
            statement_date(found.attribution, lang, base)
            or _lead_date(found, leads, lang, base)
            or (base if found.transcript else None)
            or _context_date(found, leads, lang, base)
        )
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
                occasion=proposed_occasion(
                    speaker_key=speaker.key, said=str(said) if said else None, phrase=context
                ),
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


HEADLINE_WORDS = 20


def _headlines(leads: list[tuple[int, str]], title: str) -> set[int]:
    """The paragraphs that are headlines: the report's title repeated in its text, and an
    opening line without a sentence's end ("Lavrov: West “pumping weapons” into Ukraine")."""
    wanted = _folded(title) if title else ""
    found = {
        i for i, (_s, text) in enumerate(leads) if wanted and fold(text).text.strip() == wanted
    }
    if leads:
        first = leads[0][1].strip()
        short = len(first.split()) <= HEADLINE_WORDS and "\n" not in first
        if short and not re.search(r"[.!?。！？][\"”»’'」』]?$", first):
            found.add(0)
    return found


def _folded(text: str) -> str:
    return fold(text).text.strip()


QUOTED = re.compile(r"[\"“„«»‚‘][^\"“”„«»]*[\"”“«»’]")


def _context_date(
    found: Found, leads: list[tuple[int, str]], lang: str, base: ReducedDate | None
) -> ReducedDate | None:
    """A day earlier in the statement's paragraph ("spoke with Guterres yesterday. …
    Blinken called for …"): the occasion the paragraph tells of, which its statements follow.
    Only a day told relative to the report's ("yesterday", "on Wednesday"): a full date there
    is as often an event's ("the attack of 7 October")."""
    start, text = leads[found.paragraph]
    # Not inside quotation marks: the speaker's own words, or a title ("Bild am Sonntag").
    before = QUOTED.sub(" ", text[: max(found.start - start, 0)])
    phrase = find_date_phrase(before, lang, kinds=("weekday", "relative"))
    return statement_date(phrase, lang, base) if phrase else None


def _lead_date(
    found: Found, leads: list[tuple[int, str]], lang: str, base: ReducedDate | None
) -> ReducedDate | None:
    """The full date of the nearest paragraph before the statement that names its speaker
    ("2023年10月14日，…外交部长王毅同…通电话。", "On 14 October, Wang Yi called …"): a
    readout's or a report's lead, which the speaker's statements after it follow. Only a
    date with its day and month: a weekday or "last week" there may be another occasion's."""
    name = found.mention.name if found.mention is not None else ""
    if len(name) < 2:
        return None
    for _start, text in reversed(leads[: found.paragraph]):
        if name in text:
            if find_date_phrase(text, lang, kinds=("absolute",)) is None:
                return None
            return statement_date(text, lang, base)
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
