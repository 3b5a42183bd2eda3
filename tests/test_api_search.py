"""Full-text search through the API: languages, scripts, syntax, ranking and highlights."""

import random

import pytest

from quotes.models import Quote
from search import highlights as highlighting
from tests.factories import QuoteFactory, SpeakerFactory, SpeakerNameFactory, TranslationFactory

pytestmark = pytest.mark.django_db
QUOTES = "/api/v1/quotes/"


def results(client, q: str, **params) -> list[dict]:
    response = client.get(QUOTES, {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def keys(client, q: str, **params) -> list[str]:
    return [item["key"] for item in results(client, q, **params)]


@pytest.fixture
def demo_like():
    """Quotes in several languages and scripts, after the demo data."""
    wang = SpeakerFactory(key="wang-yi", name="Wang Yi")
    SpeakerNameFactory(speaker=wang, name="王毅", language="zh")
    putin = SpeakerFactory(key="vladimir-putin", name="Vladimir Putin")
    SpeakerNameFactory(speaker=putin, name="Владимир Путин", language="ru")
    zh = QuoteFactory(
        key="zh",
        speaker=wang,
        language="zh",
        text="以方行为已超出自卫范畴，应立即停火，停止对加沙民众的集体惩罚。",
        context="Phone call with Saudi Arabia's foreign minister",
    )
    TranslationFactory(
        quote=zh,
        language="en",
        text='Israel should cease fire at once and stop its "collective punishment" of Gaza.',
    )
    ru = QuoteFactory(
        key="ru",
        speaker=putin,
        language="ru",
        text="Мы готовы к переговорам, но переговорах нужно участвовать честно.",
        context="Meeting in Moscow",
    )
    TranslationFactory(quote=ru, language="en", text="We are ready for negotiations.")
    QuoteFactory(
        key="en",
        language="en",
        text="The parties negotiated a ceasefire in São Paulo.",
        context="Summit",
    )
    QuoteFactory(key="draft", language="en", text="Negotiated in secret.", status="draft")


@pytest.mark.usefixtures("demo_like")
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("negotiations", {"ru", "en"}),
        ("переговоры", {"ru"}),
        ("Sao Paulo", {"en"}),
        ("停火", {"zh"}),
        ("集体惩罚", {"zh"}),
        ('"collective punishment"', {"zh"}),
        ('"punishment collective"', set()),
        ("negotiations -moscow", {"en"}),
        ('ceasefire OR "cease fire"', {"zh", "en"}),
        ("Путин", {"ru"}),
        ("王毅", {"zh"}),
        ("saudi", {"zh"}),
        ("negotiated secret", set()),
    ],
)
def test_search(api_client, q, expected):
    assert set(keys(api_client, q)) == expected


@pytest.mark.usefixtures("demo_like")
def test_editors_search_drafts_too(editor_api):
    assert set(keys(editor_api, "negotiated secret")) == {"draft"}


@pytest.mark.usefixtures("demo_like")
def test_search_combines_with_filters(api_client):
    assert keys(api_client, "negotiations", speaker="vladimir-putin") == ["ru"]
    assert keys(api_client, "negotiations", language="en") == ["en"]
    assert keys(api_client, "negotiations", said_after="2030") == []


def test_ranking_follows_where_and_how_often_words_match(api_client):
    speaker = SpeakerFactory(name="Ceasefire Speaker")
    QuoteFactory(key="speaker-only", speaker=speaker, text="Unrelated words.")
    QuoteFactory(key="context", text="Unrelated words.", context="A ceasefire summit")
    translated = QuoteFactory(key="translation", text="Слова.", language="ru")
    TranslationFactory(quote=translated, language="en", text="A ceasefire.")
    QuoteFactory(key="text", text="We want a ceasefire.")
    QuoteFactory(key="text-twice", text="Ceasefire now: a ceasefire is all we ask.")
    found = results(api_client, "ceasefire")
    assert [item["key"] for item in found] == [
        "text-twice",
        "text",
        "translation",
        "speaker-only",
        "context",
    ]
    ranks = [item["rank"] for item in found]
    assert ranks == sorted(ranks, reverse=True)
    assert all(0 < rank <= 1 for rank in ranks)


def test_equal_ranks_fall_back_to_the_latest_then_the_key(api_client):
    QuoteFactory(key="b-old", text="Truce.", said="2001")
    QuoteFactory(key="a-new", text="Truce.", said="2020")
    QuoteFactory(key="c-new", text="Truce.", said="2020")
    assert keys(api_client, "truce") == ["a-new", "c-new", "b-old"]
    assert keys(api_client, "truce", ordering="said") == ["b-old", "a-new", "c-new"]


