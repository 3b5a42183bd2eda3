"""Statements in a report: direct quotes (split quotes included), reported speech and the
quoted fragments inside it, each with its exact span, its attribution and its speaker's
mention."""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from intake import lexicon
from intake.extract.base import (
    BOUNDARY,
    MASK,
    PASSIVE_BEFORE,
    PRONOUN_ACCORDING,
    REQUEST_VERBS,
    TITLE_MARKERS,
    WORD,
    Found,
    Mention,
    QuoteSpan,
)
from intake.extract.mentions import (
    BRACKETED,
    RELATIVES,
    antecedent,
    find_name,
    mention_after,
    mention_before,
)
from intake.extract.quotation import find_quotes, masked
from intake.extract.sentences import paragraphs, sentences
from intake.extract.transcripts import transcript_statements
from intake.extract.uncased import uncased_statement
from intake.extract.unspaced import unspaced_statement
from intake.lexicon import Language

WORD_START = r"(?<![\w-])"


@lru_cache(maxsize=8)
def _patterns(code: str) -> dict[str, re.Pattern]:
    lang = lexicon.language(code)
    comps = lexicon.alternation(lang.complementizers)
    return {
        "verb": lexicon.compile_words(lang.verbs),
        "according": lexicon.compile_words(lang.according),
        "complementizer": re.compile(
            rf"^[^{MASK}.!?]{{0,120}}?(?<![\w-])(?:{comps})(?:(?<=['’])|(?![\w-]))\s*", re.I
        ),
        "connective": re.compile(rf"^(?:{lexicon.alternation(lang.connectives)})\b", re.I),
        "back_reference": re.compile(
            rf"\s*(?:{lexicon.alternation(lang.back_references or ('(?!)',))})\s*", re.I
        ),
        "introduction": re.compile(
            rf"(?:{lexicon.alternation(lang.introductions or ('(?!)',))})", re.I
        ),
        "mood": lexicon.compile_words(lang.reported_mood or ("(?!)",)),
        "account": re.compile(
            rf"^\s*(?:{lexicon.alternation(lang.accounts) or '(?!)'})(?![\w-])", re.I
        ),
        # An occasion starts a word ("that the talks" holds no "at the talks"), where words
        # are spaced.
        "occasion": re.compile(
            "|".join(f"{WORD_START if lang.spaced else ''}(?:{o})" for o in lang.occasions), re.I
        ),
    }


def find_statements(text: str, code: str) -> list[Found]:
    """Every statement the report attributes to someone, in the order of the text."""
    lang = lexicon.language(code)
    spans = paragraphs(text)
    transcript = transcript_statements(spans)
    if transcript is not None:
        return transcript
    found: list[Found] = []
    extendable: Found | None = None
    for number, (paragraph_start, paragraph) in enumerate(spans):
        quotes = find_quotes(paragraph)
        starts = [q.start for q in quotes]
        # Reported speech goes on into the next paragraph only in its mood (German "sei").
        carried, extendable = extendable, None
        prior: tuple[int, str, bool, int] | None = None  # the sentence before in the paragraph
        for start, end in sentences(paragraph, quotes, lang.code):
            inside = [
                QuoteSpan(q.start - start, min(q.end, end) - start, q.inner)
                for q in quotes[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]
            ]
            sentence = paragraph[start:end]
            if _points_back(sentence, lang):
                # "… Об этом заявил Песков.": the sentence before, if it was no statement.
                said = None if prior is None or prior[2] else _said_before(prior, sentence, lang)
                found.extend([said] if said else [])
                prior, extendable = None, None
                continue
            statement = _sentence_statement(
                sentence, inside, lang, paragraph_start + start, number, found
            )
            prior = (paragraph_start + start, sentence, statement is not None, number)
            if statement is not None and _goes_on(statement, found):
                found[-1].end = statement.end
                found[-1].text = f"{found[-1].text} {statement.text}"
            elif statement is not None:
                found.append(statement)
                extendable = statement if statement.kind != "direct" else None
            elif extendable is not None and _continues(sentence, inside, lang):
                _extend(extendable, paragraph_start + end, sentence, lang)
            elif carried is not None and _in_reported_mood(sentence, inside, lang):
                extendable = carried
                _extend(extendable, paragraph_start + end, sentence, lang)
            elif _follows_statement(found, number) and _in_reported_mood(sentence, inside, lang):
                extendable = _in_mood(sentence, inside, paragraph_start + start, number)
                found.append(extendable)
            else:
                extendable = None
            carried = None
    return found


