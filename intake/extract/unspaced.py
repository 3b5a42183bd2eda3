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


@lru_cache(maxsize=4)
def _pattern(code: str) -> re.Pattern:
    lang = lexicon.language(code)
    titles = lexicon.alternation(lang.titles_after) or "(?!)"
    return re.compile(
        rf"^\s*(?P<lead>[^{MASK}，,。：:]{{0,40}}[，,]\s*)?"  # "10月14日，"
        rf"(?P<who>{HAN}{{1,40}}?)"
        rf"(?P<title>{titles})?{ADVERBS}?"
        rf"(?P<verb>{lexicon.alternation(lang.verbs)})"
        rf"\s*[，,：:]\s*"
    )


def unspaced_statement(
    sentence: str, quotes: list[QuoteSpan], lang: Language, offset: int, paragraph: int
) -> Found | None:
    """The statement of a sentence that opens with its speaker and verb of saying, or None."""
    found = _pattern(lang.code).match(sentence)
    if found is None:
        return None
    mention = _mention(found.group("who"), lang, offset + found.start("who"))
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


def _mention(who: str, lang: Language, start: int) -> Mention | None:
    """The speaker named by ``who``: a name with the role before it (外交部长王毅), a role
    alone (发言人), a pronoun; None for a side (中方) or an office, which are not persons."""
    who = re.split(BETWEEN, who, maxsplit=1)[0]  # "王毅在通话中" names 王毅
    who = re.split(r"[、，,]", who)[-1]  # "政治局委员、外交部长王毅": the last title counts
    if not who or who in lang.sides or who.endswith("方"):
        return None
    if who in lang.pronouns:
        return Mention("pronoun", start=start)
    owner, _, held = who.rpartition("的")
    if owner and held in lang.roles:  # "卡茨的发言人": someone's spokesperson, unnamed
        return Mention("role", role=who, start=start)
    role = next((r for r in sorted(lang.roles, key=len, reverse=True) if who.startswith(r)), "")
    name = who[len(role) :]
    if not name:
        return Mention("role", role=role, start=start, anaphoric=True)
    if not 2 <= len(name.replace("·", "")) <= 12:
        return None
    return Mention("name", name=name, role=role, start=start + len(role))
