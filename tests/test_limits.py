"""Bounded work per request: body size, JSON depth, search terms, If-Match tags, and
malformed values that once were 500s. Each is a 4xx naming the problem."""

import json
import threading

import pytest

from search.turns import SearchBusy, search_turn
from tests.factories import QuoteFactory, TopicFactory

pytestmark = pytest.mark.django_db

QUOTES = "/api/v1/quotes/"


def nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def test_a_body_over_the_limit_is_a_413(settings, editor_api):
    settings.ONRECORD_MAX_BODY_BYTES = 1000
    response = editor_api.post("/api/v1/topics/", {"key": "big", "name": "x" * 2000}, format="json")
    assert response.status_code == 413
    assert "1000 bytes" in response.json()["detail"]
    assert "RateLimit-Limit" in response.headers


def test_the_default_limit_is_two_megabytes(editor_api):
    body = json.dumps({"key": "big", "name": "x" * (2 * 1024 * 1024)})
    response = editor_api.generic("POST", "/api/v1/topics/", body, "application/json")
    assert response.status_code == 413


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_json_nested_deeper_than_32_levels_is_a_400(editor_api, depth):
    response = editor_api.generic("POST", "/api/v1/topics/", nested(depth), "application/json")
    assert response.status_code == 400
    assert "32 levels" in response.json()["detail"]


def test_json_nested_32_levels_is_parsed(editor_api):
    response = editor_api.generic("POST", "/api/v1/topics/", nested(32), "application/json")
    assert response.status_code == 400  # parsed: the fields are what is wrong
    assert "name" in response.json()


def test_a_search_of_more_than_64_terms_is_a_400_naming_q(api_client):
    assert api_client.get(QUOTES, {"q": " ".join(["peace"] * 64)}).status_code == 200
    assert api_client.get(QUOTES, {"q": "peace OR war " * 40}).status_code == 400
    response = api_client.get(QUOTES, {"q": " ".join(["peace"] * 65)})
    assert response.status_code == 400
    assert "64 terms" in response.json()["q"][0]


def test_an_if_match_of_more_than_16_tags_is_a_400(editor_api):
    topic = TopicFactory()
    tags = ", ".join(f'"{n}"' for n in range(17))
    response = editor_api.patch(
        f"/api/v1/topics/{topic.key}/", {"name": "New"}, format="json", HTTP_IF_MATCH=tags
    )
    assert response.status_code == 400
    assert "16" in response.json()["If-Match"][0]
    many = ", ".join(f'"{n}"' for n in range(767))
    quote = QuoteFactory()
    response = editor_api.patch(
        f"{QUOTES}{quote.key}/", {"text": "New"}, format="json", HTTP_IF_MATCH=many
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("said_after", "%"),
        ("said_before", "%d"),
        ("said_after", "%(x)s"),
        ("speaker", "a\x00b"),
        ("q", "peace\x00"),
        ("page", "%"),
        ("page_size", "0"),
        ("page", "-1"),
        ("page_size", "1e3"),
        ("page_size", ""),
        ("page", ""),
    ],
)
def test_malformed_query_parameters_are_a_400_naming_them(api_client, parameter, value):
    response = api_client.get(QUOTES, {parameter: value})
    assert response.status_code == 400
    assert parameter in response.json()


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (QUOTES, {"speaker": "a\x00b"}, "speaker"),
        (QUOTES, {"speaker": 12}, "speaker"),
        (QUOTES, {"topics": ["trade\x00"]}, "topics"),
        (QUOTES, {"citations": [{"source": "x\x00"}]}, "citations"),
        ("/api/v1/organizations/", {"parent": "un\x00"}, "parent"),
        ("/api/v1/speakers/", {"affiliations": [{"organization": "un\x00"}]}, "affiliations"),
    ],
)
def test_nul_bytes_in_keys_are_a_400_naming_the_field(editor_api, url, body, field):
    response = editor_api.post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_a_parameter_given_twice_is_a_400_naming_it(api_client):
    quote = QuoteFactory()
    response = api_client.get(f"{QUOTES}?page_size=5&page_size=6&q=peace")
    assert response.status_code == 400
    assert response.json() == {"page_size": ["Give this parameter once."]}
    response = api_client.get(f"{QUOTES}{quote.key}/similar/?limit=1&limit=2")
    assert response.status_code == 400
    assert "limit" in response.json()
    assert api_client.get("/api/v1/popolo.json?x=1&x=2").status_code == 400
    assert api_client.get(f"{QUOTES}?page_size=5").status_code == 200


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/topics/", {"key": "t", "name": 0}, "name"),
        ("/api/v1/organizations/", {"key": "o", "name": "O", "aliases": [1]}, "aliases"),
        (QUOTES, {"text": 1.5}, "text"),
        (QUOTES, {"said": 1962}, "said"),
        ("/api/v1/speakers/", {"key": "s", "name": True}, "name"),
    ],
)
def test_a_number_where_text_belongs_is_a_400(editor_api, url, body, field):
    response = editor_api.post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_writes_take_json_only(editor_api):
    # A form encoding cannot carry the nested lists (names, affiliations, citations…).
    response = editor_api.post("/api/v1/topics/", {"key": "t", "name": "T"}, format="multipart")
    assert response.status_code == 415
    assert editor_api.get("/api/v1/topics/t/").status_code == 404


def test_a_search_waits_for_its_turn_and_quick_reads_do_not(settings, api_client, client):
    settings.SEARCH_CONCURRENCY, settings.SEARCH_WAIT_MS = 1, 50
    quote = QuoteFactory()
    with search_turn():  # another search holds this process's only turn
        response = api_client.get(QUOTES, {"q": "minister"})
        assert response.status_code == 503
        assert response["Retry-After"] == "2"
        assert "busy with other searches" in response.json()["detail"]
        assert api_client.get(f"{QUOTES}facets/").status_code == 503
        page = client.get("/", {"q": "minister"})
        assert page.status_code == 503
        assert "busy" in page.content.decode()
        assert client.get("/feeds/quotes.atom").status_code == 503
        assert api_client.get(f"{QUOTES}{quote.key}/").status_code == 200
        assert client.get(f"/quotes/{quote.key}/").status_code == 200
    assert api_client.get(QUOTES, {"q": "minister"}).status_code == 200
    assert client.get("/", {"q": "minister"}).status_code == 200


def test_a_waiting_search_runs_when_the_turn_is_given_back(settings):
    settings.SEARCH_CONCURRENCY, settings.SEARCH_WAIT_MS = 1, 5_000
    entered = threading.Event()

    def waiting_search() -> None:
        with search_turn():
            entered.set()

    with search_turn():
        waiting = threading.Thread(target=waiting_search)
        waiting.start()
        assert not entered.wait(0.2)  # it waits while the turn is held
    assert entered.wait(5)
    waiting.join()


def test_the_number_of_turns_is_a_setting(settings):
    settings.SEARCH_CONCURRENCY, settings.SEARCH_WAIT_MS = 2, 10
    with search_turn(), search_turn(), pytest.raises(SearchBusy), search_turn():
        pass
    settings.SEARCH_CONCURRENCY = 0  # no limit
    with search_turn(), search_turn(), search_turn():
        pass
