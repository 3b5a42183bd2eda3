"""Rate limits and client keys, over the cache CACHE_URL chooses (CI runs this file on the
database cache and on Redis)."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from api.models import ClientKey
from tests.conftest import token_client
from tests.factories import QuoteFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

TOPICS = "/api/v1/topics/"


@pytest.fixture
def rates(settings):
    settings.ONRECORD_RATE_ANON = "3/min"
    settings.ONRECORD_RATE_CLIENT = "5/min"
    return settings


def key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def create_api_key(*args: str) -> str:
    out = io.StringIO()
    call_command("create_api_key", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def statuses(client, count: int, url: str = TOPICS) -> list[int]:
    return [client.get(url).status_code for _ in range(count)]


def test_anonymous_clients_are_limited_with_headers_and_a_429(rates, api_client):
    answers = [api_client.get(TOPICS) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert all(a["RateLimit-Limit"] == "3" for a in answers)
    assert all(1 <= int(a["RateLimit-Reset"]) <= 60 for a in answers)
    refused = answers[-1]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"]


def test_each_address_has_its_own_count(rates):
    first, second = APIClient(REMOTE_ADDR="10.0.0.1"), APIClient(REMOTE_ADDR="10.0.0.2")
    assert statuses(first, 4) == [200, 200, 200, 429]
    assert statuses(second, 1) == [200]


def test_forwarded_for_is_ignored_without_trusted_proxies(rates):
    client = APIClient()
    answers = [
        client.get(TOPICS, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(4)
    ]
    assert answers == [200, 200, 200, 429]


def test_every_api_answer_carries_the_headers(rates, api_client, editor_api):
    for response in (
        api_client.get(f"{TOPICS}no-such-topic/"),  # 404
        api_client.post(TOPICS, {"name": "x"}, format="json"),  # 401
        api_client.get("/api/v1/quotes/", {"said_after": "%"}),  # 400
        editor_api.get(TOPICS),  # not counted
    ):
        assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
            response.headers
        ), response.status_code


def test_editors_and_reviewers_reads_are_not_limited(rates, editor, reviewer):
    for user in (editor, reviewer):
        client = token_client(user)
        assert set(statuses(client, 8)) == {200}
    writes = [
        token_client(editor)
        .post(TOPICS, {"key": f"topic-{n}", "name": f"Topic {n}"}, format="json")
        .status_code
        for n in range(6)
    ]
    assert writes == [201] * 5 + [429]


def test_signed_in_users_who_are_not_editors_count_at_the_client_rate(rates):
    client = token_client(UserFactory())
    assert statuses(client, 6) == [200] * 5 + [429]


def test_a_client_key_reads_at_the_client_rate(rates):
    key = create_api_key("Newsroom tool")
    QuoteFactory().topics.add(TopicFactory())  # a published statement's topic: public
    client = key_client(key)
    answers = [client.get(TOPICS) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[0]["RateLimit-Limit"] == "5"
    assert answers[0].json()["count"] == 1


def test_a_client_key_with_its_own_rate(rates):
    key = create_api_key("Research group", "--rate", "2/hour")
    answers = [key_client(key).get(TOPICS) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0]["RateLimit-Limit"] == "2"
    assert 1 <= int(answers[-1]["Retry-After"]) <= 3600  # the hour's window ends


def test_keys_are_stored_hashed_with_their_last_use():
    key = create_api_key("Dashboard")
    stored = ClientKey.objects.get()
    assert stored.name == "Dashboard"
    assert key.startswith(stored.prefix + ".")
    assert key not in stored.hashed_key
    assert stored.hashed_key.startswith("sha512$$")
    assert stored.last_used is None
    assert key_client(key).get(TOPICS).status_code == 200
    stored.refresh_from_db()
    assert stored.last_used is not None


@pytest.mark.parametrize(
    "header",
    [
        "Api-Key abcdefgh.0123456789abcdef0123456789abcdef",
        "Api-Key not-a-key",
        "Api-Key a\x00b",
        "Api-Key",
        "Api-Key two parts",
    ],
)
def test_unknown_or_malformed_keys_are_refused(header):
    response = APIClient().get(TOPICS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert response.json()["detail"]


def test_a_revoked_key_is_refused_not_served_anonymously():
    key = create_api_key("Former client")
    ClientKey.objects.update(revoked=True)
    response = key_client(key).get(TOPICS)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_key_reads_but_does_not_write():
    key = create_api_key("Reader")
    response = key_client(key).post(TOPICS, {"name": "Trade"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("rate", ["fast", "10", "10/fortnight", "x/min"])
def test_create_api_key_refuses_a_malformed_rate(rate):
    with pytest.raises(CommandError, match="not a rate"):
        call_command("create_api_key", "Bad", "--rate", rate, stdout=io.StringIO())
    assert not ClientKey.objects.exists()


def test_keys_are_listed_and_revoked_in_the_admin(admin_client):
    key = create_api_key("Newsroom")
    stored = ClientKey.objects.get()
    listing = admin_client.get("/admin/api/clientkey/")
    assert listing.status_code == 200
    assert b"Newsroom" in listing.content
    assert stored.prefix.encode() in listing.content
    page = admin_client.get(f"/admin/api/clientkey/{stored.pk}/change/")
    assert page.status_code == 200
    assert key.encode() not in page.content
    response = admin_client.post(
        f"/admin/api/clientkey/{stored.pk}/change/",
        {"name": "Newsroom", "rate": "", "revoked": "on"},
    )
    assert response.status_code == 302, response.content
    assert key_client(key).get(TOPICS).status_code == 401
