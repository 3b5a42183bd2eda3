"""Issue 17's defects 5 and 7, replayed through the reader's pages, lists, feeds, sitemaps,
facets, Popolo and the API: records are public only once a public statement refers to
them, and a hit in a translation never shows the translation alone."""

import json
import re
from html import unescape

import pytest
from django.test import Client

from quotes.models import Quote
from tests.factories import AffiliationFactory, QuoteFactory
from tests.reader_data import TEXT, reading_room

pytestmark = pytest.mark.django_db

NEW_RECORDS = [
    ("speakers", {"key": "maria-olsen", "name": "Maria Olsen"}),
    ("organizations", {"key": "nips", "name": "Nordic Institute for Peace Studies"}),
    ("sources", {"key": "nips-report", "title": "A report", "kind": "news_article"}),
    ("topics", {"key": "peace", "name": "Peace"}),
]


@pytest.mark.parametrize(("collection", "fields"), NEW_RECORDS)
def test_defect_5_a_record_an_editor_saves_is_not_public(
    api_client, editor_api, editor_client, collection, fields
):
    client = Client()  # a reader
    created = editor_api.post(f"/api/v1/{collection}/", fields, format="json")
    assert created.status_code == 201, created.content
    key = fields["key"]
    page = f"/{collection}/{key}/"
    assert client.get(page).status_code == 404
    assert api_client.get(f"/api/v1/{collection}/{key}/").status_code == 404
    assert key not in api_client.get(f"/api/v1/{collection}/").content.decode()
    assert editor_api.get(f"/api/v1/{collection}/{key}/").status_code == 200
    assert editor_client.get(page).status_code == 200


def test_defect_5_a_speaker_becomes_public_with_a_published_statement(client, api_client):
    draft = QuoteFactory(speaker__key="drafted", status=Quote.Status.DRAFT)
    assert client.get("/speakers/drafted/").status_code == 404
    assert api_client.get("/api/v1/speakers/", {"q": draft.speaker.name}).json()["results"] == []
    QuoteFactory(speaker=draft.speaker)  # published
    assert client.get("/speakers/drafted/").status_code == 200
    assert api_client.get("/api/v1/speakers/drafted/").status_code == 200


def test_defect_5_an_organization_page_lists_only_public_speakers(client):
    room = reading_room()
    AffiliationFactory(
        speaker__key="misspelt",
        speaker__name="Wang Yii",
        organization=room["quote"].role.organization,
    )
    html = client.get("/organizations/mfa-china/").content.decode()
    assert "/speakers/wang-yi/" in html
    assert "Wang Yii" not in html


def test_defect_7_a_hit_in_a_translation_shows_the_original_words_first(client):
    reading_room()
    html = unescape(client.get("/", {"q": "collective punishment"}).content.decode())
    results = re.findall(r'<li class="result"[^>]*>(.*?)</li>', html, re.S)
    assert len(results) == 1
    result = results[0]
    original = result.index(
        f'<blockquote lang="zh" dir="auto">\n    <p><a href="/quotes/wang-yi-2023-10-14/">'
        f"{TEXT}</a>"
    )
    translation = result.index("<mark>collective</mark> <mark>punishment</mark>")
    assert original < translation
    assert "As said, in Chinese" in result
    assert re.search(r'<p lang="en" dir="auto">[^<]*<mark>collective</mark>', result)
    assert "English · OnRecord's translation" in result


# Each new record beside a public one of its kind in the reading room, which the lists show.
BROWSE_AND_FEEDS = [
    (*NEW_RECORDS[0], "wang-yi", "/speakers/maria-olsen/feed.atom"),
    (*NEW_RECORDS[1], "mfa-china", None),
    (*NEW_RECORDS[2], "reuters-gaza", None),
    (*NEW_RECORDS[3], "gaza", "/topics/peace/feed.atom"),
]


@pytest.mark.parametrize(("collection", "fields", "public", "feed"), BROWSE_AND_FEEDS)
def test_defect_5_a_record_an_editor_saves_is_in_no_list_feed_or_sitemap(
    editor_api, collection, fields, public, feed
):
    reading_room()
    client = Client()  # a reader
    assert editor_api.post(f"/api/v1/{collection}/", fields, format="json").status_code == 201
    key = fields["key"]
    browse = client.get(f"/{collection}/")
    assert browse.status_code == 200
    assert f"/{collection}/{public}/" in browse.content.decode()
    assert f"/{collection}/{key}/" not in browse.content.decode()
    if feed:
        assert client.get(feed).status_code == 404
    sitemap = client.get("/sitemap.xml").content.decode()
    listed = "".join(
        client.get(location.removeprefix("http://testserver")).content.decode()
        for location in re.findall(r"<loc>([^<]+)</loc>", sitemap)
    )
    assert f"/{collection}/{public}/" in listed
    assert f"/{collection}/{key}/" not in listed
    facets = client.get("/api/v1/quotes/facets/").json()["facets"]
    assert key not in json.dumps(facets)
    popolo = b"".join(client.get("/api/v1/popolo.json").streaming_content).decode()
    assert f'"{key}"' not in popolo
    if collection in ("speakers", "organizations"):  # Popolo's persons and organizations
        assert f'"{public}"' in popolo
