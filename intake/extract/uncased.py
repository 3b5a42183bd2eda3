"""Statements in languages written with spaces but without capitals (Arabic), whose verb of
saying usually opens the sentence with its subject after it: "وأكد وزير الخارجية سامح شكري
على …", "وقال السفير أحمد أبو زيد … إن …". No capital marks a name, so the speaker is read
from the words between the verb and the clause it introduces: the descriptor (role words,
nationalities, titles), then the name, which no function word, role word or office is part
of. Also read: "…، بحسب X" / "وفقا لـX، …" and quotations after "قال X: «…»"."""

from __future__ import annotations

import re
from functools import lru_cache

from intake import lexicon
from intake.extract.base import MASK, Found, Mention, QuoteSpan
from intake.extract.quotation import masked
from intake.lexicon import Language

MAX_SUBJECT_WORDS = 25
MIN_WORDS = 3
MAX_NAME_WORDS = 6  # "محمد بن عبد الرحمن بن جاسم آل ثاني"
# An aside between dashes or brackets ("- في تدوينة عبر حسابه على منصة «إكس» -").
ASIDE = re.compile(r"\s[-–—]\s?[^-–—\n]{1,160}?[-–—](?=\s|$)|\([^()\n]{1,160}\)")
# Vowel signs, shadda and tatweel ("وأكّد", "ثمَّن", "أيضًا"): optional in writing, so they are
# left out when the cues are matched, and the spans found are put back on the text as written.
MARKS = "\u0640\u064b-\u065f\u0670"
UNMARKED = re.compile(f"[{MARKS}]")
# The words of a subject, and its commas, which end a name.
ARABIC_WORD = re.compile(r"[^\W\d_][\w.]*|[،,]")
COMMAS = ("،", ",")


def unmarked(text: str) -> str:
    return UNMARKED.sub("", text)


def _unmarked_with_positions(text: str) -> tuple[str, list[int]]:
    """The text without its marks, and where each of its characters is in the text (and its
    end), so that a span found without the marks covers the same words with them."""
    kept = [i for i, char in enumerate(text) if not UNMARKED.match(char)]
    return "".join(text[i] for i in kept), [*kept, len(text)]


@lru_cache(maxsize=4)
def _patterns(code: str) -> dict[str, re.Pattern]:
    lang = lexicon.language(code)

    def words(items: tuple[str, ...]) -> str:
        return lexicon.alternation(items) or "(?!)"

    return {
        "opening": re.compile(
            # A phrase before a comma ("وفي اتصال هاتفي،"); after "according to" it may
            # name a quoted source ("ووفق وكالة «تسنيم»،").
            rf"^\s*(?:(?:[^{MASK}،,.:؛]{{0,40}}|[وف]?(?:{words(lang.according)})[^،,.:؛]{{0,40}})"
            rf"[،,]\s*)?(?:(?:{words(lang.connectives)})\s+)?"
            rf"(?P<verb>[وف]?(?:{words(lang.verbs)}))(?!\w)"
        ),
        "after": re.compile(
            rf"[،,]\s*(?P<verb>[وف]?(?:{words(lang.verbs)}|{words(lang.according)}))(?!\w)"
            rf"(?P<who>[^{MASK}،,.:؛]{{2,80}})[.!]?\s*$"
        ),
        "according": re.compile(
            rf"^\s*(?P<verb>[وف]?(?:{words(lang.according)}))(?!\w)(?P<who>[^{MASK}،,.:؛]{{2,80}})[،,]"
        ),
        "complementizer": re.compile(rf"(?<!\w)(?:{words(lang.complementizers)})(?!\w)|:|{MASK}"),
        "account": re.compile(rf"^\s*(?:\S+\s+){{0,2}}(?:{words(lang.accounts)})(?!\w)"),
        "quote_after_colon": re.compile(
            rf"(?<!\w)(?:{words(lang.complementizers)})\s*:\s*(?={MASK})"
        ),
    }


