"""One suite for every search backend (search/backends/base.py): the tantivy text index
and statements by meaning (lineage/backend.py) keep the same contract. The texts are
published ones from tests/data/lineage/pairs.jsonl."""

from __future__ import annotations

import pytest

from quotes.models import Quote
from search.backends import get_search_backend
from search.backends.base import MAX_RESULTS, Filters, PageTooDeep, SearchRequest
from search.backends.tantivy import TantivyBackend
from tests.factories import QuoteFactory, SpeakerFactory
from tests.test_lineage import published_text

BACKENDS = ["default", "meaning"]
PUBLISHED = [Quote.Status.PUBLISHED]
PUBLIC = Filters(statuses=PUBLISHED)


@pytest.fixture(params=BACKENDS)
def backend(request, db, settings):
    settings.ONRECORD_EMBED_SHARE = 1
    return get_search_backend(request.param)


@pytest.fixture
def statements(db):
    churchill = SpeakerFactory(key="winston-churchill", name="Winston Churchill")
    guterres = SpeakerFactory(key="antonio-guterres", name="António Guterres")
    rows = [
        ("few", churchill, "c_few_en", "1940-08-20", Quote.Status.PUBLISHED),
        ("blood", churchill, "c_blood_en", "1940-05-13", Quote.Status.PUBLISHED),
        ("boiling", guterres, "g_en", "2023-07-27", Quote.Status.PUBLISHED),
        ("draft", guterres, "g_en_b", "2023-07-27", Quote.Status.DRAFT),
    ]
    return {
        key: QuoteFactory(
            key=key, speaker=who, text=published_text(text), language="en", said=said, status=status
        )
        for key, who, text, said, status in rows
    }


def found(backend, **request) -> list[str]:
    request.setdefault("filters", Filters(statuses=PUBLISHED))
    results = backend.search(SearchRequest(**request), Quote.objects.all())
    return [quote.key for quote in results[0 : results.count()]]


def test_a_text_finds_its_statement_first(backend, statements):
    backend.refresh()
    keys = found(backend, text="the era of global warming has ended", ordering="relevance")
    assert keys[0] == "boiling"


def test_filters_keep_their_statements(backend, statements):
    backend.refresh()
    churchill = Filters(statuses=PUBLISHED, speaker="winston-churchill")
    assert set(found(backend, filters=churchill)) == {"few", "blood"}
    assert "draft" not in found(backend)
    assert found(backend, filters=Filters(statuses=[Quote.Status.DRAFT])) == ["draft"]
    later = Filters(statuses=PUBLISHED, said_from=__import__("datetime").date(1941, 1, 1))
    assert found(backend, filters=later) == ["boiling"]


def test_orders_and_count_agree_with_pages(backend, statements):
    backend.refresh()
    assert found(backend, ordering="said") == ["blood", "few", "boiling"]
    assert found(backend, ordering="-said") == ["boiling", "few", "blood"]
    results = backend.search(
        SearchRequest(filters=Filters(statuses=PUBLISHED), ordering="said"), Quote.objects.all()
    )
    assert results.count() == len(results) == 3
    assert [q.key for q in results[0:2] + results[2:3]] == ["blood", "few", "boiling"]
    ids, ranks = results.ids(2)
    assert list(ids) == [statements["blood"].pk, statements["few"].pk]
    assert ranks is None


def test_relevance_gives_ranks(backend, statements):
    backend.refresh()
    results = backend.search(
        SearchRequest(
            filters=Filters(statuses=PUBLISHED), text="global boiling", ordering="relevance"
        ),
        Quote.objects.all(),
    )
    [first, *_] = results[0:1]
    assert first.key == "boiling"
    assert first.rank is not None
    ids, ranks = results.ids(1)
    assert ranks is not None
    assert len(ranks) == len(ids) == 1


def test_a_page_too_deep_is_refused(backend, statements):
    backend.refresh()
    results = backend.search(
        SearchRequest(filters=Filters(statuses=PUBLISHED)), Quote.objects.all()
    )
    with pytest.raises(PageTooDeep):
        results[0 : MAX_RESULTS + 10]


def test_facets_count_what_is_found(backend, statements):
    backend.refresh()
    results = backend.search(
        SearchRequest(filters=Filters(statuses=PUBLISHED)), Quote.objects.all()
    )
    facets = results.facets(limit=5)
    assert facets["count"] == 3
    speakers = {entry["value"]: entry["count"] for entry in facets["facets"]["speaker"]}
    assert speakers == {"winston-churchill": 2, "antonio-guterres": 1}
    assert facets["facets"]["speaker"][0]["label"] == "Winston Churchill"
    years = [entry["value"] for entry in facets["facets"]["year"]]
    assert years == ["2023", "1940"]


def test_update_follows_changes_and_deletions(backend, statements):
    backend.refresh()
    gone = statements["blood"].pk
    statements["blood"].delete()
    backend.update([gone])
    assert "blood" not in found(backend)
    new = QuoteFactory(
        key="beaches",
        text=published_text("c_beach_en"),
        language="en",
        status=Quote.Status.PUBLISHED,
    )
    backend.update([new.pk])
    assert "beaches" in found(backend, text="we shall defend our island", ordering="relevance")


def test_percolate_tells_which_requests_find_which_quotes(backend, statements):
    backend.refresh()
    requests = [
        (
            "churchill",
            SearchRequest(filters=Filters(statuses=PUBLISHED, speaker="winston-churchill")),
        ),
        ("nobody", SearchRequest(filters=Filters(statuses=PUBLISHED, speaker="no-one"))),
    ]
    ids = [statements["few"].pk, statements["boiling"].pk]
    assert backend.percolate(ids, requests) == {"churchill": {statements["few"].pk}}


PERCOLATED = [
    "conflicts",  # another form of a word of "few": its stem
    '"human conflict"',
    "owed -few",
    "-blood",  # excluded words only: every other statement
    "nothing OR boiling",
    "Churchill",  # the speaker's name
    "集体惩罚",
    "zzyzx",  # in no statement
    "!!!",  # no words at all
]


def test_percolate_finds_what_a_search_among_the_quotes_finds(backend, statements):
    chinese = QuoteFactory(
        key="zh", text="我们反对集体惩罚。", language="zh", status=Quote.Status.PUBLISHED
    )
    backend.refresh()
    ids = [statements["few"].pk, statements["blood"].pk, chinese.pk]
    among = Quote.objects.filter(pk__in=ids)
    requests = [(text, SearchRequest(filters=PUBLIC, text=text)) for text in PERCOLATED]
    expected = {}
    for text, request in requests:
        searched = set(backend.search(request, among).ids(MAX_RESULTS)[0]) & set(ids)
        if searched:
            expected[text] = searched
    assert backend.percolate(ids, requests) == expected
    if isinstance(backend, TantivyBackend):  # words are matched as words (not by meaning)
        assert set(expected) >= {"conflicts", '"human conflict"', "-blood", "Churchill", "集体惩罚"}
        assert "zzyzx" not in expected


def test_an_unknown_backend_is_named():
    with pytest.raises(LookupError, match="elsewhere"):
        get_search_backend("elsewhere")
