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
# Words too few to be sure they are a statement to record ("That's it.").
MIN_STATEMENT_WORDS = 3
MIN_STATEMENT_CHARACTERS = 8  # in Chinese, without spaces


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
    statement_sure: bool = True  # that these words are a statement the speaker made

    @property
    def speaker_confident(self) -> bool:
        return self.speaker.confidence >= PRESELECT_CONFIDENCE

    @property
    def preselected(self) -> bool:
        """Whether the review offers the proposal as accepted: its speaker is confident, and
        so is its being a statement."""
        return self.speaker_confident and self.statement_sure

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
    proposals: list[Proposal] = []
    numbers: list[tuple[int, bool]] = []  # each proposal's paragraph; if it refers back
    folded = fold(report.text)  # once: folding it for each statement was quadratic
    leads = paragraphs(report.text)
    headlines = _headlines(leads, report.title)
    statements = find_statements(report.text, lang)
    spoken: dict[int, str] = {}  # a paragraph's attributions, without the words spoken
    for found in statements:
        spoken[found.paragraph] = spoken.get(found.paragraph, "") + found.attribution
    for found in statements:
        if found.paragraph in headlines:
            continue  # 'Lavrov: West "pumping weapons"' sums a statement up; the body has it
        speaker, candidates = resolver.resolve(found.mention, found.paragraph)
        excerpt = report.text[found.start : found.end]
        if folded.span_of(excerpt, near=found.start) is None:
            continue  # never propose a citation that would not verify
        said = (
            statement_date(found.attribution, lang, base)
            or _dateline_date(found, leads, lang, base)
            or _context_date(found, _lead_date(found, leads, lang, base, spoken), base)
            or _paragraph_day(found, leads, lang, base)
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
                statement_sure=_statement_sure(found),
            )
        )
        numbers.append((found.paragraph, _refers_back(found)))
    if base is not None:
        _carry_dates(proposals, numbers, str(base))
    return proposals


def _statement_sure(found: Found) -> bool:
    """Whether the words are surely a statement: not a sentence that names no speaker of its
    own (taken for the one before: "Paris a exigé que…" after Colonna's quote), and not so
    few words that they may be a transcript's "That's it." rather than a position."""
    if found.mention is None or found.mention.kind == "continuation":
        return False
    if CJK.search(found.text):
        return len(CJK.findall(found.text)) >= MIN_STATEMENT_CHARACTERS
    return len(found.text.split()) >= MIN_STATEMENT_WORDS


def _carry_dates(proposals: list[Proposal], numbers: list[tuple[int, bool]], day: str) -> None:
    """A speaker's statements in a row (none of another's between, at most one paragraph
    without a statement between), the later one referring back to the speaker ("Albares
    afirmó este lunes que… / El ministro consideró que…", "Ha subrayado que…"), are one
    occasion's: an undated one without an occasion of its own takes the date of the other
    (of the one before first; of the one after when the report dates the occasion only in
    its second paragraph). Only the report's own day ("este lunes" in Monday's wire copy): a
    report of the day before may gather remarks of other days."""
    for step in (1, -1):
        order = range(1, len(proposals)) if step == 1 else range(len(proposals) - 2, -1, -1)
        for i in order:
            j = i - step
            this, other = proposals[i], proposals[j]
            later_refers = numbers[max(i, j)][1]
            near = abs(numbers[i][0] - numbers[j][0]) <= 2
            if this.said or this.context or other.said != day or not near or not later_refers:
                continue
            if _same_speaker(this.speaker, other.speaker):
                this.said = other.said
                this.occasion = proposed_occasion(
                    speaker_key=this.speaker.key, said=this.said, phrase=this.context
                )


def _refers_back(found: Found) -> bool:
    """ "Ha subrayado", "he added", "the minister said", "Albares consideró" (the surname
    alone, after the full name): the speaker named before."""
    mention = found.mention
    if mention is None:
        return False
    if mention.kind == "name":
        return len(mention.name.split()) == 1
    return mention.kind in ("pronoun", "continuation") or (
        mention.kind == "role" and mention.anaphoric
    )