def uncased_statement(
    sentence: str, quotes: list[QuoteSpan], lang: Language, offset: int, paragraph: int
) -> Found | None:
    """The statement of a sentence whose verb of saying (or "according to") names its
    speaker, or None."""
    text = ASIDE.sub(lambda m: " " * len(m.group(0)), masked(sentence, quotes))
    plain, at = _unmarked_with_positions(text)
    patterns = _patterns(lang.code)
    found = _opening(plain, lang) or _closing(plain, patterns) or _according(plain, patterns)
    if found is None:
        return None
    verb, who, span = found
    (who_start, who_end), (start, end) = (at[i] for i in who), (at[i] for i in span)
    mention = speaker_mention(text[who_start:who_end], lang, offset + who_start)
    content = sentence[start:end].strip(" ،,:.")
    if mention is None or mention.kind == "organization":
        return None
    if _not_a_statement(unmarked(content), lang):
        return None
    inside = [q for q in quotes if start <= q.start < end]
    return _found(sentence, content, inside, verb, mention, offset, paragraph, (start, end))


def _opening(text: str, lang: Language) -> tuple[str, tuple[int, int], tuple[int, int]] | None:
    """ "وأكد وزير الخارجية … على …": the verb first, its subject, then the clause."""
    patterns = _patterns(lang.code)
    opening = patterns["opening"].match(text)
    if opening is None:
        return None
    rest = text[opening.end() :]
    clause = patterns["complementizer"].search(rest)
    verb = opening.group("verb")
    obj = _object_start(verb, rest, lang)
    if obj is not None and (clause is None or obj < clause.start()):
        return verb, (opening.end(), opening.end() + obj), (opening.end() + obj, len(text))
    if clause is None or len(rest[: clause.start()].split()) > MAX_SUBJECT_WORDS:
        return None
    who = (opening.end(), opening.end() + clause.start())
    starts_at = opening.end() + (clause.start() if clause.group(0) == MASK else clause.end())
    quoted = patterns["quote_after_colon"].search(text, starts_at)
    if quoted is not None:  # "وعلق … على التقارير …، قائلا: «…»": the quotation is the statement
        starts_at = quoted.end()
    return opening.group("verb"), who, (starts_at, len(text))


def _object_start(verb: str, rest: str, lang: Language) -> int | None:
    """ "أكد وزير الخارجية المصري أيضًا موقف بلاده …", "وأكّد الصفدي والشيخ عبدالله إدانة …":
    where the statement starts as the verb's direct object, right after its subject (and a
    second person joined by و, a filler, a comma), if the verb takes one and what follows is
    no function word, role or complementizer."""
    if not lang.object_verbs or not re.fullmatch(
        rf"[وف]?(?:{lexicon.alternation(lang.object_verbs)})", verb
    ):
        return None
    words = [(m.group(0), m.start()) for m in ARABIC_WORD.finditer(rest)][:MAX_SUBJECT_WORDS]
    at = _subject_length(words, lang)
    if at and at < len(words) and words[at][0].startswith("و"):
        at += _subject_length([(words[at][0][1:], words[at][1]), *words[at + 1 :]], lang)
    while at and at < len(words) and (words[at][0] in COMMAS or _is("filler", words[at][0], lang)):
        at += 1
    if not at or at >= len(words) or _not_an_object(words[at][0], lang):
        return None
    return words[at][1]


def _subject_length(words: list[tuple[str, int]], lang: Language) -> int:
    """How many of ``words`` the subject's descriptor and name take, or 0."""
    role, name = _descriptor_and_name(words, lang)
    last = (name or role or [None])[-1]
    return words.index(last) + 1 if last in words else 0


def _not_an_object(word: str, lang: Language) -> bool:
    kinds = ("function", "role", "honorific", "nationality", "side", "complementizer")
    return any(_is(kind, word, lang) for kind in kinds) or _is_verb(word, lang)


def _closing(text: str, patterns: dict[str, re.Pattern]):
    """ "…، قال شكري." / "…، بحسب المتحدث": the statement before its attribution."""
    closing = patterns["after"].search(text)
    if closing is None or closing.start() < 10:
        return None
    return closing.group("verb"), closing.span("who"), (0, closing.start())


def _according(text: str, patterns: dict[str, re.Pattern]):
    """ "وبحسب المتحدث …، …": the attribution first, then the statement."""
    according = patterns["according"].match(text)
    if according is None:
        return None
    return according.group("verb"), according.span("who"), (according.end(), len(text))