# Highlights.


def test_highlight_marks_the_matching_words_of_the_text(api_client):
    QuoteFactory(key="q", text="Talks resumed; the negotiators negotiated all night.")
    [item] = results(api_client, "negotiation")
    assert item["highlight"] == (
        "Talks resumed; the <mark>negotiators</mark> <mark>negotiated</mark> all night."
    )
    assert item["highlight_field"] == "text"
    assert item["highlight_language"] == "en"


def test_highlight_is_html_escaped_except_for_marks(api_client):
    QuoteFactory(key="q", text='He said <script>alert("x")</script> & left: "ceasefire".')
    [item] = results(api_client, "ceasefire")
    html = item["highlight"]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp;" in html
    assert "<mark>ceasefire</mark>" in html
    assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_highlight_comes_from_the_translation_that_matched(api_client):
    quote = QuoteFactory(key="q", text="Мы за мир.", language="ru")
    TranslationFactory(quote=quote, language="en", text="We stand for peace.")
    [item] = results(api_client, "peace")
    assert item["highlight"] == "We stand for <mark>peace</mark>."
    assert (item["highlight_field"], item["highlight_language"]) == ("translation", "en")


def test_highlight_of_accented_and_stemmed_words(api_client):
    QuoteFactory(key="q", text="As negociações em São Paulo.", language="pt")
    [item] = results(api_client, "negociação sao")
    assert item["highlight"] == "As <mark>negociações</mark> em <mark>São</mark> Paulo."


def test_highlight_of_cjk_substrings(api_client):
    QuoteFactory(key="q", text="各方应立即停火，恢复和平。", language="zh")
    [item] = results(api_client, "停火 和平")
    assert item["highlight"] == "各方应立即<mark>停火</mark>，恢复<mark>和平</mark>。"


def test_highlight_of_a_long_text_is_a_fragment(api_client):
    filler = " ".join(f"word{n}" for n in range(300))
    QuoteFactory(key="q", text=f"{filler} the armistice was signed {filler}")
    [item] = results(api_client, "armistice")
    assert "<mark>armistice</mark>" in item["highlight"]
    assert len(item["highlight"]) < 600


def test_excluded_words_are_not_highlighted(api_client):
    QuoteFactory(key="q", text="Peace talks in Geneva.")
    [item] = results(api_client, "peace -moscow")
    assert item["highlight"] == "<mark>Peace</mark> talks in Geneva."


def test_highlights_are_computed_for_the_returned_page_only(api_client, monkeypatch):
    for n in range(12):
        QuoteFactory(key=f"q{n:02d}", text="A ceasefire.", said=f"20{n:02d}")
    asked = []
    real = highlighting.highlights

    def spy(quote_ids, compiled):
        asked.append(list(quote_ids))
        return real(quote_ids, compiled)

    monkeypatch.setattr("search.backends.tantivy.highlights", spy)
    page = results(api_client, "ceasefire", page_size=5, page=2)
    assert len(asked) == 1
    assert len(asked[0]) == 5
    assert set(asked[0]) == set(
        Quote.objects.filter(key__in=[item["key"] for item in page]).values_list("pk", flat=True)
    )
    assert all("<mark>" in item["highlight"] for item in page)


# Bad and strange input.


def test_no_input_is_a_server_error(api_client):
    QuoteFactory(text="Something to find.")
    rng = random.Random(7)
    alphabet = "ab \"-()!&|:*'\\<>@.,;OR停火é\t%_\u0301\ufeff"
    for _ in range(60):
        q = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        response = api_client.get(QUOTES, {"q": q})
        assert response.status_code == 200, q


@pytest.mark.parametrize("q", ["!!!", "-", '""', "or"])
def test_queries_without_words_find_nothing(api_client, q):
    QuoteFactory(text="Something to find.")
    assert keys(api_client, q) == []


def test_blank_query_is_no_search(api_client):
    QuoteFactory(key="q")
    [item] = results(api_client, "   ")
    assert item["key"] == "q"
    assert item["rank"] is None


def test_query_length_limit(api_client):
    QuoteFactory(text="word")
    assert api_client.get(QUOTES, {"q": "word " * 64}).status_code == 200
    response = api_client.get(QUOTES, {"q": "w" * 501})
    assert response.status_code == 400
    assert "500" in response.json()["q"][0]