def _same_speaker(one: Candidate, other: Candidate) -> bool:
    return bool(one.key or one.name) and (one.key, one.name) == (other.key, other.name)


ADDED = re.compile(
    r"(?i)\b(?:added|adds|ajout[ée]|ajoute|hinzu|ergänzte|añadió|agregó|добавил[аи]?|"
    r"[وف]?(?:[أا]ضاف|تابع)(?:ت|ا|تا|وا)?)\b"  # Arabic "وأضاف", "وتابع": went on
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


PARAGRAPH_WINDOW = 3000  # characters before a statement where its day is looked for
QUOTED = re.compile(r"[\"“„«»‚‘][^\"“”„«»]*[\"”“«»’]")


def _paragraph_day(
    found: Found, leads: list[tuple[int, str]], lang: str, base: ReducedDate | None
) -> ReducedDate | None:
    """A day earlier in the statement's paragraph ("spoke with Guterres yesterday. …
    Blinken called for …"): the occasion the paragraph tells of, which its statements follow.
    Only a day told relative to the report's ("yesterday", "on Wednesday"): a full date there
    is as often an event's ("the attack of 7 October")."""
    start, text = leads[found.paragraph]
    end = max(found.start - start, 0)
    # Not inside quotation marks: the speaker's own words, or a title ("Bild am Sonntag").
    # Within a window: a text pasted as one paragraph would otherwise be read again for
    # each of its statements, which grows with the square of its length.
    before = QUOTED.sub(" ", text[max(end - PARAGRAPH_WINDOW, 0) : end])
    phrase = find_date_phrase(before, lang, kinds=("weekday", "relative"))
    return statement_date(phrase, lang, base) if phrase else None


DATELINE = 80  # characters: "МОСКВА, 25 мая - РИА Новости.", "BEIJING, Nov. 8 (Xinhua) --"


def _dateline_date(
    found: Found, leads: list[tuple[int, str]], lang: str, base: ReducedDate | None
) -> ReducedDate | None:
    """The dateline's date for a statement in the report's first paragraph right after it:
    the words before the statement are only the place, the date and the agency."""
    if found.paragraph != 0 or not leads:
        return None
    start, text = leads[0]
    before = text[: max(found.start - start, 0)]
    if not before.strip() or len(before) > DATELINE:
        return None
    if find_date_phrase(before, lang, kinds=("absolute",)) is None:
        return None
    return statement_date(before, lang, base)


def _lead_date(
    found: Found,
    leads: list[tuple[int, str]],
    lang: str,
    base: ReducedDate | None,
    spoken: dict[int, str],
) -> ReducedDate | None:
    """The full date of the nearest paragraph before the statement that names its speaker
    ("2023年10月14日，…外交部长王毅同…通电话。", "林剑7日在例行记者会上…"): a readout's or a
    report's lead, which the speaker's statements after it follow. Only a date with its day:
    a weekday or "last week" there may be another occasion's; and never a date inside a
    statement ("毛宁表示，自从10月7日…"), which is what was spoken of, not when."""
    mention = found.mention
    name = (mention.name or mention.role) if mention is not None else ""
    if len(name) < 2:
        return None
    for number in range(found.paragraph - 1, -1, -1):
        text = spoken.get(number, leads[number][1])
        if name not in text:
            continue
        if find_date_phrase(text, lang, kinds=("absolute", "day")) is not None:
            return statement_date(text, lang, base)
        if number not in spoken:
            return None  # a lead without a date: the speaker's occasion is not dated
    return None


def _context_date(
    found: Found, lead: ReducedDate | None, base: ReducedDate | None
) -> ReducedDate | None:
    """The date a statement without one of its own takes from its context: the lead that
    names its speaker; else, for an answer in a transcript, the day the transcript was
    published (ministries publish a press conference's transcript on its day)."""
    if lead is not None:
        return lead
    return base if found.transcript else None


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