def _points_back(sentence: str, lang: Language) -> bool:
    if not lang.points_back:
        return False
    opening = rf"\s*(?:{lexicon.alternation(lang.points_back)})(?![\w-])"
    return re.match(opening, sentence, re.I) is not None


def _said_before(prior: tuple[int, str, bool, int], sentence: str, lang: Language) -> Found | None:
    """The sentence before as the statement that ``sentence`` ("Об этом заявил X") attributes."""
    offset, before, _, paragraph = prior
    verb = _patterns(lang.code)["verb"].search(sentence)
    if verb is None:
        return None
    at = offset + len(before) + verb.end()  # the speaker follows the verb ("заявил Песков")
    mention = mention_after(sentence[verb.end() : _next_bound(sentence, verb.end())], at, lang)
    if mention is None or mention.kind not in ("name", "role"):
        return None
    return Found(
        kind="indirect",
        text=before.strip(),
        start=offset,
        end=offset + len(before) + len(sentence),
        attribution=sentence,
        mention=mention,
        paragraph=paragraph,
        verb=verb.group(0),
    )


def _follows_statement(found: list[Found], paragraph: int) -> bool:
    return bool(found) and found[-1].paragraph >= paragraph - 1


def _in_mood(sentence: str, quotes: list[QuoteSpan], offset: int, paragraph: int) -> Found:
    """ "…", sagte sie. Der Präsident müsse …": a sentence in the mood of reported speech
    after a quotation is the same speaker's words, reported (with no verb of saying)."""
    fragments = [q.inner.strip() for q in quotes]
    return Found(
        kind="partial" if fragments else "indirect",
        text=sentence.strip(),
        start=offset,
        end=offset + len(sentence),
        attribution="",
        mention=Mention("continuation", start=-1),
        paragraph=paragraph,
        fragments=fragments,
    )


def _extend(statement: Found, end: int, sentence: str, lang: Language) -> None:
    statement.end = end
    statement.text += (" " if lang.spaced else "") + sentence


def _in_reported_mood(sentence: str, quotes: list[QuoteSpan], lang: Language) -> bool:
    """A sentence whose verb is in the mood of reported speech (German Konjunktiv I and II:
    "Der Vorschlag sei eine Chance"): the words of the speaker reported before."""
    return (
        bool(lang.reported_mood)
        # outside its quotations: 'Das sei "eine unglaubliche Erleichterung"'
        and _patterns(lang.code)["mood"].search(masked(sentence, quotes)) is not None
    )


def _goes_on(statement: Found, found: list[Found]) -> bool:
    """A quotation right after a direct quote in its paragraph: the same statement."""
    return (
        statement.mention is not None
        and statement.mention.kind == "continuation"
        and bool(found)
        and found[-1].kind == "direct"
        and found[-1].paragraph == statement.paragraph
    )


def _continues(sentence: str, quotes: list[QuoteSpan], lang: Language) -> bool:
    """A sentence that goes on with the reported speech before it ("However, …", or in its
    mood); in a language without spaces, any sentence without an attribution of its own
    (readouts give a speaker's words as a paragraph after "王毅表示，")."""
    if not lang.spaced or _in_reported_mood(sentence, quotes, lang):
        return True
    return not quotes and bool(_patterns(lang.code)["connective"].match(sentence.strip()))


