"""The editors' admin site and the API's pages: what the index lists, the review and revision
queues, the speaker search, the favicon, and documentation pages that load nothing from outside."""

import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from django.utils import timezone

from quotes.models import Quote, QuoteRevision
from tests.factories import (
    QuoteFactory,
    SpeakerFactory,
    SpeakerNameFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FAVICON = "/static/quotes/favicon.svg"


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def index_entries(client) -> list[str]:
    response = client.get("/admin/")
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    return [link.get_text(strip=True) for link in page.select("#content-main th a")]


def test_the_index_lists_what_editors_work_on(superuser_client):
    QuoteFactory(status=Quote.Status.REVIEW)
    entries = index_entries(superuser_client)
    expected = ["Quotes", "Review queue (1)", "Revision queue (0)", "Speakers", "Organizations"]
    for entry in [*expected, "Sources", "Topics"]:
        assert entry in entries
    for internal in [
        "Speaker names",
        "Affiliations",
        "Translations",
        "Citations",
        "Events",
        "Tokens",
    ]:
        assert internal not in entries


def test_internal_tables_stay_reachable_by_url(superuser_client):
    for url in [
        "/admin/quotes/citation/",
        "/admin/quotes/translation/",
        "/admin/quotes/speakername/",
        "/admin/quotes/affiliation/",
        "/admin/authtoken/tokenproxy/",
    ]:
        assert superuser_client.get(url).status_code == 200, url


def test_an_editor_sees_the_review_queue(editor_client):
    waiting = QuoteFactory(status=Quote.Status.REVIEW, text="Waiting for a reviewer.")
    QuoteFactory(status=Quote.Status.DRAFT, text="Still a draft.")
    assert "Review queue (1)" in index_entries(editor_client)
    page = BeautifulSoup(editor_client.get("/admin/").content, "html.parser")
    queue = page.find("a", string=re.compile("Review queue"))["href"]
    listed = editor_client.get(queue).content.decode()
    assert waiting.text in listed
    assert "Still a draft." not in listed


def test_a_reviewer_sees_the_revision_queue(reviewer_client):
    pending = QuoteRevision.objects.create(
        quote=QuoteFactory(key="waiting-revision"), changes={"context": {"from": "", "to": "A."}}
    )
    QuoteRevision.objects.create(
        quote=QuoteFactory(key="decided-revision"),
        changes={"context": {"from": "", "to": "B."}},
        status=QuoteRevision.Status.REJECTED,
        decided_at=timezone.now(),
    )
    assert "Revision queue (1)" in index_entries(reviewer_client)
    page = BeautifulSoup(reviewer_client.get("/admin/").content, "html.parser")
    queue = page.find("a", string=re.compile("Revision queue"))["href"]
    listed = BeautifulSoup(reviewer_client.get(queue).content, "html.parser")
    rows = [cell.get_text(strip=True) for cell in listed.select("#result_list tbody th")]
    assert rows == [str(pending)]


@pytest.fixture
def putin():
    speaker = SpeakerFactory(key="putin", name="Vladimir Putin", country="RU")
    SpeakerNameFactory(speaker=speaker, name="Владимир Путин", language="ru")
    SpeakerFactory(key="wang-yi", name="Wang Yi", country="CN")
    return speaker


@pytest.mark.parametrize("typed", ["Poutine", "Vladimr", "putin", "Путин"])
def test_the_admin_finds_speakers_as_the_api_does(editor_client, putin, typed):
    listed = BeautifulSoup(
        editor_client.get("/admin/quotes/speaker/", {"q": typed}).content, "html.parser"
    )
    assert [cell.get_text(strip=True) for cell in listed.select("#result_list tbody th a")] == [
        "Vladimir Putin"
    ]
    answer = editor_client.get(
        "/admin/autocomplete/",
        {"app_label": "quotes", "model_name": "quote", "field_name": "speaker", "term": typed},
    )
    assert answer.status_code == 200
    assert [item["text"] for item in answer.json()["results"]] == ["Vladimir Putin"]
    api = editor_client.get("/api/v1/speakers/", {"q": typed}).json()["results"]
    assert [item["key"] for item in api] == ["putin"]


def test_the_admin_still_finds_a_speaker_by_key(editor_client, putin):
    listed = editor_client.get("/admin/quotes/speaker/", {"q": "wang-yi"}).content.decode()
    assert "Wang Yi" in listed
    assert "Vladimir Putin" not in listed


@pytest.mark.parametrize("url", ["/admin/", "/api/v1/", "/api/v1/quotes/", "/api/docs/"])
def test_admin_and_api_pages_have_the_favicon(superuser_client, url):
    response = superuser_client.get(url, HTTP_ACCEPT="text/html")
    page = BeautifulSoup(response.content, "html.parser")
    assert [link["href"] for link in page.select("link[rel=icon]")] == [FAVICON]
    assert finders.find(FAVICON.removeprefix("/static/"))


def test_redoc_is_gone(client):
    # It loaded its logo from cdn.redoc.ly; the Swagger UI at /api/docs/ documents it all.
    assert client.get("/api/redoc/").status_code == 404


@pytest.mark.parametrize("url", ["/api/docs/", "/api/v1/"])
def test_api_documentation_loads_nothing_from_outside(client, url):
    page = BeautifulSoup(client.get(url, HTTP_ACCEPT="text/html").content, "html.parser")
    loaded = page.select("link[href], script[src], img[src], iframe[src], source[src]")
    addresses = [tag.get("href") or tag.get("src") for tag in loaded]
    assert addresses
    assert [address for address in addresses if re.match(r"^(https?:)?//", address)] == []


def test_swagger_does_not_prefill_the_date_filters(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/quotes/"]["get"]["parameters"]
    dates = [p for p in parameters if p["name"] in ("said_after", "said_before")]
    assert len(dates) == 2
    for parameter in dates:
        assert "example" not in parameter["schema"]
        assert "example" not in parameter
        assert "default" not in parameter["schema"]


@pytest.mark.parametrize("url", ["/api/v1/quotes/", "/api/v1/speakers/", "/api/v1/sources/"])
def test_the_browsable_apis_filter_form_has_labels(client, url):
    page = client.get(url, HTTP_ACCEPT="text/html").content.decode()
    assert "[invalid name]" not in page
    form = BeautifulSoup(page, "html.parser").select_one(".modal-body form, #filtersModal form")
    labels = [label.get_text(strip=True).rstrip(":") for label in form.select("label")]
    assert "Search" in labels
    if url == "/api/v1/quotes/":
        assert {"Said after", "Said before", "Ordering"} <= set(labels)
