"""Statements in languages written without spaces between words (Chinese), where no capital
marks a name: the speaker is what stands right before the verb of saying at the start of a
sentence (王毅表示，… / 外交部长王毅指出，… / 10月14日，他说，…) and the statement is the
rest of it; the sentences after it in its paragraph go on with it, as readouts write."""

from __future__ import annotations

import re
from functools import lru_cache

from intake import lexicon
from intake.extract.base import MASK, Found, Mention, QuoteSpan
from intake.lexicon import Language

HAN = r"[\u3400-\u9fff\uf900-\ufaff·・]"
# What may stand between the speaker and the verb: an adverb, an occasion ("在通话中").
BETWEEN = r"(?:在|于|於|同|与|與|对|對|向|就)"
ADVERBS = r"(?:还|還|也|并|並|则|則|再次|进一步|進一步|同时|同時|随后|隨後)"
MIN_CHARACTERS = 6  # "停火止战。" is not a statement to record
# A wire dateline before the speaker: "新华社北京10月9日电(记者成欣)".
DATELINE = r"[^，,。：:]{0,20}\d{1,2}月\d{1,2}日电\s*(?:[（(][^）)]{0,20}[）)])?"
# The speaker's words may hold a name in Latin letters in brackets and a day ("毛宁9日").
PIECE = rf"(?:{HAN}|[（(][^）)，,。]{{1,40}}[）)]|\d{{1,2}})"
BRACKETS = re.compile(r"[（(]([^）)]*)[）)]")


@lru_cache(maxsize=8)
def _pattern(code: str, *, lead: bool = True) -> re.Pattern:
    lang = lexicon.language(code)
    titles = lexicon.alternation(lang.titles_after) or "(?!)"
    bare = "|".join(f"(?<={v})" for v in lang.bare_verbs) or "(?!)"
    return re.compile(
        rf"^\s*(?P<lead>{DATELINE}|[^{MASK}，,。：:]{{0,40}}[，,]\s*){'?' if lead else '{0}'}"
        rf"(?P<who>{HAN}{PIECE}{{0,60}}?)"
        rf"(?P<title>{titles})?{ADVERBS}?"
        rf"(?P<verb>{lexicon.alternation(lang.verbs)})"
        # "呼籲所有人質…" takes its clause without a comma; "称为" is no verb of saying
        rf"(?:\s*[，,：:]\s*|(?:{bare})(?![为為赞讚贊]))"
    )


@lru_cache(maxsize=4)
def _quote_first(code: str) -> re.Pattern:
    """The speaker and verb after a quotation that opens the sentence: "“…”毛宁说。"."""
    lang = lexicon.language(code)
    return re.compile(
        rf"^\s*(?P<who>{HAN}{{2,30}}?)(?P<verb>{lexicon.alternation(lang.verbs)})[。！!]?\s*$"
    )


def unspaced_statement(
    sentence: str, quotes: list[QuoteSpan], lang: Language, offset: int, paragraph: int
) -> Found | None:
    """The statement of a sentence that opens with its speaker and verb of saying (or that
    opens with a quotation its speaker and verb follow), or None."""
    found, mention = _speaker_and_verb(sentence, lang, offset)
    if found is None:
        return _quoted_first(sentence, quotes, lang, offset, paragraph)
    content = sentence[found.end() :].strip()
    if mention is None or len(content.rstrip("。！？!?")) < MIN_CHARACTERS:
        return None
    inside = [q for q in quotes if q.start >= found.end()]
    quoted = sum(q.end - q.start for q in inside)
    kind = "direct" if quoted >= 0.8 * len(content) else "partial" if inside else "indirect"
    return Found(
        kind=kind,
        text=" ".join(q.inner.strip() for q in inside) if kind == "direct" else content,
        start=offset,
        end=offset + len(sentence),
        attribution=sentence[: found.end()],
        mention=mention,
        paragraph=paragraph,
        fragments=[q.inner.strip() for q in inside],
        verb=found.group("verb"),
    )