def _sentence_statement(
    sentence: str,
    quotes: list[QuoteSpan],
    lang: Language,
    offset: int,
    paragraph: int,
    previous: list[Found],
) -> Found | None:
    if not lang.spaced:
        return unspaced_statement(sentence, quotes, lang, offset, paragraph)
    if not lang.cased:
        return uncased_statement(sentence, quotes, lang, offset, paragraph)
    text_masked = masked(sentence, quotes)
    quoted = [q for q in quotes if not _is_title(text_masked, q)]
    long_quotes = [
        q
        for q in quoted
        if q.is_long or (q.words >= 2 and not text_masked[: q.start].strip(" —–-"))
    ]
    verb, mention = _attribution(text_masked, lang, offset)
    if mention is not None and mention.kind == "organization":
        return None  # statements of states and offices are not a person's
    if long_quotes:
        return _direct(
            sentence, text_masked, quoted, verb, mention, lang, offset, paragraph, previous
        )
    if mention is None or verb is None:
        return None
    if _patterns(lang.code)["back_reference"].fullmatch(text_masked[: verb.start()]):
        return None  # "Así lo ha afirmado Albares": the statement was the sentence before
    return _reported(sentence, text_masked, quoted, verb, mention, lang, offset, paragraph)


def _attribution(text: str, lang: Language, offset: int) -> tuple[re.Match | None, Mention | None]:
    """The verb of saying and the speaker it names, if the sentence has both."""
    patterns = _patterns(lang.code)
    for verb in patterns["verb"].finditer(text):
        if verb.group(0)[:1].isupper() and not _opens_sentence(text[: verb.start()], lang):
            continue  # "United States", not "states"
        if PASSIVE_BEFORE.search(text, max(0, verb.start() - 12), verb.start()):
            continue  # "has been accused of": spoken about, not speaking
        mention = _verb_mention(text, verb, lang, offset)
        if mention is not None:
            return verb, mention
    own = PRONOUN_ACCORDING.search(text)
    if own:
        return own, Mention("pronoun", start=offset + own.start())
    according = patterns["according"].search(text)
    if according:
        bound = _next_bound(text, according.end())
        mention = mention_after(text[according.end() : bound], offset + according.end(), lang)
        if mention is not None and mention.kind != "pronoun":
            return according, mention
    colon = re.match(rf"^([^{MASK}:]{{2,120}}):\s*{MASK}", text)
    if colon:
        mention = mention_before(colon.group(1), offset, lang)
        if mention is not None and mention.kind == "name":
            return None, mention
    return None, None


# Languages whose speaker follows the verb after the statement it attributes.
POSTPOSED = ("de", "fr", "es")


def _verb_mention(text: str, verb: re.Match, lang: Language, offset: int) -> Mention | None:
    if re.search(r"-t-(?:il|elle)\b", verb.group(0)):
        return Mention("pronoun", start=offset + verb.start())
    # A parenthesis inside the speaker's description ("of UNRWA [UN Relief and Works
    # Agency]") does not end the clause before the verb.
    start = _previous_bound(BRACKETED.sub(lambda m: " " * len(m.group(0)), text), verb.start())
    before = text[start : verb.start()]
    after_clause = not _clause_follows(text[verb.end() :], lang)
    mention = _participles_subject(text, verb, lang, offset)
    postposed = before.rstrip().endswith(",") or _fronted(before, lang)
    if mention is None and postposed and after_clause:
        mention = _postposed(text, verb, lang, offset)
    if mention is None and before.strip().lower() in RELATIVES and start > 0:
        # "… López Obrador –que ha abogado por…–": the name before the dash
        return antecedent((0, text[: start - 1]), offset, lang)
    if mention is None and before.strip(" ,"):
        mention = mention_before(before, offset + start, lang)
    if mention is None and after_clause:
        end = _next_bound(text, verb.end())
        mention = mention_after(text[verb.end() : end], offset + verb.end(), lang)
    if mention is None and _opens_sentence(text[: verb.start()], lang):
        mention = Mention("pronoun", start=offset + verb.start())  # "Dijo que…", "He added"
    return mention


def _participles_subject(text: str, verb: re.Match, lang: Language, offset: int) -> Mention | None:
    """ "Blinken spoke in Tel Aviv on Monday, saying that …": a participle after a comma goes
    on from the main clause, whose subject is named first, not after a preposition."""
    before = text[: verb.start()]
    if not (lang.participle and before.rstrip().endswith(",")):
        return None
    if not re.fullmatch(lang.participle, verb.group(0), flags=re.IGNORECASE):
        return None
    prepositions = {p.casefold() for p in lang.prepositions}
    position = 0
    while (found := find_name(before[position:], lang, last=False)) is not None:
        at = position + found[1]
        previous = WORD.findall(before[:at])[-1:]
        if not previous or previous[0].casefold() not in prepositions:
            return Mention("name", name=found[0], start=offset + at)
        position = at + len(found[0])  # a place or an object: the subject is another
    return None


