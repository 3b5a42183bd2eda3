"""The Atom feeds as feed readers use them: permanent entry ids, retractions and
corrections told in their entries, one canonical feed per search, conditional requests and
compression, checked with feedparser."""

import datetime
import gzip
import xml.etree.ElementTree as ET
from html import unescape

import feedparser
import pytest

from quotes import services
from quotes.models import Quote
from tests.factories import CitationFactory, QuoteFactory, SpeakerFactory
from tests.reader_data import TEXT, TRANSLATION, reading_room

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
KEY = "wang-yi-2023-10-14"
FEEDS = ["/feeds/quotes.atom?q=punishment", "/speakers/wang-yi/feed.atom", "/topics/gaza/feed.atom"]


@pytest.fixture
def room():
    return reading_room()


def parsed(client, url: str, **headers) -> feedparser.FeedParserDict:
    """The feed as feedparser reads it, asserting that it is well-formed Atom."""
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def entry_of(feed: feedparser.FeedParserDict, quote: Quote) -> feedparser.FeedParserDict:
    return next(e for e in feed.entries if e.link.endswith(f"/quotes/{quote.key}/"))


@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_is_valid_with_ids_and_dates(client, room, url):
    feed = parsed(client, url)
    assert feed.feed.id.startswith("tag:")
    assert feed.entries
    for entry in feed.entries:
        assert entry.id.startswith("tag:")
        assert ":statement:" in entry.id
        assert entry.updated_parsed
        assert entry.published_parsed
        assert entry.author == "Wang Yi"


@pytest.mark.parametrize("url", FEEDS)
def test_defect_8_a_retracted_statement_stays_in_its_feeds_and_says_so(client, room, reviewer, url):
    before = entry_of(parsed(client, url), room["quote"])
    reason = "misattributed: said by a spokesman"
    services.quote_retract(quote=room["quote"], reason=reason, user=reviewer)
    entry = entry_of(parsed(client, url), room["quote"])
    assert entry.id == before.id
    assert entry.title.startswith("Retracted: Wang Yi")
    assert reason in entry.summary
    assert entry.updated > before.updated
    assert entry.published_parsed == before.published_parsed


def test_defect_8_a_correction_updates_its_entry_with_the_note(client, room, reviewer):
    quote = room["quote"]
    before = entry_of(parsed(client, "/feeds/quotes.atom"), quote)
    services.quote_update(
        quote=quote,
        user=reviewer,
        changes={"context": quote.context, "said": "2023-10-15"},
        correction_note="The call was on 15 October.",
    )
    feed = parsed(client, "/feeds/quotes.atom")
    entry = entry_of(feed, quote)
    assert entry.title.startswith("Corrected: Wang Yi, 15 October 2023")
    assert "The call was on 15 October." in entry.summary
    assert entry.updated > before.updated
    assert feed.entries[0].id == entry.id  # the newest public change comes first


def test_defect_8_entry_ids_are_permanent_tag_uris_whatever_the_key_or_host(
    client, room, reviewer, settings
):
    quote = room["quote"]
    quote.refresh_from_db()
    tag = f"tag:{settings.ONRECORD_TAG_AUTHORITY}:statement:{quote.uid}"
    assert entry_of(parsed(client, "/feeds/quotes.atom"), quote).id == tag
    services.quote_update(quote=quote, user=reviewer, changes={"key": "wang-yi-gaza-call"})
    quote.refresh_from_db()
    settings.ALLOWED_HOSTS = ["mirror.example"]
    feed = parsed(client, "/feeds/quotes.atom", HTTP_HOST="mirror.example")
    entry = entry_of(feed, quote)
    assert entry.link == "http://mirror.example/quotes/wang-yi-gaza-call/"
    assert entry.id == tag


def test_defect_8_published_is_the_first_publication_not_the_drafts_creation(client, room):
    Quote.objects.filter(pk=room["quote"].pk).update(
        created=datetime.datetime(2001, 1, 1, tzinfo=datetime.UTC)
    )
    quote = Quote.objects.get(pk=room["quote"].pk)
    entry = entry_of(parsed(client, "/feeds/quotes.atom"), quote)
    published = datetime.datetime(*entry.published_parsed[:6], tzinfo=datetime.UTC)
    assert published == quote.published_at.replace(microsecond=0)
    assert published.year != 2001


