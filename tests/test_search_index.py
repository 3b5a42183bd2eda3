"""The search index beside PostgreSQL: every write path reaches it through the outbox, in
commit order; it is rebuilt when missing or asked; replicas reach the same state."""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from quotes.models import Organization, Quote, Speaker
from search import indexer, outbox
from search.index import SearchIndex, current_index
from search.query import Filters, compile_query
from search.results import QuoteResults
from tests.admin_forms import admin_form_data
from tests.factories import (
    AffiliationFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    TopicFactory,
)
from tests.interchange_support import ndjson, run_import
from tests.test_api_writes import quote_payload

QUOTES = "/api/v1/quotes/"
ALL = list(Quote.Status.values)


def found(q: str | None = None, index: SearchIndex | None = None, **filters) -> set[str]:
    results = QuoteResults(
        Quote.objects.all(),
        compile_query(q) if q else None,
        Filters(statuses=ALL, **filters),
        "relevance" if q else "-said",
        index=index,
    )
    return {quote.key for quote in results[:1000]}


# Every write path.


@pytest.mark.django_db
def test_admin_changes_reach_the_index(editor_client):
    speaker = SpeakerFactory(name="Plain Name")
    QuoteFactory(key="q", speaker=speaker, text="Words.")
    assert found("plain") == {"q"}
    url = f"/admin/quotes/speaker/{speaker.pk}/change/"
    data = admin_form_data(editor_client.get(url), name="Ximena Quetzal")
    assert editor_client.post(url, data).status_code == 302
    assert found("quetzal") == {"q"}
    assert found("plain") == set()


@pytest.mark.django_db
def test_api_writes_reach_the_index(editor_api):
    SpeakerFactory(key="wang-yi")
    SourceFactory(key="article", full_text="")
    TopicFactory(key="gaza")
    response = editor_api.post(QUOTES, quote_payload(), format="json")
    assert response.status_code == 201, response.content
    key = response.json()["key"]
    assert found("自卫") == {key}
    assert found("self-defense") == {key}
    response = editor_api.patch(f"{QUOTES}{key}/", {"context": "A summit"}, format="json")
    assert response.status_code == 200, response.content
    assert found("summit") == {key}


@pytest.mark.django_db
def test_imports_reach_the_index(tmp_path):
    records = ndjson(
        {"type": "speaker", "key": "envoy", "name": "The Envoy"},
        {
            "type": "quote",
            "key": "imported",
            "speaker": "envoy",
            "text": "Ein Waffenstillstand jetzt.",
            "language": "de",
            "status": "draft",
            "topics": ["truce"],
        },
    )
    assert run_import(tmp_path / "in.ndjson", records).ok
    assert found("waffenstillstand") == {"imported"}
    assert found(topic="truce") == {"imported"}


@pytest.mark.django_db
def test_queryset_updates_of_related_records_reach_the_index():
    affiliation = AffiliationFactory(organization__key="mfa", organization__country="CN")
    QuoteFactory(key="q", speaker=affiliation.speaker, role=affiliation)
    assert found(country="CN") == {"q"}
    Organization.objects.filter(key="mfa").update(country="RU", key="mid")
    assert found(country="CN") == set()
    assert found(country="RU", organization="mid") == {"q"}
    Speaker.objects.filter(pk=affiliation.speaker_id).update(key="renamed")
    assert found(speaker="renamed") == {"q"}
    topic = TopicFactory(key="old")
    Quote.objects.get(key="q").topics.add(topic)
    assert found(topic="old") == {"q"}
    type(topic).objects.filter(pk=topic.pk).update(key="new")
    assert found(topic="new") == {"q"}


# Rebuilding.


@pytest.mark.django_db
def test_search_reindex_rebuilds_from_scratch():
    QuoteFactory(key="a", text="Alpha.")
    QuoteFactory(key="b", text="Beta.")
    out = StringIO()
    call_command("search_reindex", stdout=out)
    assert "Indexed 2 quotes" in out.getvalue()
    assert current_index().searcher().num_docs == 2
    assert found("alpha") == {"a"}


