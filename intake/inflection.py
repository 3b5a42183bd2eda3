"""Names in the nominative. A report names a person in the case its sentence needs ("по
словам Дмитрия Пескова": Peskov's words, genitive); a new speaker is proposed under the
name's dictionary form ("Дмитрий Песков"), read with pymorphy3 and its Russian dictionaries,
which ship in their package (nothing is downloaded). Other languages keep the name as it
is written."""

from __future__ import annotations

from functools import lru_cache

from quotes.public import primary_language

# What a word of a name is in pymorphy3's tags: a given name, a surname, a patronymic.
NAME_TAGS = {"Name", "Surn", "Patr"}


@lru_cache(maxsize=1)
def _analyzer():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def nominative(name: str, language: str) -> str:
    """``name`` in the nominative, for Russian; unchanged otherwise. The first word read as a
    name decides, by its likeliest reading: a nominative ("Абдель") or no such word keeps the
    name as written; another case ("Игоря", genitive) puts every word back from that case and
    gender ("Игоря Иванова" → "Игорь Иванов", not the woman's surname "Иванова")."""
    if primary_language(language) != "ru":
        return name
    words = name.split()
    analyzer = _analyzer()
    given = next((named[0] for w in words if (named := _named(analyzer.parse(w)))), None)
    if given is None or "nomn" in given.tag.grammemes:  # its likeliest reading decides
        return name
    case_and_gender = given.tag.grammemes & CASES_AND_GENDERS
    return " ".join(_nominative_word(word, case_and_gender) for word in words)


CASES_AND_GENDERS = {"gent", "datv", "accs", "ablt", "loct", "masc", "femn"}


def _named(parses: list) -> list:
    return [p for p in parses if NAME_TAGS & set(p.tag.grammemes)]


def _nominative_word(word: str, case_and_gender: set[str]) -> str:
    if not word[:1].isupper() or not word.isalpha():
        return word
    fitting = [p for p in _named(_analyzer().parse(word)) if case_and_gender <= p.tag.grammemes]
    inflected = fitting[0].inflect({"nomn"}) if fitting else None
    if inflected is None:
        return word
    return inflected.word[:1].upper() + inflected.word[1:]
