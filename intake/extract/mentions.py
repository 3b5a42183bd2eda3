"""How a report names a statement's speaker: a name, a role, an organization or a pronoun,
before or after the verb of saying."""

from __future__ import annotations

import re
from functools import lru_cache

from intake import lexicon
from intake.extract.base import (
    ABBREVIATION,
    DESCRIPTOR_COMPOUND,
    GENERIC_CAPITALS,
    HONORIFICS,
    NAME_PARTICLES,
    ORGANIZATION_WORDS,
    WORD,
    Mention,
)
from intake.lexicon import Language, country_of_word


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
        or country_of_word(lowered) is not None
        or _is_role_word(base, lang)
        or (len(token) >= 2 and token.isupper() and token.isalpha() and len(token) <= 5)
        or ABBREVIATION.fullmatch(token.rstrip(",")) is not None
        or DESCRIPTOR_COMPOUND.search(token.rstrip(".,")) is not None
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
            if _ends_sentence(token):  # "José Manuel Albares. Lo": the name ends there
                runs.append(current)
                current = []
            continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    for run in reversed(runs) if last else runs:
        if lang.code == "de" and len(run) == 1 and _after_article(chunk, run[0][1]):
            continue  # "die Zeit", "mit Blick auf": German capitalises its nouns
        if len(run) == 1 and _after_preposition(chunk, run[0][1], lang):
            continue  # "con Dinamarca", "del Ejecutivo": a place or a body, not the speaker
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


def _ends_sentence(token: str) -> bool:
    """A word with a full stop that is no initial or abbreviation ("J.", "U.S.", "Mr.")."""
    return (
        token.endswith(".")
        and len(token.rstrip(".")) > 3
        and ABBREVIATION.fullmatch(token) is None
        and "." not in token.rstrip(".")
    )


# An article or a preposition before a single capitalised German word: a noun, not a name.
GERMAN_ARTICLES = re.compile(
    r"(?:^|\s)(?:der|die|das|dem|den|des|ein|eine|einer|einem|einen|eines"
    r"|mit|nach|vor|für|auf|über|unter|gegen|ohne|zum|zur|im|am|beim|vom)\s+$"
)


# A preposition before a single capitalised word in French or Spanish: the object of a
# phrase ("la solidarité avec Paris", "el jefe del Ejecutivo"), not a speaker's name.
ROMANCE_PREPOSITIONS = re.compile(
    r"(?i)(?:^|\s)(?:de|del|de la|con|en|para|por|sobre|contra|entre|hacia|desde|du|des|"
    r"de l[’']|avec|au|aux|pour|par|sur|vers|chez)\s+$"
)


def _after_preposition(chunk: str, start: int, lang: Language) -> bool:
    return lang.code in ("es", "fr") and ROMANCE_PREPOSITIONS.search(chunk[:start]) is not None


def _after_article(chunk: str, start: int) -> bool:
    return GERMAN_ARTICLES.search(chunk[:start]) is not None


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
    for word in re.findall(r"[\w.'’-]+", text):
        if code := country_of_word(word):
            return code
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


BRACKETED = re.compile(r"\[[^\]\n]*\]|\([^)\n]*\)")


def mention_before(region: str, offset: int, lang: Language) -> Mention | None:
    """The speaker named just before a verb: "Chinese Foreign Minister Wang Yi",
    "Ma Xiaolin, a professor at …,", "he", "the minister"."""
    # An editor's insertion or a parenthesis ("UNRWA [UN Relief and Works Agency]",
    # "Baerbock (Grüne)") is no part of a name: blanked, the offsets kept.
    region = BRACKETED.sub(lambda m: " " * len(m.group(0)), region)
    chunks = _chunks(region)
    appositive = ""
    described: tuple[str, int] | None = None  # "In Beijing, the spokesperson said"
    for index in range(len(chunks) - 1, -1, -1):
        chunk_start, chunk = chunks[index]
        stripped = chunk.strip()
        if not stripped:
            continue
        if _is_pronoun(stripped, lang):
            return Mention("pronoun", start=offset + chunk_start)
        if _introduction(lang.code).fullmatch(stripped):
            continue  # "Preguntado por el caso": an opening phrase, not the subject
        if stripped.lower() in RELATIVES and index > 0:
            return antecedent(chunks[index - 1], offset, lang)
        words = WORD.findall(stripped)
        if _is_appositive(stripped, lang) and chunk_start > 0:
            appositive = _role_text(stripped, lang)
            described = (stripped, offset + chunk_start)
            continue
        stripped = _without_auxiliaries(_first_of_two(stripped, lang))
        if len(words) > 14:  # the speaker is at the clause's start in German, else its end
            stripped = " ".join(words[:8] if lang.code == "de" else words[-8:])
        name = find_name(stripped, lang, last=lang.code != "de")
        if name and country_of_word(name[0]) is not None:  # "The United States has emphasized"
            return Mention("organization", name=name[0], start=offset + chunk_start)
        if name:
            role = _role_text(stripped[: name[1]], lang) if name[1] else ""
            # "La ministra de Asuntos Exteriores, Unión Europea y Cooperación, Arancha…"
            for _start, previous in reversed(chunks[max(index - 3, 0) : index]):
                role = role or _role_text(previous, lang)
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
    # Only an opening phrase before the descriptor: "Preguntado por…, el ministro subrayó".
    return _role_or_organization(*described, lang, region) if described else None