@pytest.mark.django_db
def test_a_missing_index_is_rebuilt(settings, api_client, tmp_path):
    QuoteFactory(key="a", text="Alpha.", status="published")
    settings.SEARCH_SYNC = False  # as served: no flush before searching
    settings.SEARCH_DIR = tmp_path / "fresh"
    assert not current_index().exists()
    response = api_client.get(QUOTES, {"q": "alpha"})
    assert [item["key"] for item in response.json()["results"]] == ["a"]
    assert current_index().exists()


@pytest.mark.django_db
def test_search_status_reports_documents_and_lag():
    QuoteFactory()
    indexer.rebuild()
    out = StringIO()
    call_command("search_status", stdout=out)
    assert "documents: 1" in out.getvalue()
    assert "lag: 0 commits, 0 quotes" in out.getvalue()


# Deep pages.


@pytest.mark.django_db
def test_pages_reach_ten_thousand_results_then_ask_to_narrow(api_client, monkeypatch):
    monkeypatch.setattr("search.results.MAX_RESULTS", 4)
    for n in range(6):
        QuoteFactory(key=f"q{n}", text="Truce.", status="published")
    assert api_client.get(QUOTES, {"q": "truce", "page_size": 2, "page": 2}).status_code == 200
    response = api_client.get(QUOTES, {"q": "truce", "page_size": 2, "page": 3})
    assert response.status_code == 400
    assert "narrow the search" in response.json()["page"][0]


# Real commits: the outbox in commit order, replicas, readers during writes.

committed = pytest.mark.django_db(transaction=True)


@committed
def test_commits_get_positions_in_commit_order():
    start = outbox.last_position()
    first = QuoteFactory(text="One.")
    with transaction.atomic():
        second = QuoteFactory(text="Two.")
        Quote.objects.filter(pk=first.pk).update(context="again")
    one = outbox.pending(start, commits=1)
    assert one.quote_ids == [first.pk]
    two = outbox.pending(one.position, commits=1)
    assert two.position > one.position
    assert set(two.quote_ids) == {first.pk, second.pk}
    assert outbox.pending(start).position == two.position
    assert outbox.pending(two.position) is None


@committed
def test_two_indexers_over_two_directories_reach_the_same_state(tmp_path):
    one, two = SearchIndex(tmp_path / "one"), SearchIndex(tmp_path / "two")
    indexer.rebuild(one)
    speaker = SpeakerFactory(name="Replica Speaker")
    quotes = [QuoteFactory(speaker=speaker, text=f"Statement {n}.") for n in range(5)]
    indexer.catch_up(one)  # one follows commit by commit…
    Quote.objects.filter(pk=quotes[0].pk).delete()
    Speaker.objects.filter(pk=speaker.pk).update(name="Renamed Speaker")
    indexer.catch_up(one)
    indexer.catch_up(two)  # …two starts late, from nothing
    for index in (one, two):
        assert index.position().position == outbox.last_position()
        assert index.searcher().num_docs == 4
        assert found("renamed", index=index) == {q.key for q in quotes[1:]}
        assert found("replica", index=index) == set()


@committed
def test_readers_search_while_the_indexer_writes(tmp_path):
    index = SearchIndex(tmp_path / "index")
    indexer.rebuild(index)
    errors, counts, done = [], [], threading.Event()

    def read() -> None:
        query = compile_query("busy")
        try:
            while not done.is_set():
                results = QuoteResults(
                    Quote.objects.none(), query, Filters(statuses=ALL), "relevance", index=index
                )
                counts.append(results.count())
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(5):
            QuoteFactory.create_batch(3, text=f"Busy day {n}.")
            indexer.catch_up(index)
    finally:
        done.set()
        reader.join()
    assert not errors
    assert counts == sorted(counts)
    assert counts[-1] <= 15
    assert index.searcher().num_docs == 15


@pytest.mark.django_db
def test_readyz_reports_the_index_lag(client, settings):
    QuoteFactory()
    assert client.get("/readyz").status_code == 200  # synchronous: always current
    settings.SEARCH_SYNC = False
    with connection.cursor() as cursor:  # a commit the index has not applied, long ago
        cursor.execute(
            "INSERT INTO search_commit (txid, position, committed) "
            "VALUES ('1', 1000000, now() - interval '1 hour')"
        )
        cursor.execute("INSERT INTO search_outbox (txid, quote_id) VALUES ('1', 1)")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "search index is 1 commits (1 quotes) behind" in response.json()["reasons"][0]