def _postposed(text: str, verb: re.Match, lang: Language, offset: int) -> Mention | None:
    """ "…, sagte Baerbock": in German the speaker follows the verb after a clause, whose
    nouns are capitalised like names ("Hilfe"), so the name after the verb comes first; so
    in French and Spanish ("…, a assuré la ministre", "…, ha subrayado Albares"), when a
    person is named right after the verb."""
    if lang.code not in POSTPOSED:
        return None
    end = _next_bound(text, verb.end())
    mention = mention_after(text[verb.end() : end], offset + verb.end(), lang)
    if lang.code != "de" and not _subject_after(text, verb, mention, offset):
        return None  # "…, José Manuel Albares, ha defendido unidad del Gobierno"
    return mention


def _subject_after(text: str, verb: re.Match, mention: Mention | None, offset: int) -> bool:
    """A person named right after the verb (a word of time between at most): "…, a assuré
    dimanche la ministre"; not a noun of the verb's object."""
    if mention is None or mention.kind not in ("name", "role", "pronoun"):
        return False
    return len(WORD.findall(text[verb.end() : max(mention.start - offset, verb.end())])) <= 2


def _clause_follows(after: str, lang: Language) -> bool:
    """ "ha mantenido que el Gobierno…", "ha insistido en que…": what follows is the
    statement, not its speaker."""
    comps = lexicon.alternation(lang.complementizers)
    pattern = rf"\s*(?:\w{{1,3}}\s+)?(?:{comps})(?:(?<=['’])|(?![\w-]))"
    return re.match(pattern, after, re.I) is not None


def _fronted(before: str, lang: Language) -> bool:
    """ "Auf der Plattform X schrieb sie": a phrase before the verb that cannot be its subject."""
    first = WORD.match(before.strip(f" ,{MASK}"))
    return (
        bool(lang.fronted and first)
        and re.fullmatch(lexicon.alternation(lang.fronted), first.group(0), re.I) is not None
    )


def _opens_sentence(before: str, lang: Language) -> bool:
    rest = before.strip(f" ,{MASK}")
    patterns = _patterns(lang.code)
    return not rest or any(patterns[p].fullmatch(rest) for p in ("connective", "introduction"))


def _previous_bound(text: str, index: int) -> int:
    bounds = [m.end() for m in BOUNDARY.finditer(text, 0, index)]
    return bounds[-1] if bounds else 0


def _next_bound(text: str, index: int, *, comma: bool = False) -> int:
    pattern = re.compile(rf"[{MASK};:—–()\n.!?{',' if comma else ''}](?!\w)")
    match = pattern.search(text, index)
    return match.start() if match else len(text)


def _is_title(text_masked: str, quote: QuoteSpan) -> bool:
    """A name in quotation marks: an operation, a title, a so-called thing, or a phrase
    in capitals throughout."""
    before = text_masked[: quote.start].replace(MASK, " ")
    if TITLE_MARKERS.search(before):
        return True
    words = WORD.findall(quote.inner)
    return 0 < len(words) <= 6 and all(w[:1].isupper() for w in words if len(w) > 3)


def _direct(
    sentence: str,
    text_masked: str,
    quoted: list[QuoteSpan],
    verb: re.Match | None,
    mention: Mention | None,
    lang: Language,
    offset: int,
    paragraph: int,
    previous: list[Found],
) -> Found | None:
    if mention is None:
        mention = _continuation(sentence, quoted, paragraph, previous)
        if mention is None:
            return None
    whole = verb is None or _quote_is_the_statement(text_masked, verb, quoted)
    parts = [q.inner.strip() for q in quoted]
    return Found(
        kind="direct" if whole else "partial",
        text=_joined(parts)
        if whole
        else _partial_text(sentence, text_masked, verb, mention, lang, offset),
        start=offset,
        end=offset + len(sentence),
        attribution=_own_attribution(text_masked, verb, lang).replace(MASK, " "),
        mention=mention,
        paragraph=paragraph,
        fragments=parts,
        verb=verb.group(0) if verb else "",
    )


