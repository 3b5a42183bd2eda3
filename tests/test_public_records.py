"""Issue 17's defects 5 and 7, replayed through the reader's pages and the API: records are
public only once a public statement refers to them, and a hit in a translation never shows
the translation alone."""

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
