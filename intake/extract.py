"""Finding statements in a report's text: direct quotes in many languages' quotation marks
(split quotes included), reported speech ("X said that…", "according to X…") and quoted
fragments inside it, each with its exact span, its attribution and its speaker's mention.

Nothing here knows the speakers on record: ``intake.speakers`` resolves the mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from intake import lexicon
from intake.lexicon import COUNTRY_BY_WORD, QUOTE_PAIRS, Language

MASK = "\x00"
LONG_QUOTE_WORDS = 4
BOUNDARY = re.compile(rf"[{MASK};:—–()\[\]\n]")
WORD = re.compile(r"[\w'’.-]+")
NAME_PARTICLES = {
    "bin",
    "al",
    "de",
    "van",
    "von",
    "der",
    "du",
    "ibn",
    "el",
    "da",
    "di",
    "des",
    "bint",
    "abu",
    "le",
    "la",
}
HONORIFICS = {
    "mr",
    "mr.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "dr",
    "dr.",
    "prof",
    "prof.",
    "m.",
    "mme",
    "herr",
    "frau",
    "sr.",
    "sra.",
    "г-н",
    "sir",
    "dame",
    "president",
    "minister",
    "mister",
}
GENERIC_CAPITALS = {
    "the",
    "on",
    "in",
    "at",
    "but",
    "and",
    "however",
    "meanwhile",
    "speaking",
    "after",
    "during",
    "while",
    "when",
    "then",
    "this",
    "that",
    "his",
    "her",
    "it",
    "its",
    "a",
    "an",
    "le",
    "la",
    "les",
    "l'",
    "un",
    "une",
    "mais",
    "selon",
    "pour",
    "lors",
    "der",
    "die",
    "das",
    "ein",
    "eine",
    "am",
    "im",
    "bei",
    "nach",
    "laut",
    "auch",
    "el",
    "los",
    "las",
    "según",
    "en",
    "по",
    "в",
    "на",
    "как",
    "но",
    "однако",
    "also",
    "later",
    "earlier",
    "today",
    "yesterday",
    "dies",
    "mientras",
    "tras",
    "ce",
    "cette",
    "il",
    "elle",
    "er",
    "sie",
}
ORGANIZATION_WORDS = re.compile(
    r"(?i)^(?:university|université|universität|universidad|университет\w*|ministry|"
    r"ministère|ministerium|ministerio|министерств\w*|kremlin|office|council|agency|"
    r"department|institute|institut|instituto|институт\w*|committee|government|"
    r"gouvernement|regierung|gobierno|правительств\w*|party|parti|partei|partido|union|"
    r"nations|organization|organisation|news|times|post|press|media|tass|reuters|xinhua|"
    r"ria|interfax|bank|corporation|embassy|ambassade|botschaft|embajada|посольств\w*|"
    r"center|centre|zentrum|centro|foundation|stiftung|fundación|fondation|фонд\w*|school|"
    r"college|academy|akademie|академи\w*|forum|совет\w*|"
    # Organizations named alone, as reports name them.
    r"hamas|hezbollah|hisbollah|nato|otan|нато|хамас|хезболла|kreml|кремль|pentagon|élysée)$"
)
TITLE_MARKERS = re.compile(
    r"(?i)(?:operation|opération|operación|операци\w+|so-called|dubbed|called|titled|"
    r"entitled|named|book|film|novel|report|programme|program|plan|initiative|slogan|"
    r"baptisée?|dite?|intitulée?|genannte[nr]?|sogenannte[nr]?|titulad[oa]|llamad[oa]|"
    r"denominad[oa]|так называем\w+|под названием)[\s\x00]*$"
)
REQUEST_VERBS = re.compile(
    r"(?i)^(?:urged|urges|called on|called for|demanded|asked|a(?:-t-(?:il|elle))? "
    r"(?:appelé|exhorté|demandé)|forderte|fordert|appellierte|verlangte|instó|pidió|"
    r"призвал[аи]?|потребовал[аи]?)$"
)


@dataclass(frozen=True)
class QuoteSpan:
    start: int  # the opening mark, relative to its paragraph
    end: int  # after the closing mark
    inner: str

    @property
    def words(self) -> int:
        return len(WORD.findall(self.inner))

    @property
    def is_long(self) -> bool:
        return self.words >= LONG_QUOTE_WORDS


@dataclass
class Mention:
    """How the report names a statement's speaker."""

    kind: str  # "name", "role", "pronoun", "organization", "continuation"
    name: str = ""
    role: str = ""
    start: int = -1  # in the report's text
    anaphoric: bool = False  # "the minister": someone the report named before
    country: str = ""  # a country the attribution names ("In Beijing, the spokesperson")


