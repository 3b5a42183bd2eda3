"""The search index and its analysis, and the query language, below the API."""

import random

import pghistory.models
import pytest
from django.db import connection

from quotes.models import Quote, SpeakerName, Translation
from quotes.search import Term, parse
from search import analysis
from search.query import Filters, compile_query
from search.results import QuoteResults
from tests.factories import QuoteFactory, SpeakerFactory, SpeakerNameFactory, TranslationFactory


def found(query: str) -> set[str]:
    results = QuoteResults(
        Quote.objects.all(),
        compile_query(query),
        Filters(statuses=list(Quote.Status.values)),
        "relevance",
    )
    return {quote.key for quote in results[:1000]}


# The query language.


def test_parse_words_phrases_exclusions_and_alternatives():
    assert parse('gaza "collective punishment" -hamas') == [
        [Term("gaza"), Term("collective punishment"), Term("hamas", excluded=True)]
    ]
    assert parse("a b OR c d") == [[Term("a"), Term("b")], [Term("c"), Term("d")]]
    assert parse('-"x y" or z') == [[Term("x y", excluded=True)], [Term("z")]]


def test_parse_tolerates_anything():
    assert parse("") == []
    assert parse("   ") == []
    assert parse("or OR or") == []
    assert parse(" - -- ") == []
    assert parse('"unclosed phrase') == [[Term("unclosed phrase")]]
    assert parse('""') == []
    assert parse("--a") == [[Term("a", excluded=True)]]
    assert parse('a"b c"d') == [[Term("a"), Term("b c"), Term("d")]]
    assert parse('war "or" peace') == [[Term("war"), Term("or"), Term("peace")]]


@pytest.mark.django_db
def test_any_input_compiles_without_error():
    rng = random.Random(4)
    alphabet = "ab \"-()!&|:*'\\<>@.,;OR停火é\t\n%_"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        found(text)


@pytest.mark.django_db
def test_a_query_without_words_finds_nothing():
    QuoteFactory(text="Anything at all.")
    assert compile_query("!!! ... ---").is_empty
    assert found("!!!") == set()


# What the index covers, and how it stays current.


@pytest.mark.django_db
def test_index_covers_text_translations_context_and_speaker_names():
    speaker = SpeakerFactory(name="Sergey Lavrov")
    SpeakerNameFactory(speaker=speaker, name="Сергей Лавров", language="ru")
    quote = QuoteFactory(
        key="q",
        speaker=speaker,
        text="Переговоры продолжаются.",
        language="ru",
        context="Press conference in Ankara",
    )
    TranslationFactory(quote=quote, language="en", text="Negotiations are continuing.")
    assert found("переговоры") == {"q"}
    assert found("continuing negotiations") == {"q"}
    assert found("ankara") == {"q"}
    assert found("lavrov") == {"q"}
    assert found("Лавров") == {"q"}


@pytest.mark.django_db
def test_translation_changes_reach_the_index():
    quote = QuoteFactory(key="q", text="Original words.")
    translation = TranslationFactory(quote=quote, language="fr", text="Une trêve humanitaire.")
    assert found("trêve") == {"q"}
    translation.text = "Un cessez-le-feu."
    translation.save()
    assert found("trêve") == set()
    assert found("cessez-le-feu") == {"q"}
    Translation.objects.filter(pk=translation.pk).delete()
    assert found("cessez") == set()


@pytest.mark.django_db
def test_bulk_writes_and_queryset_updates_reach_the_index():
    speaker = SpeakerFactory(name="Plain Name")
    quotes = Quote.objects.bulk_create(
        Quote(key=f"bulk-{n}", speaker=speaker, text=f"Bulk statement {n}.", language="en")
        for n in range(3)
    )
    Translation.objects.bulk_create(
        Translation(quote=quote, language="de", text="Waffenstillstand") for quote in quotes
    )
    assert found("waffenstillstand") == {"bulk-0", "bulk-1", "bulk-2"}
    Quote.objects.filter(key="bulk-0").update(text="Rewritten by update().")
    assert found("rewritten") == {"bulk-0"}
    SpeakerName.objects.bulk_create([SpeakerName(speaker=speaker, name="Alias Zeta")])
    assert len(found("zeta")) == 3
    speaker.name = "Renamed Omega"
    speaker.save()
    assert len(found("omega")) == 3
    assert found("plain") == set()


@pytest.mark.django_db
def test_indexing_records_no_history():
    quote = QuoteFactory(text="Something said.")
    events = pghistory.models.Events.objects.filter(pgh_obj_model="quotes.Quote")
    before = events.count()
    TranslationFactory(quote=quote, language="es", text="Algo dicho.")
    assert found("dicho") == {quote.key}
    assert events.count() == before