def _own_attribution(text_masked: str, verb: re.Match | None, lang: Language) -> str:
    """The sentence up to a second verb of saying after a comma ("…”, ha afirmado, incidiendo
    en que … en julio de 2021"): the time named after it is the second statement's."""
    if verb is None:
        return text_masked
    for other in _patterns(lang.code)["verb"].finditer(text_masked, verb.end()):
        if text_masked[: other.start()].rstrip().endswith(","):
            return text_masked[: other.start()]
    return text_masked


def _joined(parts: list[str]) -> str:
    """The parts of a split quotation as one statement, without the comma that led to the
    attribution: "“We will respond,” he said" is "We will respond."."""
    text = " ".join(parts)
    return text[:-1] + "." if text.endswith(",") else text


def _continuation(
    sentence: str, quoted: list[QuoteSpan], paragraph: int, previous: list[Found]
) -> Mention | None:
    """A quotation standing alone right after a statement goes on with its speaker."""
    if not previous or previous[-1].paragraph < paragraph - 1:
        return None
    share = sum(q.end - q.start for q in quoted) / max(len(sentence), 1)
    if share < 0.6:
        return None
    return Mention("continuation", start=-1)


def _quote_is_the_statement(text_masked: str, verb: re.Match, quoted: list[QuoteSpan]) -> bool:
    """ "“…,” he said" and "He said: “…”" quote the statement; "called for “a stable and
    predictable” relationship" quotes words of a paraphrase."""
    first, last = quoted[0], quoted[-1]
    if first.start >= verb.end():
        between = text_masked[verb.end() : first.start]
        after = text_masked[last.end :]
        return (
            re.fullmatch(r"[\s,:—–-]*|.*[:]\s*", between) is not None
            and len(WORD.findall(after.replace(MASK, " "))) <= 2
        )
    before = text_masked[: first.start]
    return re.fullmatch(r"[\s—–-]*", before) is not None or before.rstrip().endswith(":")


def _partial_text(
    sentence: str, text_masked: str, verb: re.Match, mention: Mention, lang: Language, offset: int
) -> str:
    """The paraphrase around the quoted words: after the verb, or before it when the speaker
    follows the verb ('La France va poursuivre "ses efforts", a assuré la ministre')."""
    span = None
    if mention.kind != "continuation":
        span = _content_span(text_masked, verb, mention, lang, offset)
    if span is None:
        return _clause_text(sentence, verb, lang)
    return sentence[span[0] : span[1]].strip(" ,:")


def _clause_text(sentence: str, verb: re.Match | None, lang: Language) -> str:
    if verb is None:
        return sentence
    rest = sentence[verb.end() :]
    found = _patterns(lang.code)["complementizer"].match(rest)
    return (rest[found.end() :] if found else rest).strip(" ,:")


def _reported(
    sentence: str,
    text_masked: str,
    quoted: list[QuoteSpan],
    verb: re.Match,
    mention: Mention,
    lang: Language,
    offset: int,
    paragraph: int,
) -> Found | None:
    span = _content_span(text_masked, verb, mention, lang, offset)
    if span is None:
        return None
    start, end = span
    content = sentence[start:end].strip(" ,:")
    if len(WORD.findall(content)) < 3 or _patterns(lang.code)["account"].match(content):
        return None  # too short, or a conversation told ("пояснил, почему …")
    if _patterns(lang.code)["introduction"].fullmatch(content):
        return None  # "Preguntado si …, lo ha descartado": the question, not the answer
    fragments = [q.inner.strip() for q in quoted if start <= q.start < end]
    attribution = (text_masked[:start] + " " + text_masked[end:]).replace(MASK, " ")
    attribution += " " + _leading_time(content, lang)
    return Found(
        kind="partial" if fragments else "indirect",
        text=content,
        start=offset,
        end=offset + len(sentence),
        attribution=attribution,
        mention=mention,
        paragraph=paragraph,
        fragments=fragments,
        verb=verb.group(0),
    )


def _leading_time(content: str, lang: Language) -> str:
    """ "a appelé jeudi à une trêve": the time right after the verb attributes the statement."""
    from intake.dates import find_date_phrase

    phrase = find_date_phrase(content[:40], lang.code)
    if phrase and re.match(rf"^(?:\w{{1,3}}\s+)?{re.escape(phrase)}", content, re.I):
        return phrase
    return ""


