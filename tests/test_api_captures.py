"""``/api/v1/sources/{key}/captures/{id}/``: a capture's metadata for everyone, its text
and WARC file for editors, the cited passages in their paragraphs for readers."""

from __future__ import annotations

import io

import pytest
from warcio.archiveiterator import ArchiveIterator

from quotes.models import Quote
from tests.captures_support import EXCERPT, FILLER, capture, cited
from tests.factories import CitationFactory, QuoteFactory


def captured_with_a_draft(base: str, excerpt: str):
    """A source cited by a public statement and by a draft (``excerpt``), captured."""
    source, citation = cited(base)
    draft = QuoteFactory(text=excerpt, status=Quote.Status.DRAFT)
    CitationFactory(source=source, quote=draft, excerpt=excerpt)
    return citation, draft, capture(source)


def address(capture) -> str:
    return f"/api/v1/sources/{capture.source.key}/captures/{capture.pk}/"


@pytest.mark.django_db
def test_a_source_lists_its_captures_with_their_ids(site, api_client):
    _routes, base = site
    source, _citation = cited(base)
    taken = capture(source)
    [listed] = api_client.get(f"/api/v1/sources/{source.key}/").json()["captures"]
    assert listed["id"] == taken.pk
    assert listed["sha256"] == taken.sha256
    assert (listed["status"], listed["replaced"]) == (200, False)


@pytest.mark.django_db
def test_readers_get_the_cited_passages_in_their_paragraph_not_the_text(site, api_client):
    _routes, base = site
    citation, _draft, taken = captured_with_a_draft(base, "on Tuesday")
    answer = api_client.get(address(taken))
    assert answer.status_code == 200
    body = answer.json()
    assert (body["content"], body["text"], body["warc"]) == ("passages", None, None)
    [passage] = body["passages"]  # not the draft's
    assert passage["quote"] == citation.quote.key
    assert passage["excerpt"] == EXCERPT
    assert passage["before"].startswith(FILLER.strip())
    assert passage["anchor"] == f"passage-{citation.quote.key}"
    assert body["missing"] == []
    assert api_client.get(address(taken) + "warc/").status_code == 403


@pytest.mark.django_db
def test_a_setting_shows_readers_the_whole_text(site, api_client, settings):
    _routes, base = site
    source, _citation = cited(base)
    taken = capture(source)
    settings.CAPTURES_SHOW_WHOLE_TEXT = True
    body = api_client.get(address(taken)).json()
    assert body["content"] == "text"
    assert body["text"] == taken.text
    assert body["warc"] is None


@pytest.mark.django_db
def test_editors_get_the_text_and_the_warc_file(site, editor_api):
    _routes, base = site
    citation, draft, taken = captured_with_a_draft(base, "Words never said.")
    source = citation.source
    body = editor_api.get(address(taken)).json()
    assert (body["content"], body["text"]) == ("text", taken.text)
    assert body["missing"] == [draft.key]
    assert body["warc"] == f"http://testserver{address(taken)}warc/"
    download = editor_api.get(body["warc"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert ".warc.gz" in download["Content-Disposition"]
    content = b"".join(download.streaming_content)
    records = [
        (record.rec_headers.get_header("WARC-Target-URI"), record.content_stream().read())
        for record in ArchiveIterator(io.BytesIO(content))
    ]
    [(uri, page)] = records
    assert uri == source.url
    assert EXCERPT.encode() in page


@pytest.mark.django_db
def test_an_unknown_capture_or_one_of_another_source_is_a_404_naming_it(site, api_client):
    _routes, base = site
    source, _citation = cited(base)
    other, _ = cited(base, path="/other")
    taken = capture(source)
    answer = api_client.get(f"/api/v1/sources/{other.key}/captures/{taken.pk}/")
    assert answer.status_code == 404
    assert f"no capture {taken.pk}" in answer.json()["detail"]
    for unknown in ("99999999", "9" * 30):
        answer = api_client.get(f"/api/v1/sources/{source.key}/captures/{unknown}/")
        assert answer.status_code == 404
    assert api_client.get(f"/api/v1/sources/{source.key}/captures/x/").status_code == 404
