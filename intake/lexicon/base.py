"""What every language's word lists are made of, and the quotation marks of many languages.

Patterns are plain regular expressions over the report's text; each language's list is
what news writing in that language uses most to attribute a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Opening mark → closing marks it may pair with.
QUOTE_PAIRS: dict[str, str] = {
    "“": "”",
    '"': '"',
    "«": "»",
    "„": "“”",
    "‚": "‘’",
    "「": "」",
    "『": "』",
    "‘": "’",
    "»": "«",
}


@dataclass(frozen=True)
class Language:
    code: str
    # Verbs of saying that take a subject before or after them ("X said", "said X").
    verbs: tuple[str, ...]
    # A verb followed by its reported clause: "said that", "a déclaré que".
    complementizers: tuple[str, ...]
    # "according to X, …" and the like; X follows the phrase.
    according: tuple[str, ...]
    pronouns: tuple[str, ...]
    roles: tuple[str, ...]
    connectives: tuple[str, ...]
    occasions: tuple[str, ...]
    determiners: tuple[str, ...] = ()
    # Words between a verb and its clause that are not part of the statement.
    fillers: tuple[str, ...] = field(default=())
    # Written with spaces between words and capitals for names; if not (Chinese), the
    # speaker is whatever stands right before the verb of saying (intake/extract/unspaced.py).
    spaced: bool = True
    # Unspaced languages: what ends a speaker's name before the verb ("外长" in 王毅外长表示),
    # and what marks a side rather than a person (中方, 美方).
    titles_after: tuple[str, ...] = ()
    sides: tuple[str, ...] = ()
    # Verb forms of the mood of reported speech (German Konjunktiv): a sentence in it, with no
    # attribution of its own, goes on with the statement before it.
    reported_mood: tuple[str, ...] = ()
    # Written with spaces but without capitals (Arabic): a name is read from the words after
    # the verb of saying that open the sentence (intake/extract/uncased.py), with these lists.
    cased: bool = True
    # A participle that goes on from the main clause ("…, saying that …", "soulignant que"):
    # its subject is the main clause's, named first, not the nearest name before it.
    participle: str = ""
    # Prepositions: a name right after one is a place or an object, never a clause's subject.
    prepositions: tuple[str, ...] = ()
    # Words that end a name: prepositions, particles, adverbs of time (never part of a name).
    function_words: tuple[str, ...] = ()
    # Words inside names ("bin", "أبو", "آل") and titles before them ("الشيخ").
    name_particles: tuple[str, ...] = ()
    honorifics: tuple[str, ...] = ()
    # Adjectives of nationality that complete a descriptor ("وزير الخارجية المصري").
    nationalities: tuple[str, ...] = ()
    # Verbs that tell of a conversation rather than state a position ("the two ministers
    # exchanged views"): a reported clause opening with one is not a statement.
    accounts: tuple[str, ...] = ()
    # Who asks rather than answers ("会上有记者提问称"): a question is not a statement.
    questioners: tuple[str, ...] = ()
    # Times written between an unspaced speaker and the verb ("毛宁9日表示", "今（14）日").
    times: tuple[str, ...] = ()
    # Unspaced verbs of saying that take their clause without a comma ("古特瑞斯呼籲所有…").
    bare_verbs: tuple[str, ...] = ()
    # Words opening a sentence whose verb of saying attributes the sentence before it
    # ("Атака … не внесла корректив. Об этом заявил Песков."): the sentence before is the
    # statement, this one only its attribution.
    points_back: tuple[str, ...] = ()
    # Verbs whose statement may follow their subject as a direct object, with no
    # complementizer ("أكد الوزير ضرورة …", "ثمن الوزير جهود …"): uncased languages.
    object_verbs: tuple[str, ...] = ()
    # Phrases that open a sentence before a verb whose subject is dropped ("Preguntado por
    # el caso, ha afirmado que…"): the speaker is the one before, as after a connective.
    introductions: tuple[str, ...] = ()
    # What opens a sentence that only attributes the statement before it ("Así lo ha
    # afirmado Albares en Bruselas"): it holds no statement of its own.
    back_references: tuple[str, ...] = ()
    # Words that open a phrase put before a verb-second verb of saying ("Auf der Plattform X
    # schrieb sie, …"): the speaker is then the subject after the verb, not that phrase.
    fronted: tuple[str, ...] = ()


def alternation(words: tuple[str, ...]) -> str:
    # Longest first, so that "foreign minister" wins over "minister".
    return "|".join(sorted(words, key=len, reverse=True))


def compile_words(words: tuple[str, ...], flags: int = re.IGNORECASE) -> re.Pattern:
    return re.compile(rf"(?<![\w-])(?:{alternation(words)})(?![\w-])", flags)