@dataclass
class Found:
    """A statement found in the text, its speaker not yet resolved."""

    kind: str  # direct, partial or indirect
    text: str
    start: int  # the excerpt's span in the report's text
    end: int
    attribution: str  # the words around it that attribute it (time, occasion)
    mention: Mention | None
    paragraph: int
    fragments: list[str] = field(default_factory=list)
    verb: str = ""  # the verb of saying, as written ("added", "a-t-il déclaré")


# Quotation marks ----------------------------------------------------------------------


def find_quotes(text: str) -> list[QuoteSpan]:
    """Quoted passages of a paragraph, outermost only; an unclosed long quotation runs to
    the paragraph's end, as quotations continued in the next paragraph do."""
    spans, index = [], 0
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


# Sentences ----------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _segmenter(code: str):
    import pysbd

    supported = {"en", "fr", "de", "es", "ru", "it", "nl", "pl", "zh", "ja", "ar", "el", "da"}
    return pysbd.Segmenter(
        language=code if code in supported else "en", clean=False, char_span=True
    )


def sentences(paragraph: str, quotes: list[QuoteSpan], code: str) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph, never cutting through a quotation."""
    spans = [(s.start, s.end) for s in _segmenter(code).segment(paragraph)] or [(0, len(paragraph))]
    merged: list[list[int]] = []
    for start, end in spans:
        if (merged and any(q.start < start < q.end for q in quotes)) or (
            merged and _continues_quote(paragraph, start, quotes)
        ):
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(s, _rstrip(paragraph, s, e)) for s, e in merged]


def _continues_quote(paragraph: str, start: int, quotes: list[QuoteSpan]) -> bool:
    # "“We will respond.” he said" split after the closing mark: keep the attribution.
    rest = paragraph[start:].lstrip()
    return bool(rest) and rest[0].islower() and any(q.end <= start for q in quotes)


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


# Mentions of speakers -----------------------------------------------------------------


def _is_role_word(token: str, lang: Language) -> bool:
    return _role_pattern(lang.code).fullmatch(token.lower()) is not None


@lru_cache(maxsize=8)
def _role_pattern(code: str) -> re.Pattern:
    """One word of a role title: "minister", "foreign", "Außenministerin"."""
    lang = lexicon.language(code)
    roles = set(lang.roles) | set(lexicon.EN.roles)
    parts = {
        w for role in roles if re.fullmatch(r"[\w -]+", role) for w in role.split(" ") if len(w) > 3
    }
    single = {role for role in roles if " " not in role.replace("[- ]", "-")}
    alternatives = tuple(parts | {role.replace("[- ]", "-") for role in single})
    return re.compile(
        rf"(?:{lexicon.alternation(alternatives)})(?:s|n|en|in|innen)?", re.IGNORECASE
    )


@lru_cache(maxsize=8)
def _roles_in(code: str) -> re.Pattern:
    lang = lexicon.language(code)
    return lexicon.compile_words(tuple(set(lang.roles) | set(lexicon.EN.roles)))


def _strippable(token: str, lang: Language) -> bool:
    lowered = token.lower().rstrip(".,")
    base = re.sub(r"(?:'s|’s)$", "", lowered)
    return (
        lowered in HONORIFICS
        or lowered in GENERIC_CAPITALS
        or base in COUNTRY_BY_WORD
        or lowered in COUNTRY_BY_WORD
        or _is_role_word(base, lang)
        or (len(token) >= 2 and token.isupper() and token.isalpha() and len(token) <= 5)
        or lowered.endswith(("'s", "’s"))
        or _is_time_word(lowered)
    )


def _is_time_word(lowered: str) -> bool:
    from intake.dates import MONTHS, WEEKDAYS

    return any(
        re.fullmatch(rf"(?:{pattern})", lowered)
        for table in (MONTHS, WEEKDAYS)
        for pattern in table.values()
    )


def _capitalised(token: str) -> bool:
    return token[:1].isupper() or (
        re.match(r"^(?:al|el|ad|as|ash|bin|ibn|abu)-[^\W\d_]", token) is not None
        and token.split("-", 1)[1][:1].isupper()
    )


def find_name(chunk: str, lang: Language, *, last: bool = True) -> tuple[str, int] | None:
    """A person's name in ``chunk`` (the last capitalised run, or the first with
    ``last=False``) without the titles, countries and roles before it."""
    tokens = [(m.group(0), m.start()) for m in WORD.finditer(chunk)]
    runs: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    for token, start in tokens:
        if _capitalised(token) or (current and token.lower() in NAME_PARTICLES):
            current.append((token, start))
            continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    for run in reversed(runs) if last else runs:
        while run and (_strippable(run[0][0], lang) or run[0][0].lower() in NAME_PARTICLES):
            run = run[1:]
        while run and run[-1][0].lower() in NAME_PARTICLES:
            run = run[:-1]
        run = _without_organization(run)
        if not run:
            continue
        first, last_token = run[0], run[-1]
        name = chunk[first[1] : last_token[1] + len(last_token[0])].rstrip(".,")
        return re.sub(r"(?:'s|’s)$", "", name), first[1]
    return None


def _is_organization_word(token: str) -> bool:
    return ORGANIZATION_WORDS.match(token.rstrip(".,")) is not None


def _without_organization(run: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """ "Sinem Adar von der Stiftung Wissenschaft" is Sinem Adar of an organization."""
    if not any(_is_organization_word(t) for t, _ in run):
        return run
    for index, (token, _start) in enumerate(run):
        if token.lower() in NAME_PARTICLES and index:
            head = run[:index]
            return [] if any(_is_organization_word(t) for t, _ in head) else head
    return []


def _country_in(text: str) -> str:
    for word in re.findall(r"[\w.'’-]+", text.lower()):
        base = re.sub(r"(?:'s|’s)$", "", word)
        if base in COUNTRY_BY_WORD:
            return COUNTRY_BY_WORD[base]
    return ""


def _organization(chunk: str) -> str | None:
    words = WORD.findall(chunk)
    if any(ORGANIZATION_WORDS.match(w.rstrip(".,")) for w in words if _capitalised(w)):
        return chunk.strip(" ,.")
    return None


def _role_text(chunk: str, lang: Language) -> str:
    """The role descriptor in ``chunk``: its words from the first role or country word."""
    found = _roles_in(lang.code).search(chunk)
    if not found:
        return ""
    text = chunk.strip(" ,.")
    return re.sub(
        rf"^(?:{lexicon.alternation(lang.determiners or ('the',))})\s+",
        "",
        text,
        flags=re.IGNORECASE,
    )


def mention_before(region: str, offset: int, lang: Language) -> Mention | None:
    """The speaker named just before a verb: "Chinese Foreign Minister Wang Yi",
    "Ma Xiaolin, a professor at …,", "he", "the minister"."""
    chunks = _chunks(region)
    appositive = ""
    described: tuple[str, int] | None = None  # "In Beijing, the spokesperson said"
    for index in range(len(chunks) - 1, -1, -1):
        chunk_start, chunk = chunks[index]
        stripped = chunk.strip()
        if not stripped:
            continue
        if re.fullmatch(rf"(?:{lexicon.alternation(lang.pronouns)})", stripped, re.I):
            return Mention("pronoun", start=offset + chunk_start)
        words = WORD.findall(stripped)
        if _is_appositive(stripped, lang) and chunk_start > 0:
            appositive = _role_text(stripped, lang)
            described = (stripped, offset + chunk_start)
            continue
        stripped = _without_auxiliaries(stripped)
        if len(words) > 14:
            stripped = " ".join(words[-8:])
        name = find_name(stripped, lang, last=lang.code != "de")
        if name:
            role = _role_text(stripped[: name[1]], lang) if name[1] else ""
            if not role and index > 0:
                role = _role_text(chunks[index - 1][1], lang)
            return Mention(
                "name",
                name=name[0],
                role=role or appositive,
                start=offset + chunk_start + chunk.find(stripped) + name[1],
            )
        found = _role_or_organization(stripped, offset + chunk_start, lang, region)
        if found is None and described is not None:
            return _role_or_organization(*described, lang, region)
        return found
    return None


DEFINITE = {
    "the",
    "le",
    "la",
    "l'",
    "l’",
    "les",
    "der",
    "die",
    "das",
    "den",
    "dem",
    "el",
    "los",
    "las",
}


def _role_or_organization(
    chunk: str, start: int, lang: Language, region: str = ""
) -> Mention | None:
    role = _role_text(chunk, lang)
    if role and len(WORD.findall(chunk)) <= 8:
        first = (WORD.findall(chunk) or [""])[0].lower()
        return Mention(
            "role",
            role=role,
            start=start,
            anaphoric=first in DEFINITE or first.startswith(("l'", "l’")) or lang.code == "ru",
            country=_country_in(region or chunk),
        )
    organization = _organization(chunk)
    return Mention("organization", name=organization, start=start) if organization else None


def mention_after(region: str, offset: int, lang: Language) -> Mention | None:
    """The speaker named just after a verb: "said Wang Yi, China's foreign minister",
    "a déclaré le ministre", "заявил Лавров"."""
    chunks = [(s, c) for s, c in _chunks(region) if c.strip()][:3]
    if not chunks:
        return None
    first_start, first = chunks[0]
    stripped = first.strip()
    if re.match(rf"(?:{lexicon.alternation(lang.pronouns)})\b", stripped, re.I):
        return Mention("pronoun", start=offset + first_start)
    words = WORD.findall(stripped)[:8]
    head = " ".join(words)
    name = find_name(head, lang, last=False)
    if name and not _descriptor_only(head[: name[1]], lang):
        name = None
    role = _role_text(head[: name[1]] if name else head, lang)
    appositive = _role_text(chunks[1][1], lang) if len(chunks) > 1 else ""
    if name:
        return Mention("name", name=name[0], role=role or appositive, start=offset + first_start)
    if role and len(chunks) > 1 and len(WORD.findall(chunks[1][1])) <= 4:
        named = find_name(chunks[1][1].strip(), lang, last=False)
        if named:
            return Mention("name", name=named[0], role=role, start=offset + chunks[1][0])
    return _role_or_organization(head, offset + first_start, lang, region)


AUXILIARIES = re.compile(
    r"(?i)(?:\s+(?:has|have|had|also|again|later|would|will|repeatedly|publicly|separately|"
    r"then|once|previously|recently|had|hat|habe|ha|a|aussi|auch|también|также))+$"
)


def _without_auxiliaries(chunk: str) -> str:
    return AUXILIARIES.sub("", chunk)


def _descriptor_only(prefix: str, lang: Language) -> bool:
    """Whether the words before a name only describe the person ("the Chinese minister",
    "официального представителя МИД")."""
    determiners = {d.lower() for d in lang.determiners} | {"the", "a", "an"}
    words = WORD.findall(prefix)
    has_role = any(_roles_in(lang.code).search(w) or _is_role_word(w, lang) for w in words)
    return all(
        w.lower() in determiners
        or _strippable(w, lang)
        or _roles_in(lang.code).search(w)
        or (has_role and w[:1].islower())
        for w in words
    )


def _chunks(region: str) -> list[tuple[int, str]]:
    chunks, start = [], 0
    for match in re.finditer(r",", region):
        chunks.append((start, region[start : match.start()]))
        start = match.end()
    chunks.append((start, region[start:]))
    return chunks


INDEFINITE = {
    "a",
    "an",
    "un",
    "une",
    "ein",
    "eine",
    "einer",
    "uno",
    "una",
    "who",
    "qui",
    "which",
    "der",
    "die",
    "que",
    "который",
    "которая",
}


def _is_appositive(chunk: str, lang: Language) -> bool:
    """ "a professor at …", "who chaired the meeting", "the minister" between commas
    after a name; "le président Emmanuel Macron" names someone instead."""
    first = chunk.split()[0] if chunk.split() else ""
    if first.lower() in INDEFINITE:
        return True
    determiners = {d.lower() for d in lang.determiners} | {"the"}
    if first.lower() in determiners or first[:1].islower():
        return find_name(chunk, lang) is None
    return False


# Statements ---------------------------------------------------------------------------


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
        "occasion": re.compile("|".join(f"(?:{o})" for o in lang.occasions), re.I),
    }


def paragraphs(text: str) -> list[tuple[int, str]]:
    result, start = [], 0
    for line in text.split("\n"):
        if line.strip():
            offset = start + (len(line) - len(line.lstrip()))
            result.append((offset, line.strip()))
        start += len(line) + 1
    return result


def find_statements(text: str, code: str) -> list[Found]:
    """Every statement the report attributes to someone, in the order of the text."""
    lang = lexicon.language(code)
    found: list[Found] = []
    for number, (paragraph_start, paragraph) in enumerate(paragraphs(text)):
        quotes = find_quotes(paragraph)
        extendable: Found | None = None
        for start, end in sentences(paragraph, quotes, lang.code):
            inside = [
                QuoteSpan(q.start - start, min(q.end, end) - start, q.inner)
                for q in quotes
                if start <= q.start < end
            ]
            sentence = paragraph[start:end]
            statement = _sentence_statement(
                sentence, inside, lang, paragraph_start + start, number, found
            )
            if statement is not None and _goes_on(statement, found):
                found[-1].end = statement.end
                found[-1].text = f"{found[-1].text} {statement.text}"
            elif statement is not None:
                found.append(statement)
                extendable = statement if statement.kind != "direct" else None
            elif extendable is not None and _continues(sentence, inside, lang):
                extendable.end = paragraph_start + end
                extendable.text = f"{extendable.text} {sentence}"
            else:
                extendable = None
    return found


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
    """A sentence that goes on with the reported speech before it ("However, …")."""
    return not quotes and bool(_patterns(lang.code)["connective"].match(sentence.strip()))


def _sentence_statement(
    sentence: str,
    quotes: list[QuoteSpan],
    lang: Language,
    offset: int,
    paragraph: int,
    previous: list[Found],
) -> Found | None:
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
    return _reported(sentence, text_masked, quoted, verb, mention, lang, offset, paragraph)


def _attribution(text: str, lang: Language, offset: int) -> tuple[re.Match | None, Mention | None]:
    """The verb of saying and the speaker it names, if the sentence has both."""
    patterns = _patterns(lang.code)
    for verb in patterns["verb"].finditer(text):
        if verb.group(0)[:1].isupper() and not _opens_sentence(text[: verb.start()], lang):
            continue  # "United States", not "states"
        mention = _verb_mention(text, verb, lang, offset)
        if mention is not None:
            return verb, mention
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


def _verb_mention(text: str, verb: re.Match, lang: Language, offset: int) -> Mention | None:
    if re.search(r"-t-(?:il|elle)\b", verb.group(0)):
        return Mention("pronoun", start=offset + verb.start())
    start = _previous_bound(text, verb.start())
    before = text[start : verb.start()]
    mention = None
    if before.strip(" ,"):
        mention = mention_before(before, offset + start, lang)
    if mention is None:
        end = _next_bound(text, verb.end())
        mention = mention_after(text[verb.end() : end], offset + verb.end(), lang)
    if mention is None and _opens_sentence(text[: verb.start()], lang):
        mention = Mention("pronoun", start=offset + verb.start())  # "Dijo que…", "He added"
    return mention


def _opens_sentence(before: str, lang: Language) -> bool:
    rest = before.strip(f" ,{MASK}")
    return not rest or bool(_patterns(lang.code)["connective"].fullmatch(rest))


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
        text=_joined(parts) if whole else _clause_text(sentence, verb, lang),
        start=offset,
        end=offset + len(sentence),
        attribution=text_masked.replace(MASK, " "),
        mention=mention,
        paragraph=paragraph,
        fragments=parts,
        verb=verb.group(0) if verb else "",
    )


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
    if len(WORD.findall(content)) < 3:
        return None
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
    rest = text_masked[verb.end() :]
    that = patterns["complementizer"].match(rest)
    if that:
        return verb.end() + that.end(), end
    tail = _without_time_and_occasion(rest, lang)
    mention_at = mention.start - offset
    if len(WORD.findall(tail)) <= 3 and 0 < mention_at <= verb.start():
        comma = text_masked.rfind(",", 0, mention_at + 1)
        return (0, comma) if comma > 10 else None
    if re.match(r"^\s*[,:]", rest) or REQUEST_VERBS.match(verb.group(0)):
        return verb.end(), end
    first = WORD.search(rest)
    if first and first.group(0)[:1].islower():
        return verb.end(), end
    return None


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