def _content_span(
    text_masked: str, verb: re.Match, mention: Mention, lang: Language, offset: int
) -> tuple[int, int] | None:
    """Where the reported statement stands in the sentence: after the verb ("said that…"),
    before the attribution ("…, the minister said."), or after "according to X,"."""
    patterns = _patterns(lang.code)
    end = len(text_masked.rstrip())
    if verb.re is patterns["according"]:
        named_at = mention.start - offset
        if mention.name and text_masked.find(mention.name, named_at) >= 0:
            named_at = text_masked.find(mention.name, named_at) + len(mention.name)
        comma = text_masked.find(",", max(verb.end(), named_at))
        if comma > 0 and mention.start - offset < comma:
            return comma + 1, end
        return (0, verb.start()) if verb.start() > 20 else None
    if perfect := _perfect_span(text_masked, verb, mention, lang, offset):
        return perfect
    rest = text_masked[verb.end() :]
    that = patterns["complementizer"].match(rest)
    if that:
        return verb.end() + that.end(), end
    tail = _without_time_and_occasion(rest, lang)
    mention_at = mention.start - offset
    if REQUEST_VERBS.match(verb.group(0)) and 0 <= mention_at < verb.start() and tail.strip(" ."):
        return verb.end(), end  # "Baerbock warb für Feuerpausen": a short object is the statement
    if _words(tail) <= 3 and 0 < mention_at <= verb.start():
        comma = text_masked.rfind(",", 0, mention_at + 1)
        return (0, comma) if comma > 10 else None
    if _words(tail) <= 3 and mention_at > verb.start():  # "…, sagte Baerbock."
        comma = text_masked.rfind(",", 0, verb.start() + 1)
        return (0, comma) if comma > 10 else None
    if re.match(r"^\s*[,:]", rest) or REQUEST_VERBS.match(verb.group(0)):
        return verb.end(), end
    first = WORD.search(rest)
    if first and first.group(0)[:1].islower():
        return verb.end(), end
    return None


PERFECT_AUXILIARY = re.compile(r"(?<![\w-])(?:hat|haben|hatte|hatten)(?![\w-])")


def _perfect_span(
    text_masked: str, verb: re.Match, mention: Mention, lang: Language, offset: int
) -> tuple[int, int] | None:
    """ "Baerbock hat erneut eine Feuerpause gefordert": in German the statement stands
    between the auxiliary after the speaker and the participle that ends the sentence."""
    if lang.code != "de" or text_masked[verb.end() :].strip(" .") or verb.group(0).endswith("e"):
        return None
    named_at = mention.start - offset
    auxiliary = PERFECT_AUXILIARY.search(text_masked, max(named_at, 0), verb.start())
    if auxiliary is None or len(WORD.findall(text_masked[auxiliary.end() : verb.start()])) < 2:
        return None
    return auxiliary.end(), verb.end()


def _words(text: str) -> int:
    """Words, a quotation counting as one ("a jugé la situation « très préoccupante »")."""
    return len(WORD.findall(text)) + len(re.findall(f"{MASK}+", text))


def _without_time_and_occasion(text: str, lang: Language) -> str:
    from intake.dates import find_date_phrase

    text = _patterns(lang.code)["occasion"].sub(" ", text)
    phrase = find_date_phrase(text, lang.code)
    if phrase:
        text = text.replace(phrase, " ")
    mention = mention_after(text, 0, lang)
    if mention and mention.name:
        text = text.replace(mention.name, " ")
    if mention and mention.role:
        text = text.replace(mention.role, " ")
    return re.sub(rf"(?i)\b(?:{lexicon.alternation(lang.pronouns)}|on|am|el|le|в|во)\b", " ", text)


def occasion(attribution: str, code: str) -> str:
    """The occasion the attribution names ("at a press conference in Beijing"), or ""."""
    match = _patterns(lexicon.language(code).code)["occasion"].search(attribution)
    if not match:
        return ""
    text = match.group(0).strip(" ,.")
    return text[:1].upper() + text[1:]
