"""The reader's ways in: browse pages of public records, the sitemap and robots.txt, and
readers' error reports into the editors' queue."""

import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest

from quotes.models import ErrorReport, Quote
from tests.factories import (
    AffiliationFactory,
    CitationFactory,
    OrganizationFactory,
    SpeakerFactory,
    TopicFactory,
)
from tests.reader_data import reading_room

pytestmark = pytest.mark.django_db
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def room():
    """The reading room, and beside it records that only a draft refers to."""
    records = reading_room()
    draft_speaker = SpeakerFactory(key="draft-speaker", name="Dora Draft", country="FR")
    secret = OrganizationFactory(key="secret-ministry", name="Secret Ministry")
    AffiliationFactory(speaker=draft_speaker, organization=secret)
    draft = CitationFactory(
        quote__speaker=draft_speaker, quote__status=Quote.Status.DRAFT, quote__key="draft-quote"
    ).quote
    draft.topics.add(TopicFactory(key="secret-topic", name="Secret topic"))
    records["draft"] = draft
    return records


def page(client, url: str, expect: int = 200, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == expect, response.content[:2000]
    return response.content.decode()


def links_to(html: str, prefix: str) -> set[str]:
    return {unescape(h) for h in re.findall(rf'href="({prefix}[^"]*)"', html)}


# Browse pages ----------------------------------------------------------------------------


def test_the_speakers_page_lists_public_speakers_with_counts_and_current_roles(client, room):
    html = page(client, "/speakers/")
    assert '<a href="/speakers/wang-yi/">Wang Yi</a>' in html
    assert "4 statements" in html
    assert "Minister of Foreign Affairs, Ministry of Foreign Affairs of China" in html
    assert "Dora Draft" not in html
    assert "Secret Ministry" not in html
    assert 'href="/speakers/">Speakers</a>' in html  # in the navigation


def test_the_speakers_page_filters_by_letter_country_and_organization(client, room):
    other = CitationFactory(quote__speaker=SpeakerFactory(name="Annalena Baerbock", country="DE"))
    assert "Annalena Baerbock" in page(client, "/speakers/", letter="A")
    assert "Wang Yi" not in page(client, "/speakers/", letter="A")
    assert "?letter=W" in page(client, "/speakers/")
    by_country = page(client, "/speakers/", country="cn")
    assert "Wang Yi" in by_country
    assert "Annalena Baerbock" not in by_country
    by_organization = page(client, "/speakers/", organization="mfa-china")
    assert "Wang Yi" in by_organization
    assert other.quote.speaker.name not in by_organization


def test_a_bad_browse_parameter_is_a_400_page_naming_it(client, room):
    html = page(client, "/speakers/", expect=400, letter="AB", country="China", colour="red")
    for name in ("letter", "country", "colour"):
        assert f"<strong>{name}</strong>" in html
    assert "<strong>page</strong>" in page(client, "/topics/", expect=400, page="9")
    assert "<strong>page</strong>" in page(client, "/sources/", expect=400, page="x")


def test_topics_organizations_and_sources_list_only_public_records(client, room):
    topics = page(client, "/topics/")
    assert links_to(topics, "/topics/") == {"/topics/", "/topics/gaza/", "/topics/war/"}
    assert "Secret topic" not in topics
    organizations = page(client, "/organizations/")
    assert "/organizations/mfa-china/" in links_to(organizations, "/organizations/")
    assert "Secret Ministry" not in organizations
    sources = page(client, "/sources/")
    assert "China and Russia on the war in Gaza" in sources
    assert room["draft"].citations.get().source.title not in sources


def test_browse_pages_are_paginated(client, room):
    for number in range(55):
        CitationFactory(quote__speaker=SpeakerFactory(name=f"Zed {number:02}"))
    first = page(client, "/speakers/")
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first
    assert "Zed 54" in page(client, "/speakers/", page="2")


# Sitemap and robots.txt -------------------------------------------------------------------


def sitemap_urls(client) -> dict[str, str]:
    """Every URL of every sitemap the index lists, with its last modification."""
    index = ET.fromstring(client.get("/sitemap.xml").content)
    found = {}
    for location in index.iter(f"{SITEMAP}loc"):
        response = client.get(location.text.removeprefix("http://testserver"))
        assert response.status_code == 200
        for url in ET.fromstring(response.content).iter(f"{SITEMAP}url"):
            found[url.find(f"{SITEMAP}loc").text] = url.find(f"{SITEMAP}lastmod").text
    return found


def test_the_sitemap_lists_every_public_record_and_no_draft(client, room):
    urls = sitemap_urls(client)
    public = {
        "/quotes/wang-yi-2023-10-14/",
        "/quotes/wang-yi-older-1/",
        "/speakers/wang-yi/",
        "/topics/gaza/",
        "/topics/war/",
        "/organizations/mfa-china/",
        "/sources/reuters-gaza/",
    }
    paths = {url.removeprefix("http://testserver") for url in urls}
    assert public <= paths
    assert len([p for p in paths if p.startswith("/quotes/")]) == Quote.objects.public().count()
    for secret in ("draft-quote", "draft-speaker", "secret-topic", "secret-ministry"):
        assert not [p for p in paths if secret in p]


def test_a_statements_lastmod_is_its_last_public_change(client, room):
    quote = Quote.objects.get(key="wang-yi-2023-10-14")
    lastmod = sitemap_urls(client)["http://testserver/quotes/wang-yi-2023-10-14/"]
    assert lastmod == quote.published_at.date().isoformat()


def test_robots_txt_points_to_the_sitemap_and_keeps_robots_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text
    assert "Disallow: /api/v1/" in text


# Error reports -----------------------------------------------------------------------------


def test_a_reader_reports_an_error_into_the_editors_queue(client, room, editor_client):
    html = page(client, "/quotes/wang-yi-2023-10-14/")
    assert 'action="/quotes/wang-yi-2023-10-14/report/"' in html
    response = client.post(
        "/quotes/wang-yi-2023-10-14/report/",
        {"text": "The date is wrong: the call was on 15 October.", "reply_to": "r@example.org"},
    )
    assert response.status_code == 302
    assert "Thank you" in page(client, response["Location"])
    report = ErrorReport.objects.get()
    assert (report.quote, report.reply_to, report.status) == (
        room["quote"],
        "r@example.org",
        "open",
    )
    queue = page(editor_client, "/admin/quotes/errorreport/", status="open")
    assert "The date is wrong" in queue
    assert "wang-yi-2023-10-14" in queue


def test_an_editor_closes_a_report_with_an_action(room, editor_client):
    report = ErrorReport.objects.create(quote=room["quote"], text="Wrong role.")
    editor_client.post(
        "/admin/quotes/errorreport/",
        {"action": "close_reports", "_selected_action": [report.pk]},
    )
    report.refresh_from_db()
    assert report.status == ErrorReport.Status.CLOSED


def test_a_report_without_text_is_refused_and_a_bots_report_is_not_filed(client, room):
    url = "/quotes/wang-yi-2023-10-14/report/"
    assert client.post(url, {"text": "", "reply_to": "not an address"}).status_code == 400
    assert client.post(url, {"text": "Buy now", "website": "spam.example"}).status_code == 302
    assert not ErrorReport.objects.exists()


def test_reports_are_rate_limited_per_client(client, room, settings):
    settings.ONRECORD_RATE_ERROR_REPORTS = "2/hour"
    url = "/quotes/wang-yi-2023-10-14/report/"
    codes = [client.post(url, {"text": f"Error {n}"}).status_code for n in range(3)]
    assert codes == [302, 302, 429]
    assert ErrorReport.objects.count() == 2


def test_a_draft_cannot_be_reported(client, room):
    response = client.post("/quotes/draft-quote/report/", {"text": "Wrong."})
    assert response.status_code == 404
    assert not ErrorReport.objects.exists()


def test_the_about_page_says_how_to_write_to_the_editors(client, settings):
    settings.ONRECORD_CONTACT_EMAIL = "desk@example.org"
    html = page(client, "/about/")
    assert 'href="mailto:desk@example.org"' in html
    assert "Report an error" in html


# Search: suggestions and the histogram -----------------------------------------------------


def test_a_search_that_finds_nothing_suggests_speakers_named_like_it(client, room):
    CitationFactory(quote__speaker=SpeakerFactory(key="putin", name="Vladimir Putin"))
    for typed, key, name in (
        ("Poutine", "putin", "Vladimir Putin"),
        ("Ван И", "wang-yi", "Wang Yi"),
    ):
        html = page(client, "/", q=typed)
        assert f'Did you mean <a href="/speakers/{key}/">{name}</a>' in html
    assert "Did you mean" not in page(client, "/", q="Dora Draft")  # not a public speaker
    assert "Did you mean" not in page(client, "/", q="dialogue")  # found statements


def test_the_search_page_shows_the_matches_per_year_as_links(client, room):
    html = page(client, "/", q="dialogue OR punishment")
    section = html[html.index('id="histogram-title"') : html.index("</section>")]
    years = re.findall(r'<li><a href="([^"]+)">(\d{4})<', section)
    assert [year for _, year in years] == ["2015", "2019", "2023"]
    url = years[0][0]
    assert unescape(url) == "?q=dialogue+OR+punishment&said_after=2015&said_before=2015"
    assert "2 statements" in section  # 2015 has two
    narrowed = page(client, "/" + unescape(url))
    assert "2 statements match" in narrowed
