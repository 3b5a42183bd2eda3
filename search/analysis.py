"""How texts become terms: per-language stemming, accent folding, CJK bigrams.

Every text is indexed three ways: its words stemmed by its language's stemmer and then
accent-folded (stemmers expect accents: "negociações" and "negociação" share a stem), its
words accent-folded but not stemmed (so that "Sao Paulo" finds "São Paulo" whatever a
stemmer made of "São"), and its Chinese, Japanese and Korean runs, which have no spaces
between words, as overlapping character bigrams (so that any substring of two or more
characters is a phrase of bigrams) and as single characters. Languages without a stemmer
are indexed unstemmed. The same analyzers read a query's terms.
"""

from __future__ import annotations

from functools import cache

import tantivy

from quotes.search import CJK_RUN

# BCP 47 primary subtags and the snowball stemmers tantivy ships. tantivy accepts any name
# (an unknown one silently stems as English), so only these are used.
STEMMERS = {
    "ar": "arabic",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nb": "norwegian",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}
STEMMED_LANGUAGES = sorted(set(STEMMERS.values()))
PLAIN = "plain"
# Words: letters, digits and combining marks (CJK runs are blanked out first, see words_only).
WORD = r"[\p{L}\p{N}\p{M}]+"
LONGEST_WORD = 80
# Between two CJK runs, so that no phrase of bigrams spans them.
RUN_BREAK = "|"


def stemmer_of(language: str) -> str | None:
    """The stemmer for a BCP 47 tag, or None when its language has none."""
    return STEMMERS.get((language or "").split("-")[0].lower())


@cache
def analyzer(name: str) -> tantivy.TextAnalyzer:
    """``plain`` (words, lower-cased, accent-folded) or a stemmer's name."""
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(WORD))
    builder = builder.filter(tantivy.Filter.remove_long(LONGEST_WORD))
    builder = builder.filter(tantivy.Filter.lowercase())
    if name != PLAIN:
        builder = builder.filter(tantivy.Filter.stemmer(name))
    return builder.filter(tantivy.Filter.ascii_fold()).build()


@cache
def whitespace_analyzer() -> tantivy.TextAnalyzer:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def analyzer_names() -> list[str]:
    return [PLAIN, *STEMMED_LANGUAGES]


def register(index: tantivy.Index) -> None:
    """Make the analyzers known to an index (they are not stored with it)."""
    for name in analyzer_names():
        index.register_tokenizer(name, analyzer(name))
    index.register_tokenizer("cjk", whitespace_analyzer())


def cjk_bigrams(text: str) -> str:
    """The CJK runs of ``text`` as space-separated bigrams (a run of one character as
    itself), runs separated by ``RUN_BREAK``."""
    runs = []
    for run in CJK_RUN.findall(text):
        if len(run) == 1:
            runs.append(run)
        else:
            runs.append(" ".join(run[i : i + 2] for i in range(len(run) - 1)))
    return f" {RUN_BREAK} ".join(runs)


def cjk_characters(text: str) -> str:
    """Every CJK character of ``text``, space-separated."""
    return " ".join("".join(CJK_RUN.findall(text)))


def query_bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def words(text: str, name: str) -> list[str]:
    """The terms of the words of ``text`` by analyzer ``name``."""
    return analyzer(name).analyze(words_only(text))


def tokens(text: str, name: str) -> list[tuple[str, int, int]]:
    """(term, start, end) of each word of ``text`` by analyzer ``name``, in characters."""
    return [
        (token.text, token.char_offset_from, token.char_offset_to)
        for token in analyzer(name).pre_tokenize(words_only(text)).tokens
    ]


def words_only(text: str) -> str:
    """``text`` with its CJK runs blanked out, each character by a space (offsets stay)."""
    return CJK_RUN.sub(lambda run: " " * len(run.group()), text)


def has_cjk(text: str) -> bool:
    return bool(CJK_RUN.search(text))