@pytest.mark.django_db
def test_raw_sql_writes_reach_the_index():
    QuoteFactory(key="q", text="First version.")
    assert found("first") == {"q"}
    with connection.cursor() as cursor:
        cursor.execute("UPDATE quotes_quote SET text = 'Second version.' WHERE key = 'q'")
    assert found("second") == {"q"}
    assert found("first") == set()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM quotes_quote WHERE key = 'q'")
    assert found("second") == set()


# Languages, scripts and accents.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text", "query"),
    [
        ("en", "The parties negotiated for weeks.", "negotiations"),
        ("ru", "Стороны договорились о переговорах.", "переговоры"),
        ("de", "Die Verhandlungen wurden fortgesetzt.", "Verhandlung"),
        ("fr", "Les négociations ont repris.", "négocier"),
        ("es", "Las negociaciones continúan.", "negociación"),
        ("pt", "As negociações continuam.", "negociação"),
        ("it", "Le negoziazioni sono riprese.", "negoziazione"),
        ("tr", "Müzakereler devam ediyor.", "müzakere"),
    ],
)
def test_stemming_by_the_language_of_the_text(language, text, query):
    QuoteFactory(key="q", text=text, language=language)
    QuoteFactory(key="other", text="Unrelated words entirely.", language="en")
    assert found(query) == {"q"}


@pytest.mark.django_db
def test_accents_are_ignored_both_ways():
    QuoteFactory(key="pt", text="Reunião em São Paulo.", language="pt")
    QuoteFactory(key="tr", text="Erdoğan spoke.", language="en")
    assert found("Sao Paulo") == {"pt"}
    assert found("reuniao") == {"pt"}
    assert found("erdogan") == {"tr"}
    assert found("Érdögan") == {"tr"}


@pytest.mark.django_db
def test_every_word_counts_so_phrases_are_exact():
    QuoteFactory(key="hamlet", text="To be, or not to be, that is the question.")
    QuoteFactory(key="other", text="Not to be confused with anything.")
    assert found('"to be or not to be"') == {"hamlet"}


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["停火", "停火协议", "协议", "議", "和平", "정전", "カタカナ"])
def test_cjk_text_is_found_by_any_substring(query):
    QuoteFactory(key="zh", text="各方应立即停火协议，恢复和平。", language="zh")
    QuoteFactory(key="ja", text="協議はカタカナで書かれた。", language="ja")
    QuoteFactory(key="ko", text="즉각적인 정전 협상", language="ko")
    QuoteFactory(key="none", text="No Asian script here.", language="en")
    expected = {
        "停火": {"zh"},
        "停火协议": {"zh"},
        "协议": {"zh"},
        "議": {"ja"},
        "和平": {"zh"},
        "정전": {"ko"},
        "カタカナ": {"ja"},
    }[query]
    assert found(query) == expected


@pytest.mark.django_db
def test_cjk_substrings_must_be_contiguous():
    QuoteFactory(key="zh", text="停止对加沙民众的集体惩罚。", language="zh")
    assert found("集体惩罚") == {"zh"}
    assert found("惩罚集体") == set()
    assert found('"集体 惩罚" -加沙') == set()


@pytest.mark.django_db
def test_mixed_language_queries_and_exclusion_across_configurations():
    quote = QuoteFactory(key="ru", text="Переговоры в Москве.", language="ru")
    TranslationFactory(quote=quote, language="en", text="Negotiations in Moscow.")
    QuoteFactory(key="en", text="Negotiations in Geneva.", language="en")
    assert found("переговоры negotiation") == {"ru"}
    assert found("negotiations -moscow") == {"en"}
    assert found("negotiations -москва") == {"en"}
    assert found("geneva OR москве") == {"ru", "en"}


def test_cjk_runs_are_not_words():
    assert analysis.words("停火 ceasefire 協議はカタカナ", analysis.PLAIN) == ["ceasefire"]
    assert analysis.cjk_bigrams("停火协议 x 和平") == "停火 火协 协议 | 和平"


@pytest.mark.django_db
def test_compiled_query_lists_the_words_to_highlight():
    compiled = compile_query('ceasefires "peace talks" -war 停火')
    assert {("english", "ceasefir"), ("plain", "peace"), ("english", "talk")} <= compiled.words
    assert not any(word == "war" for _, word in compiled.words)
    assert compiled.cjk_runs == ("停火",)
    assert compile_query("!!! x").alternatives == ((Term("x"),),)
