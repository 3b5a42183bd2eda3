"""The words the extractor looks for, per language: speech verbs, pronouns, role words,
connectives, occasions and the quotation marks of many languages.

Each language's lists are a module of their own (``en``, ``fr``, ``de``, ``es``, ``ru``, ``zh``,
``ar``): adding a language is adding its module and naming it in ``LANGUAGES`` below.
"""

from intake.lexicon.ar import AR
from intake.lexicon.base import QUOTE_PAIRS, Language, alternation, compile_words
from intake.lexicon.countries import (
    CITY_FORMS,
    COUNTRY_BY_WORD,
    COUNTRY_WORDS,
    country_of_word,
)
from intake.lexicon.de import DE
from intake.lexicon.en import EN
from intake.lexicon.es import ES
from intake.lexicon.fr import FR
from intake.lexicon.roles import ROLE_CONCEPTS, SERVING_POSTS
from intake.lexicon.ru import RU
from intake.lexicon.zh import ZH

LANGUAGES: dict[str, Language] = {lang.code: lang for lang in (EN, FR, DE, ES, RU, ZH, AR)}


def language(code: str) -> Language:
    """The word lists of ``code`` (a BCP 47 tag); English for languages without lists."""
    return LANGUAGES.get((code or "en").split("-")[0].lower(), EN)


__all__ = [
    "AR",
    "CITY_FORMS",
    "COUNTRY_BY_WORD",
    "COUNTRY_WORDS",
    "DE",
    "EN",
    "ES",
    "FR",
    "LANGUAGES",
    "QUOTE_PAIRS",
    "ROLE_CONCEPTS",
    "RU",
    "SERVING_POSTS",
    "ZH",
    "Language",
    "alternation",
    "compile_words",
    "country_of_word",
    "language",
]