def _speaker_and_verb(
    sentence: str, lang: Language, offset: int
) -> tuple[re.Match | None, Mention | None]:
    """The sentence's opening speaker and verb. When what follows a lead names no person,
    the lead was the attribution: in "发言人汪文斌指出，中方呼吁…" the speaker is 汪文斌, not
    the side (中方) of the clause his words report."""
    found = _pattern(lang.code).match(sentence)
    mention = found and _mention(found.group("who"), lang, offset + found.start("who"))
    if found is not None and mention is None and found.group("lead"):
        plain = _pattern(lang.code, lead=False).match(sentence)
        if plain is not None:
            return plain, _mention(plain.group("who"), lang, offset + plain.start("who"))
    return found, mention


def _quoted_first(
    sentence: str, quotes: list[QuoteSpan], lang: Language, offset: int, paragraph: int
) -> Found | None:
    """ "“中方高度关注……。”毛宁说。": a direct statement whose speaker follows it."""
    if not quotes or sentence[: quotes[0].start].strip():
        return None
    after = _quote_first(lang.code).match(sentence[quotes[-1].end :])
    if after is None:
        return None
    start = quotes[-1].end + after.start("who")
    mention = _mention(after.group("who"), lang, offset + start)
    text = " ".join(q.inner.strip() for q in quotes)
    if mention is None or len(text) < MIN_CHARACTERS:
        return None
    return Found(
        kind="direct",
        text=text,
        start=offset,
        end=offset + len(sentence),
        attribution=sentence[quotes[-1].end :],
        mention=mention,
        paragraph=paragraph,
        fragments=[q.inner.strip() for q in quotes],
        verb=after.group("verb"),
    )


def _mention(who: str, lang: Language, start: int) -> Mention | None:
    """The speaker named by ``who``: a name with the role before it (外交部长王毅, 以色列外长
    卡茨), a role alone (发言人), a pronoun; None for a side (中方), an office, or a journalist
    asking a question, which are not persons who made a statement."""
    latin = next((b for b in BRACKETS.findall(who) if re.search(r"[A-Za-z]{2}", b)), "")
    who = _plain(who, lang)
    if who is None:
        return None
    if who in lang.pronouns:
        return Mention("pronoun", start=start)
    owner, _, held = who.rpartition("的")
    if owner and held in lang.roles:  # "卡茨的发言人": someone's spokesperson, unnamed
        return Mention("role", role=who, start=start)
    role = _last_role(who, lang)
    name = who[len(role) :]
    if not name:
        return Mention("role", role=role, start=start, anaphoric=True)
    if not 2 <= len(name.replace("·", "")) <= 12:
        return None
    return Mention("name", name=name, role=role, start=start + len(role), alias=latin.strip())


def _plain(who: str, lang: Language) -> str | None:
    """The words that name the speaker, without a Latin name in brackets, a time, an
    occasion, an "according to" or a clause describing them; None when they name no person."""
    who = BRACKETS.sub("", who)
    if lang.times:
        who = re.split(lexicon.alternation(lang.times), who, maxsplit=1)[0]
    if lang.according:
        who = re.sub(rf"^(?:{lexicon.alternation(lang.according)})", "", who)
    owner, _, held = who.rpartition("的")
    if owner and held not in lang.roles and _last_role(held, lang):
        who = held  # "與川普交情良好的義大利總理梅洛尼": the person the clause describes
    who = re.split(BETWEEN, who, maxsplit=1)[0]  # "王毅在通话中" names 王毅
    who = re.split(r"[、，,]", who)[-1]  # "政治局委员、外交部长王毅": the last title counts
    if lang.questioners and re.search(lexicon.alternation(lang.questioners), who):
        return None
    if not who or who in lang.sides or who.endswith("方"):
        return None
    return who


def _last_role(who: str, lang: Language) -> str:
    """The words up to the end of the last role in ``who`` ("以色列外长" of 以色列外长卡茨)."""
    ends = [who.rfind(r) + len(r) for r in lang.roles if r in who]
    return who[: max(ends)] if ends else ""
