"""What the extractor finds (quoted spans, mentions of speakers, statements) and the word
sets it shares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
    "they",
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
    # Spanish and French words that open a sentence ("…Albares. Lo dijo"), never a name.
    "lo",
    "por",
    "con",
    "para",
    "sin",
    "ya",
    "así",
    "este",
    "esta",
    "ese",
    "esa",
    "su",
    "sus",
    "ce",
    "cette",
    "ces",
    "il",
    "elle",
    "ils",
    "elles",
    "nous",
    "avec",
    "sans",
    "dans",
    "sur",
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
    "er",
    "sie",
    # Function words that open sentences, capitalised there but no names.
    "als",
    "wie",
    "doch",
    "zudem",
    "dabei",
    "damit",
    "so",
    "für",
    "mit",
    "von",
    "vor",
    "zu",
    "um",
    "après",
    "avant",
    "ainsi",
    "aussi",
    "alors",
    "desde",
    "durante",
    "además",
    "no",
    "obstante",
    "embargo",
    "sobre",
    "и",
    "а",
    "также",
    "при",
    "после",
    # What completes a minister's title ("ministro de Exteriores", "ministre des Affaires
    # étrangères"): part of the role, never a name.
    "exteriores",
    "asuntos",
    "defensa",
    "interior",
    "hacienda",
    "affaires",
    "étrangères",
    "armées",
}
# Descriptors made of a party, a country or an office and a role ("Grünen-Politikerin",
# "SPD-Chef", "Kreml-Sprecher"): a description of a person, never a name.
DESCRIPTOR_COMPOUND = re.compile(
    r"(?i)-(?:politiker(?:in)?|chef(?:in)?|sprecher(?:in)?|abgeordnete[rn]?|minister(?:in)?|"
    r"vorsitzende[rn]?|experte|expertin|präsident(?:in)?|führer(?:in)?|spitze)$"
)
# Abbreviations and designations: "U.N.", "U.S", "COP28", "G7".
ABBREVIATION = re.compile(r"(?:[A-Z]\.){1,4}[A-Z]?\.?|\w*\d\w*")
ORGANIZATION_WORDS = re.compile(
    r"(?i)^(?:university|université|universität|universidad|университет\w*|ministry|"
    r"ministère|quai|ministerium|ministerio|министерств\w*|kremlin|office|council|agency|"
    r"department|institute|institut|instituto|институт\w*|committee|government|"
    r"gouvernement|regierung|gobierno|правительств\w*|party|parti|partei|partido|union|"
    r"nations|organization|organisation|news|times|post|press|media|tass|reuters|xinhua|"
    r"ria|interfax|bank|corporation|embassy|ambassade|botschaft|embajada|посольств\w*|"
    r"center|centre|zentrum|centro|foundation|stiftung|fundación|fondation|фонд\w*|school|"
    r"college|academy|akademie|академи\w*|forum|совет\w*|"
    # Documents, which say things too ("Article 99 of the Charter states"): no person's words.
    r"article|artikel|artículo|статья|charter|charte|carta|resolution|résolution|resolución|"
    r"резолюция|convention|treaty|traité|tratado|договор|declaration|déclaration|"
    r"declaración|декларация|communiqué|constitution|constitución|конституция|"
    # Organizations named alone, as reports name them.
    r"hamas|hezbollah|hisbollah|nato|otan|нато|хамас|хезболла|kreml|кремль|pentagon|élysée)$"
)
TITLE_MARKERS = re.compile(
    r"(?i)(?:operation|opération|operación|операци\w+|so-called|dubbed|called|titled|"
    r"entitled|named|book|film|novel|report|programme|program|plan|initiative|slogan|"
    r"baptisée?|dite?|intitulée?|genannte[nr]?|sogenannte[nr]?|titulad[oa]|llamad[oa]|"
    r"denominad[oa]|так называем\w+|под названием)[\s\x00]*$"
)
# Verbs whose object, a noun phrase rather than a clause, is the statement: "urged restraint",
# "thanked Guterres for his commitment", "welcomed Turkiye's engagement", "drängt auf …".
REQUEST_VERBS = re.compile(
    r"(?i)^(?:urged|urges|called on|called for|demanded|asked|thanked|welcomed|welcomes|"
    r"condemned|reaffirmed|expressed|encouraged|appealed(?: to)?|a(?:-t-(?:il|elle))? "
    r"(?:appelé|exhorté|demandé)|forderte|fordert|appellierte|appelliert|verlangte|drängte|"
    r"drängt|rief|warb|begrüßte|begrüßt|instó|pidió|призвал[аи]?|потребовал[аи]?)$"
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
    alias: str = ""  # the name in Latin letters beside it ("古特瑞斯（Antonio Guterres）")
    subordinate: bool = False  # the speaker of a relative clause ("X, que dijo…")


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
    # An answer in a transcript: said at the briefing, which is published the day it is held.
    transcript: bool = False


# "According to him": the speaker is the person the report spoke of before.
PRONOUN_ACCORDING = re.compile(
    r"(?i)(?<![\w-])(?:according to (?:him|her)|selon (?:lui|elle)|según (?:él|ella)|"
    r"(?:ihm|ihr) zufolge|по (?:его|её|ее) словам|по (?:его|её|ее) мнению)(?![\w-])"
)
# A verb of saying in the passive ("has been accused of", "a été accusé de", "ha sido
# acusado"): the subject is the one spoken about, not the speaker.
PASSIVE_BEFORE = re.compile(
    r"(?i)(?<![\w-])(?:been|was|were|is|are|being|été|est|sont|sido|fue|fueron|es|son|"
    r"wurde|wurden|wird|werden|был|была|были|"
    # a reduced passive: "made the remarks when asked to comment"
    r"when|if|once)\s+$"
)