def _not_a_statement(content: str, lang: Language) -> bool:
    """Too short, or a conversation told rather than a position ("الوزيرين تبادلا …")."""
    bare = content.replace(MASK, " ")
    if len(content.split()) < MIN_WORDS:
        return True
    return _patterns(lang.code)["account"].match(bare) is not None


def _found(sentence, content, inside, verb, mention, offset, paragraph, span) -> Found:
    quoted = sum(q.end - q.start for q in inside)
    kind = "direct" if quoted >= 0.8 * len(content) else "partial" if inside else "indirect"
    fragments = [q.inner.strip() for q in inside]
    start, end = span
    return Found(
        kind=kind,
        text=" ".join(fragments) if kind == "direct" else content,
        start=offset,
        end=offset + len(sentence),
        attribution=(sentence[:start] + " " + sentence[end:]).strip(),
        mention=mention,
        paragraph=paragraph,
        fragments=fragments,
        verb=verb,
    )


@lru_cache(maxsize=4)
def _word_sets(code: str) -> dict[str, re.Pattern]:
    lang = lexicon.language(code)

    def whole(items: tuple[str, ...]) -> re.Pattern:
        return re.compile(rf"(?:{lexicon.alternation(items) or '(?!)'})")

    return {
        "function": whole(lang.function_words + lang.pronouns + lang.fillers),
        "role": whole(lang.roles),
        "honorific": whole(lang.honorifics),
        "nationality": whole(lang.nationalities),
        "particle": whole(lang.name_particles),
        "side": whole(lang.sides),
        "filler": whole(lang.fillers),
        "complementizer": whole(lang.complementizers),
    }


def _is(kind: str, word: str, lang: Language) -> bool:
    return _word_sets(lang.code)[kind].fullmatch(word) is not None


def speaker_mention(subject: str, lang: Language, start: int) -> Mention | None:
    """Who the words after the verb name: a descriptor and a name ("وزير الخارجية المصري
    سامح شكري"), a descriptor alone ("وزير الخارجية"), nobody (the verb's own person: a
    pronoun), or an office ("وزارة الخارجية"), which is not a person. Read without marks:
    a name is proposed as it is spelled without them (positions move by a mark or two)."""
    subject = unmarked(subject)
    words = [(m.group(0), m.start()) for m in ARABIC_WORD.finditer(subject.replace(MASK, " "))]
    words = words[:MAX_SUBJECT_WORDS]
    if not [w for w, _ in words if w not in COMMAS and not _is("function", w, lang)]:
        return Mention("pronoun", start=start)
    if _is("side", words[0][0], lang):
        return Mention("organization", name=subject.strip(), start=start)
    role, name = _descriptor_and_name(words, lang)
    if name:
        first, last = name[0], name[-1]
        text = subject[first[1] : last[1] + len(last[0])]
        return Mention("name", name=text, role=_joined(subject, role), start=start + first[1])
    if role:
        return Mention("role", role=_joined(subject, role), start=start, anaphoric=True)
    return None


def _descriptor_and_name(words: list[tuple[str, int]], lang: Language):
    """The descriptor's words and the name's, in the order of the subject."""
    if _family_name(words, lang):
        return [], words[:1]  # "وقال الصفدي خلال …"
    role: list[tuple[str, int]] = []
    name: list[tuple[str, int]] = []
    for index, (word, at) in enumerate(words):
        if word in COMMAS:  # "فيصل بن فرحان، وزير الخارجية": a comma ends the name
            if name:
                role = _appositive(words[index + 1 :], lang) or role
                break
            continue
        if name and _ends_name(word, lang):
            break
        if not name and _describes(word, role, lang):
            role.append((word, at))
        elif _may_be_name(word, bool(name), lang):
            name.append((word, at))
        elif name or _is("function", word, lang):
            break
    while name and _is("particle", name[-1][0], lang):
        name.pop()
    if not name and role and _lone_surname(role[-1][0], role, lang):
        name = [role.pop()]  # "الرئيس السيسي"
    if len(name) > MAX_NAME_WORDS:
        name = []  # a clause read on, no name
    return role, name


