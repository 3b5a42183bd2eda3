"""Speakers: fuzzy name search, filters, affiliations; and the other read-only collections.
The searches and filters are tried by an editor, who sees every record; readers see the
public ones (tests/test_public.py)."""

import pytest
from django.db import connection, transaction

from quotes.models import Quote, Speaker, SpeakerName
from quotes.speaker_search import fuzzy_search_threshold, names_matching
from tests.api_helpers import count_queries, result_keys
from tests.factories import (
    AffiliationFactory,
    CitationFactory,
    OrganizationFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    SpeakerNameFactory,
    TopicFactory,
    quote_with_related,
)
from tests.interchange_support import ndjson, run_import

pytestmark = pytest.mark.django_db
SPEAKERS = "/api/v1/speakers/"


@pytest.fixture
def speakers():
    lavrov = SpeakerFactory(key="sergey-lavrov", name="Sergey Lavrov", country="RU")
    SpeakerNameFactory(speaker=lavrov, name="Сергей Лавров", language="ru")
    SpeakerFactory(key="erdogan", name="Recep Tayyip Erdoğan", country="TR")
    wang = SpeakerFactory(key="wang-yi", name="Wang Yi", country="CN")
    SpeakerNameFactory(speaker=wang, name="王毅", language="zh")
    SpeakerNameFactory(speaker=wang, name="Wáng Yì", language="zh-Latn")
    SpeakerFactory(key="wang-wenbin", name="Wang Wenbin", country="CN")
    SpeakerFactory(key="putin", name="Vladimir Putin", country="RU")
    SpeakerFactory(key="lavrentiy", name="Lavrentiy Beria", country="RU")


@pytest.mark.usefixtures("speakers")
@pytest.mark.parametrize(
    ("q", "best"),
    [
        ("Lavorv", "sergey-lavrov"),
        ("lavrov", "sergey-lavrov"),
        ("Лавров", "sergey-lavrov"),
        ("Erdogan", "erdogan"),
        ("ERDOĞAN", "erdogan"),
        ("Tayip Erdogan", "erdogan"),
        ("王毅", "wang-yi"),
        ("Wang Yi", "wang-yi"),
        ("Wang Yì", "wang-yi"),
        ("Putin", "putin"),
    ],
)
def test_fuzzy_name_search_puts_the_best_match_first(editor_api, q, best):
    response = editor_api.get(SPEAKERS, {"q": q})
    found = result_keys(response)
    assert found[0] == best
    scores = [item["score"] for item in response.json()["results"]]
    assert scores == sorted(scores, reverse=True)
    assert "putin" not in found or best == "putin"


@pytest.mark.usefixtures("speakers")
@pytest.mark.parametrize(
    ("q", "best"),
    [
        ("Ван И", "wang-yi"),
        ("Lawrow", "sergey-lavrov"),
        ("Poutine", "putin"),
        ("Vladimr Putn", "putin"),
        ("Путин", "putin"),
    ],
)
def test_a_name_in_another_script_or_spelling_than_any_stored_is_found(editor_api, q, best):
    assert result_keys(editor_api.get(SPEAKERS, {"q": q}))[0] == best


@pytest.mark.usefixtures("speakers")
def test_unrelated_names_are_not_found(editor_api):
    assert result_keys(editor_api.get(SPEAKERS, {"q": "Macron"})) == []
    assert set(result_keys(editor_api.get(SPEAKERS, {"q": "Wang"}))) == {"wang-yi", "wang-wenbin"}


def test_speaker_filters(editor_api):
    mfa = OrganizationFactory(key="prc-mfa", country="CN")
    AffiliationFactory(speaker__key="wang-yi", organization=mfa, start="2013", end="2022")
    AffiliationFactory(speaker__key="qin-gang", organization=mfa, start="2022-12")
    AffiliationFactory(speaker__key="lavrov", speaker__country="RU", organization__country="RU")
    assert set(result_keys(editor_api.get(SPEAKERS, {"organization": "prc-mfa"}))) == {
        "qin-gang",
        "wang-yi",
    }
    assert result_keys(editor_api.get(SPEAKERS, {"country": "ru"})) == ["lavrov"]
    assert editor_api.get(SPEAKERS, {"country": "Russia"}).status_code == 400
    assert editor_api.get(SPEAKERS, {"q": "x\x00"}).status_code == 400


def test_speaker_detail_has_dated_affiliations(api_client):
    speaker = SpeakerFactory(key="albright", name="Madeleine Albright")
    AffiliationFactory(
        speaker=speaker,
        role="Secretary of State",
        start="1997-01-23",
        end="2001-01-20",
        organization__key="state",
        organization__name="Department of State",
    )
    AffiliationFactory(
        speaker=speaker,
        role="Ambassador to the United Nations",
        start="1993-02",
        end="1997-01",
        organization__key="usun",
        organization__name="US Mission to the UN",
    )
    QuoteFactory(speaker=speaker)
    QuoteFactory(speaker=speaker, status=Quote.Status.DRAFT)
    body = api_client.get(f"{SPEAKERS}albright/").json()
    assert body["name"] == "Madeleine Albright"
    assert [(a["title"], a["start"], a["end"]) for a in body["affiliations"]] == [
        ("Ambassador to the United Nations", "1993-02", "1997-01"),
        ("Secretary of State", "1997-01-23", "2001-01-20"),
    ]
    assert body["affiliations"][0]["organization"]["key"] == "usun"
    assert body["quote_count"] == 1
    assert api_client.get(f"{SPEAKERS}nobody/").status_code == 404