RELATIVES = {"que", "qui", "who", "which"}


@lru_cache(maxsize=8)
def _introduction(code: str) -> re.Pattern:
    lang = lexicon.language(code)
    return re.compile(rf"(?:{lexicon.alternation(lang.introductions or ('(?!)',))})", re.I)


def antecedent(chunk: tuple[int, str], offset: int, lang: Language) -> Mention | None:
    """ "…las palabras del jefe del Ejecutivo, que dijo…": the speaker of a relative clause
    is the phrase that ends the clause before it, not the subject of that clause."""
    start, text = chunk
    words = list(WORD.finditer(text))[-5:]
    if not words:
        return None
    tail_start = max(words[0].start(), text.rfind(",") + 1)
    tail = text[tail_start:]
    name = find_name(tail, lang)
    if name and tail.rstrip(" .").endswith(name[0]):
        at = offset + start + tail_start + name[1]
        return Mention("name", name=name[0], start=at, subordinate=True)
    found = _role_or_organization(tail, offset + start + tail_start, lang)
    if found is not None:
        found.subordinate = True
    return found


AND = re.compile(r"\s+(?:and|et|und|y|и)\s+")


def _first_of_two(chunk: str, lang: Language) -> str:
    """ "Secretary Blinken and Foreign Minister Wong": two speakers as one subject, as readouts
    write; the statement is recorded for the first named."""
    parts = AND.split(chunk, maxsplit=1)
    if len(parts) == 2 and all(find_name(part, lang) for part in parts):
        return parts[0]
    return chunk


def _is_pronoun(chunk: str, lang: Language) -> bool:
    """ "he", and "he also", "Он также", "sie zudem": a pronoun with the adverbs a language
    puts between it and its verb."""
    adverbs = lexicon.alternation(lang.fillers + lang.connectives)
    bare = re.sub(rf"(?:\s+(?:{adverbs}))+$", "", chunk, flags=re.I) if adverbs else chunk
    return re.fullmatch(rf"(?:{lexicon.alternation(lang.pronouns)})", bare, re.I) is not None


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


def _from_determiner(chunk: str, start: int, lang: Language) -> tuple[str, int]:
    """ "En este sentido el ministro" is "el ministro": a connective or a phrase of time or
    place before the descriptor's own determiner is no part of it."""
    role = _roles_in(lang.code).search(chunk)
    if role is None:
        return chunk, start
    determiners = [
        m for m in WORD.finditer(chunk, 0, role.start()) if m.group(0).lower() in DEFINITE
    ]
    if not determiners or determiners[-1].start() == 0:
        return chunk, start
    cut = determiners[-1].start()
    return chunk[cut:], start + cut


def _role_or_organization(
    chunk: str, start: int, lang: Language, region: str = ""
) -> Mention | None:
    chunk, start = _from_determiner(chunk, start, lang)
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
    if role and _roles_in(lang.code).match(role):
        # "el ministro mostró … y subrayó": the subject is the descriptor that opens it.
        found = _roles_in(lang.code).match(role)
        return Mention("role", role=found.group(0), start=start, anaphoric=True)
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
    if lang.code == "de":  # "sprach sich Baerbock … aus": the reflexive comes first
        stripped = re.sub(r"^(?:sich|auch|zudem|dabei)\s+", "", stripped)
    if re.match(rf"(?:{lexicon.alternation(lang.pronouns)})\b", stripped, re.I):
        return Mention("pronoun", start=offset + first_start)
    words = WORD.findall(stripped)[:8]
    head = " ".join(words)
    # A name that starts in the first eight words may end after them: "la présidente de la
    # Commission européenne Ursula von der Leyen".
    name = find_name(" ".join(WORD.findall(stripped)[:12]), lang, last=False)
    if name and name[1] >= len(head):
        name = None
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


# Prepositions of place and time: the name after them is not the descriptor's person.
PLACE_OR_TIME = {
    "depuis",
    "lors",
    "devant",
    "dans",
    "pendant",
    "durant",
    "après",
    "avant",
    "chez",
    "desde",
    "durante",
    "tras",
    "ante",
    "during",
    "from",
}


def _descriptor_only(prefix: str, lang: Language) -> bool:
    """Whether the words before a name only describe the person ("the Chinese minister",
    "официального представителя МИД")."""
    determiners = {d.lower() for d in lang.determiners} | {"the", "a", "an"}
    words = WORD.findall(prefix)
    if any(w.lower() in PLACE_OR_TIME for w in words):
        return False  # "la ministre depuis l'aéroport Ben Gurion": a place, not her name
    has_role = any(_roles_in(lang.code).search(w) or _is_role_word(w, lang) for w in words)
    return all(
        w.lower() in determiners
        or _strippable(w, lang)
        or _roles_in(lang.code).search(w)
        # "la présidente de la Commission européenne": a role and the body it heads
        or has_role
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
    if first.lower() in determiners and _role_text(chunk, lang) and _organization(chunk):
        return True  # "the Commissioner General of the UN Relief and Works Agency"
    if first.lower() in determiners or first[:1].islower():
        return find_name(chunk, lang) is None
    return False