def _appositive(words: list[tuple[str, int]], lang: Language) -> list[tuple[str, int]]:
    """ "فيصل بن فرحان، وزير الخارجية السعودي، …": the descriptor after the name's comma,
    which tells the person's role better than a title before the name ("الأمير")."""
    role: list[tuple[str, int]] = []
    for word, at in words:
        if not _describes(word, role, lang) or (not role and not _is("role", word, lang)):
            break
        role.append((word, at))
    return role


def _family_name(words: list[tuple[str, int]], lang: Language) -> bool:
    """ "وقال الصفدي خلال مؤتمر …": a word with the article right after the verb, which no
    list knows, and after it a function word, a second person (و…) or nothing, is the
    speaker's family name (many Arab family names carry the article)."""
    first = words[0][0]
    if not first.startswith("ال") or len(first) < 5:
        return False
    if any(_is(k, first, lang) for k in ("role", "nationality", "side", "function", "honorific")):
        return False
    after = words[1][0] if len(words) > 1 else ""
    return not after or after in COMMAS or _is("function", after, lang) or after.startswith("و")


def _describes(word: str, role: list[tuple[str, int]], lang: Language) -> bool:
    """A word of the descriptor: a role word, a title, a nationality, or the genitive that
    completes a role, joined by و or not ("المتحدث الرسمي لوزارة الخارجية المصرية")."""
    if any(_is(kind, word, lang) for kind in ("role", "honorific", "nationality")):
        return True
    if role and word.startswith("و") and len(word) > 3:  # "وزير الخارجية والهجرة"
        word = word[1:]
    return bool(role) and (
        word.startswith(("لل", "ال")) or any(_is(k, word, lang) for k in ("side", "role"))
    )


def _may_be_name(word: str, inside: bool, lang: Language) -> bool:
    """A word of a name: no function word, role or office; the first word is no word with
    the article ("الوزيرين") but a later one may be ("عبد الفتاح السيسي")."""
    if len(word) < 2 or any(_is(k, word, lang) for k in ("function", "role", "side")):
        return False
    return inside or not word.startswith("ال") or _is("particle", word, lang)


def _ends_name(word: str, lang: Language) -> bool:
    """A second person joined by و ("ونظيره"), a role word or a function word."""
    if any(_is(k, word, lang) for k in ("function", "role", "honorific", "nationality")):
        return True
    return word.startswith("و") and (
        len(word) <= 2 or any(_is(k, word[1:], lang) for k in ("role", "honorific", "function"))
    )


def _lone_surname(word: str, role: list[tuple[str, int]], lang: Language) -> bool:
    """ "الرئيس السيسي": an article word after a title that is no role, nationality or
    genitive is the person's name."""
    return (
        len(role) >= 2
        and word.startswith("ال")
        and not any(_is(k, word, lang) for k in ("role", "nationality", "side", "function"))
        and not role[-2][0].startswith("لل")
        and _is("role", role[-2][0], lang)
    )


def _joined(subject: str, words: list[tuple[str, int]]) -> str:
    if not words:
        return ""
    first, last = words[0], words[-1]
    return subject[first[1] : last[1] + len(last[0])].strip(" ،,")


def full_name_before(text: str, name: str, lang: Language) -> str | None:
    """ "أعرب عراقجي" after "نظيره الإيراني عباس عراقجي": the fullest name that ends with
    ``name`` where the report named the person before. The name grows one word at a time to
    the left while the words still read as a name; a verb of saying or a word joined by و
    (another person, another office) stops it."""
    for match in reversed(list(re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text))):
        before = ARABIC_WORD.findall(unmarked(text[max(0, match.start() - 120) : match.start()]))
        full = None
        for word in reversed(before[-4:]):
            if word in COMMAS or word.startswith("و") or _is_verb(word, lang):
                break
            found = speaker_mention(f"{word} {full or name}", lang, 0)
            if found is None or found.kind != "name" or found.name != f"{word} {full or name}":
                break
            full = found.name
        if full:
            return full
    return None


def _is_verb(word: str, lang: Language) -> bool:
    return re.fullmatch(rf"[وف]?(?:{lexicon.alternation(lang.verbs)})", word) is not None