# The other collections.


def test_organizations_sources_and_topics(editor_api):
    parent = OrganizationFactory(key="state-council", name="State Council", country="CN")
    OrganizationFactory(
        key="prc-mfa",
        name="Ministry of Foreign Affairs",
        country="CN",
        parent=parent,
        aliases=["MFA", "外交部"],
        kind="ministry",
    )
    OrganizationFactory(key="kremlin", name="Kremlin", country="RU", kind="head_of_state_office")
    body = editor_api.get("/api/v1/organizations/prc-mfa/").json()
    assert (body["parent"], body["country"], body["aliases"]) == (
        "state-council",
        "CN",
        ["MFA", "外交部"],
    )
    organizations = "/api/v1/organizations/"
    assert result_keys(editor_api.get(organizations, {"country": "RU"})) == ["kremlin"]
    assert result_keys(editor_api.get(organizations, {"q": "外交部"})) == ["prc-mfa"]
    assert result_keys(editor_api.get(organizations, {"parent": "state-council"})) == ["prc-mfa"]
    assert editor_api.get(organizations, {"kind": "club"}).status_code == 400

    source = SourceFactory(key="nyt", title="Common Cause", publisher="NYT", language="en")
    SourceFactory(key="tass", title="Заявление", publisher="TASS", language="ru")
    CitationFactory(source=source)
    sources = "/api/v1/sources/"
    assert result_keys(editor_api.get(sources, {"language": "ru"})) == ["tass"]
    assert result_keys(editor_api.get(sources, {"q": "common"})) == ["nyt"]
    detail = editor_api.get(f"{sources}nyt/").json()
    assert detail["quote_count"] == 1
    assert "full_text" in detail
    assert "full_text" not in editor_api.get(sources).json()["results"][0]

    topic = TopicFactory(key="gaza", name="Gaza")
    QuoteFactory().topics.add(topic)
    QuoteFactory(status=Quote.Status.DRAFT).topics.add(topic)
    topics = editor_api.get("/api/v1/topics/", {"q": "gaz"}).json()["results"]
    assert topics == [{"key": "gaza", "name": "Gaza", "quote_count": 1}]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (SPEAKERS, {}),
        (SPEAKERS, {"q": "Speaker"}),
        ("/api/v1/organizations/", {}),
        ("/api/v1/sources/", {}),
        ("/api/v1/topics/", {}),
    ],
)
def test_list_queries_do_not_grow_with_page_size(api_client, url, params):
    for _ in range(55):
        quote = quote_with_related(topics=1)
        SpeakerNameFactory(speaker=quote.speaker)
        AffiliationFactory(speaker=quote.speaker, start="1990", end="1999")
    assert count_queries(api_client, url, {**params, "page_size": 1}) == count_queries(
        api_client, url, {**params, "page_size": 50}
    )


@pytest.mark.parametrize(
    ("model", "index"),
    [
        (Speaker, "speaker_name_trigrams"),
        (SpeakerName, "speakername_name_trigrams"),
        (Speaker, "speaker_name_key_trigrams"),
        (SpeakerName, "speakername_name_key_trigrams"),
    ],
)
def test_fuzzy_name_search_is_served_by_trigram_indexes(model, index):
    SpeakerNameFactory(speaker__name="Sergey Lavrov", name="Сергей Лавров")
    with transaction.atomic():
        fuzzy_search_threshold()
        matching = names_matching(model.objects.order_by(), "Lavorv").values("pk")
        sql, params = matching.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert index in plan
        # The other name in Cyrillic matches too, by its Latin letters (name_latin).
        assert model.objects.filter(pk__in=matching).exists()


def test_a_name_stored_only_in_another_script_is_found_by_its_latin_spelling(editor_api, tmp_path):
    # Written by each kind of writer: the API (save), an import of new records (COPY), and
    # an import of changed ones (bulk_update).
    body = {"key": "wang-yi", "name": "王毅"}
    assert editor_api.post(SPEAKERS, body, format="json").status_code == 201
    lines = [{"type": "speaker", "key": "lavrov", "name": "Лавров", "names": []}]
    assert run_import(tmp_path / "new.ndjson", ndjson(*lines)).ok
    lines.append({"type": "speaker", "key": "peskov", "name": "Песков", "names": []})
    lines[0] = {**lines[0], "name": "Сергей Лавров", "names": [{"name": "谢尔盖·拉夫罗夫"}]}
    assert run_import(tmp_path / "changed.ndjson", ndjson(*lines)).ok
    assert result_keys(editor_api.get(SPEAKERS, {"q": "Wang Yi"})) == ["wang-yi"]
    assert result_keys(editor_api.get(SPEAKERS, {"q": "Sergei Lavrov"}))[0] == "lavrov"
    assert result_keys(editor_api.get(SPEAKERS, {"q": "Peskov"})) == ["peskov"]
    assert Speaker.objects.get(key="lavrov").name_latin == "Sergey Lavrov"