def test_defect_8_one_feed_per_search_whatever_the_order_or_the_tracking(client, room):
    canonical = client.get("/feeds/quotes.atom?q=dialogue&speaker=wang-yi")
    variant = client.get(
        "/feeds/quotes.atom?utm_source=mail&speaker=wang-yi&page=2&q=dialogue&ordering=said&q="
        "&utm_campaign=x"
    )
    assert variant.status_code == 200
    assert variant.content == canonical.content
    feed = feedparser.parse(variant.content).feed
    self_link = next(link.href for link in feed.links if link.rel == "self")
    assert self_link == "http://testserver/feeds/quotes.atom?q=dialogue&speaker=wang-yi"
    assert feed.id.endswith(":feed:/feeds/quotes.atom?q=dialogue&speaker=wang-yi")
    assert "tag:" in feed.id
    assert "testserver" not in feed.id


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("/feeds/quotes.atom?colour=red&q=dialogue", b"colour"),
        ("/feeds/quotes.atom?q=dialogue&q=punishment", b"q"),
        ("/speakers/wang-yi/feed.atom?speaker=someone-else", b"speaker"),
        ("/feeds/quotes.atom?said_after=soon", b"said_after"),
    ],
)
def test_defect_8_unknown_or_repeated_feed_parameters_are_refused_by_name(client, room, url, named):
    response = client.get(url)
    assert response.status_code == 400
    assert named in response.content


def test_a_feed_of_a_status_only_editors_see_is_refused(client, room):
    assert client.get("/feeds/quotes.atom?status=draft").status_code == 403


def test_defect_8_conditional_requests_are_answered_with_304(client, room, reviewer):
    # HTTP dates count whole seconds: publish an hour ago, so that the retraction is later.
    an_hour_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    Quote.objects.update(published_at=an_hour_ago)
    first = client.get("/feeds/quotes.atom")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag
    assert modified
    again = client.get("/feeds/quotes.atom", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert not again.content
    since = client.get("/feeds/quotes.atom", HTTP_IF_MODIFIED_SINCE=modified)
    assert since.status_code == 304
    services.quote_retract(quote=room["quote"], reason="misattributed", user=reviewer)
    changed = client.get("/feeds/quotes.atom", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert client.get("/feeds/quotes.atom", HTTP_IF_MODIFIED_SINCE=modified).status_code == 200


def test_an_empty_feed_is_the_same_bytes_on_every_request(client, room):
    first = client.get("/feeds/quotes.atom?q=nothingmatchesthis")
    assert not ET.fromstring(first.content).findall(f"{ATOM}entry")
    second = client.get("/feeds/quotes.atom?q=nothingmatchesthis", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 304


def test_defect_8_feeds_are_compressed(client, room):
    plain = client.get("/feeds/quotes.atom")
    compressed = client.get("/feeds/quotes.atom", HTTP_ACCEPT_ENCODING="gzip")
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert "Accept-Encoding" in compressed["Vary"]
    etag = compressed["ETag"]
    assert client.get("/feeds/quotes.atom", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_an_entry_shows_the_original_words_first_and_a_labelled_translation(client, room):
    summary = unescape(entry_of(parsed(client, "/feeds/quotes.atom"), room["quote"]).summary)
    assert summary.index(TEXT) < summary.index(TRANSLATION)
    assert "Original words, in Chinese" in summary
    assert "English: OnRecord's translation" in summary


def test_a_renamed_speakers_feed_redirects_and_an_unpublished_speakers_is_not_found(
    client, room, reviewer
):
    speaker = room["quote"].speaker
    speaker.key = "wang-yi-prc"
    services.speaker_write(speaker=speaker, user=reviewer)
    response = client.get("/speakers/wang-yi/feed.atom?q=dialogue")
    assert response.status_code == 301
    assert response["Location"] == "/speakers/wang-yi-prc/feed.atom?q=dialogue"
    QuoteFactory(speaker=SpeakerFactory(key="draft-only"), status=Quote.Status.DRAFT)
    assert client.get("/speakers/draft-only/feed.atom").status_code == 404


def test_a_feed_holds_the_last_public_changes_not_an_editors_unpublished_work(
    client, reviewer, monkeypatch
):
    from reader import feeds

    monkeypatch.setattr(feeds, "FEED_LENGTH", 2)
    first, second, third = (CitationFactory().quote for _ in range(3))  # published in turn
    # An editor's work that readers do not see (a pending revision, a note) touches the
    # record last: it does not bring the statement up, nor push out newer public changes.
    Quote.objects.filter(pk=first.pk).update(updated=datetime.datetime.now(datetime.UTC))
    feed = parsed(client, "/feeds/quotes.atom")
    assert [entry.link.rsplit("/", 2)[-2] for entry in feed.entries] == [third.key, second.key]
    services.quote_update(
        quote=first, user=reviewer, changes={"said": "2023-10-15"}, correction_note="15 October."
    )
    feed = parsed(client, "/feeds/quotes.atom")
    assert [entry.link.rsplit("/", 2)[-2] for entry in feed.entries] == [first.key, third.key]
    assert feed.entries[0].title.startswith("Corrected: ")
