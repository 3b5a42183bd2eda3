"""The reading site, through its pages: search, statements, speakers and other records,
feeds, and what every page must hold (favicon, no inline code, few queries)."""

import datetime
import json
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from quotes import services
from quotes.models import KeyRedirect, Quote
from search import indexer
from tests.api_helpers import record_queries
from tests.factories import CitationFactory, QuoteFactory, SpeakerFactory
from tests.reader_data import EXCERPT, TEXT, TRANSLATION, reading_room

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def room():
    return reading_room()


def page(client, url: str, expect: int = 200, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == expect, response.content[:2000]
    return response.content.decode()


def result_keys(html: str) -> list[str]:
    return re.findall(r'<li class="result"[^>]*>.*?href="/quotes/([^/"]+)/"', html, re.S)


def hrefs(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]*)"', html)]


def json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def feed_entries(client, url: str, **params) -> list[ET.Element]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


# Search ---------------------------------------------------------------------------------


def test_the_home_page_searches_published_statements_with_highlights(client, room):
    QuoteFactory(text="A draft on collective punishment.", status=Quote.Status.DRAFT)
    QuoteFactory(text="Under review: collective punishment.", status=Quote.Status.REVIEW)
    html = page(client, "/", q="collective punishment")
    assert result_keys(html) == ["wang-yi-2023-10-14"]
    assert "1 statement matches" in html
    assert "<mark>collective</mark> <mark>punishment</mark>" in html
    assert 'Wang Yi</a>, <span class="role">Minister of Foreign Affairs' in html
    assert '<time datetime="2023-10-14">14 October 2023</time>' in html
    assert "1 source" in html


def test_the_search_page_lists_what_the_api_lists_for_the_same_parameters(client, room):
    params = {"q": "dialogue OR punishment", "said_after": "2015-03", "ordering": "said"}
    api = client.get("/api/v1/quotes/", params).json()
    html = page(client, "/", **params)
    assert result_keys(html) == [item["key"] for item in api["results"]]
    assert f"{api['count']} statements match" in html


def test_facets_are_links_that_narrow_the_search_and_widen_it_again(client, room):
    CitationFactory(quote__text="Dialogue matters.", quote__speaker=SpeakerFactory(name="Ana"))
    html = page(client, "/", q="dialogue")
    assert "4 statements match" in html
    by_speaker = next(h for h in hrefs(html) if "speaker=wang-yi" in h)
    narrowed = page(client, "/" + by_speaker)
    assert "3 statements match" in narrowed
    assert (
        'aria-current="true"><span class="visually-hidden">Remove filter: </span>Wang Yi'
        in narrowed
    )
    year = next(h for h in hrefs(narrowed) if "said_after=2015" in h)
    assert "said_before=2015" in year
    in_2015 = page(client, "/" + year)
    assert sorted(result_keys(in_2015)) == ["wang-yi-older-1", "wang-yi-older-2"]
    widened = next(h for h in hrefs(in_2015) if "speaker=" not in h and "said_after=2015" in h)
    assert "3 statements match" not in page(client, "/" + widened)


def test_date_range_sorting_and_pages(client, room):
    for number in range(25):
        QuoteFactory(text=f"Dialogue, part {number}.", said=f"2001-01-{number + 1:02d}")
    html = page(client, "/", q="dialogue", said_before="2010", ordering="said")
    assert "25 statements match" in html
    assert result_keys(html)[:2] == ["quote-0", "quote-1"] or len(result_keys(html)) == 20
    assert len(result_keys(html)) == 20
    assert "Page 1 of 2" in html
    second = next(h for h in hrefs(html) if "page=2" in h)
    assert len(result_keys(page(client, "/" + second))) == 5
    newest = page(client, "/", q="dialogue", ordering="-said")
    assert result_keys(newest)[0] == "wang-yi-older-3"


def test_bad_parameters_are_named_in_a_400_page(client, room):
    html = page(client, "/", 400, said_after="14/10/2023", page="first")
    assert "<strong>said_after</strong>" in html
    assert "YYYY-MM-DD" in html
    assert "<strong>page</strong>" in html
    assert "<strong>ordering</strong>" in page(client, "/", 400, ordering="loudest")


def test_the_search_page_links_its_feed_and_downloads_of_all_matches(client, room):
    html = page(client, "/", q="dialogue", speaker="wang-yi")
    links = hrefs(html)
    assert "/feeds/quotes.atom?q=dialogue&speaker=wang-yi" in links
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert "/api/v1/quotes/?format=csv&q=dialogue&speaker=wang-yi" in links
    assert "/api/v1/quotes/?format=ndjson&q=dialogue&speaker=wang-yi" in links
    assert "(all matches)" in html


def test_the_search_page_says_when_a_download_would_stop_at_its_cap(client, room, settings):
    settings.ONRECORD_DOWNLOAD_MAX_ROWS = 2
    html = page(client, "/", q="dialogue", speaker="wang-yi")
    assert "3 statements match" in html
    assert "a download holds the first 2 of them" in html
    response = client.get("/api/v1/quotes/", {"format": "csv", "q": "dialogue"})
    assert response["X-OnRecord-Truncated"] == "true"


def test_retracted_statements_leave_the_results_unless_asked_for(client, room, reviewer):
    services.quote_retract(
        quote=room["quote"], reason="misattributed: said by a spokesman", user=reviewer
    )
    assert result_keys(page(client, "/", q="punishment")) == []
    assert result_keys(page(client, "/", q="punishment", status="retracted")) == [
        "wang-yi-2023-10-14"
    ]
    assert "<strong>status</strong>" in page(client, "/", 400, status="draft")


# A statement ------------------------------------------------------------------------------


def test_a_statement_page_shows_everything_on_record(client, room):
    html = page(client, "/quotes/wang-yi-2023-10-14/")
    assert f'<blockquote lang="zh" dir="auto"><p>{TEXT}</p></blockquote>' in html
    assert "As said, in Chinese" in html
    assert (
        f'<blockquote lang="en" dir="auto"><p>{TRANSLATION}</p></blockquote>'.replace("'", "&#x27;")
        in html
    )
    assert "English · OnRecord&#x27;s translation, not official" in html
    assert "Minister of Foreign Affairs" in html
    assert "/organizations/mfa-china/" in html
    assert "14 October 2023</time> (known to the day)" in html
    assert "Phone call with Saudi Foreign Minister" in html
    assert f'<blockquote class="excerpt" lang="en" dir="auto"><p>{EXCERPT}</p>' in unescape(html)
    assert "China and Russia on the war in Gaza</a>, Example Wire, " in html
    assert 'href="https://archive.example.org/gaza"' in html
    assert "Verified: a reviewer checked this excerpt" in html
    assert "No correction since this statement was published." in html
    assert "/topics/gaza/" in html
    assert "/speakers/wang-yi/" in html


def test_a_statement_page_offers_citations_and_a_copyable_link(client, room):
    html = unescape(page(client, "/quotes/wang-yi-2023-10-14/"))
    url = "http://testserver/quotes/wang-yi-2023-10-14/"
    translation = f"[OnRecord's translation: “{TRANSLATION}”]"
    assert f"Wang Yi. (2023, October 14). “{TEXT}” {translation} [Statement]." in html
    assert f"Phone call with Saudi Foreign Minister Faisal bin Farhan. OnRecord. {url}" in html
    assert f"Wang Yi, “{TEXT.rstrip('。')}" in html
    assert f"October 14, 2023, OnRecord, {url}." in html
    assert f'id="permalink" class="permalink" type="url" value="{url}" readonly' in html
    uid = room["quote"].uid
    tag = f"tag:{settings.ONRECORD_TAG_AUTHORITY}:statement:{uid}"
    assert f'id="identifier" class="permalink" value="{tag}" readonly' in html


def test_a_statement_page_embeds_json_ld_and_open_graph(client, room):
    html = page(client, "/quotes/wang-yi-2023-10-14/")
    data = json_ld(html)
    assert data["@type"] == "Quotation"
    assert (data["text"], data["inLanguage"], data["dateCreated"]) == (TEXT, "zh", "2023-10-14")
    assert data["spokenByCharacter"] == {"@id": "http://testserver/speakers/wang-yi/"}
    assert data["creator"] == {
        "@type": "Person",
        "@id": "http://testserver/speakers/wang-yi/",
        "name": "Wang Yi",
        "url": "http://testserver/speakers/wang-yi/",
        "sameAs": "https://www.wikidata.org/wiki/Q16250",
    }
    assert data["isBasedOn"][0]["name"] == "China and Russia on the war in Gaza"
    assert data["citation"][0]["text"] == EXCERPT
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:url" content="http://testserver/quotes/wang-yi-2023-10-14/">' in html
    assert '<link rel="canonical"' in html


def test_json_ld_cannot_end_its_block(client, room):
    quote = room["quote"]
    quote.context = "</script><script>alert(1)</script>"
    quote.save()
    html = page(client, "/quotes/wang-yi-2023-10-14/")
    assert "<script>alert(1)" not in html
    assert json_ld(html)["description"] == quote.context


def test_a_retracted_statement_keeps_its_page_with_a_banner(client, room, reviewer):
    services.quote_retract(
        quote=room["quote"], reason="misattributed: said by a spokesman", user=reviewer
    )
    html = page(client, "/quotes/wang-yi-2023-10-14/")
    assert "Retracted" in html
    assert "misattributed: said by a spokesman" in html


def test_drafts_are_never_shown_to_readers(client, room):
    draft = CitationFactory(quote__status=Quote.Status.DRAFT).quote
    review = CitationFactory(quote__status=Quote.Status.REVIEW).quote
    for quote in (draft, review):
        page(client, f"/quotes/{quote.key}/", 404)


def test_a_signed_in_editor_sees_an_edit_link_and_previews_drafts(editor_client, room):
    html = page(editor_client, "/quotes/wang-yi-2023-10-14/")
    assert f'href="/admin/quotes/quote/{room["quote"].pk}/change/"' in html
    draft = CitationFactory(quote__status=Quote.Status.DRAFT).quote
    assert "Not public." in page(editor_client, f"/quotes/{draft.key}/")
    assert draft.key not in page(editor_client, "/", q="statement")
    assert "/admin/quotes/speaker/" in page(editor_client, "/speakers/wang-yi/")


def test_old_keys_redirect_to_the_statement_and_speaker(client, room):
    KeyRedirect.objects.create(kind="quote", old_key="merged-away", quote=room["quote"])
    KeyRedirect.objects.create(kind="speaker", old_key="wang-yi-2", speaker=room["speaker"])
    response = client.get("/quotes/merged-away/")
    assert (response.status_code, response["Location"]) == (301, "/quotes/wang-yi-2023-10-14/")
    response = client.get("/speakers/wang-yi-2/")
    assert (response.status_code, response["Location"]) == (301, "/speakers/wang-yi/")
    page(client, "/quotes/no-such-key/", 404)


def test_an_unknown_address_gets_the_sites_own_page_with_a_search(client, room):
    html = page(client, "/quotes/no-such-key/", 404)
    assert "There is nothing at this address" in html
    assert 'role="search"' in html
    assert 'href="/about/"' in html
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is nothing at this address."}


def test_without_collected_static_files_an_unknown_address_is_still_a_404(
    client, settings, tmp_path
):
    settings.STATIC_ROOT = tmp_path  # collectstatic has not run: no manifest
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response.content.decode() == "There is nothing at this address."


def test_a_server_error_is_a_page_for_readers_and_json_for_the_api(client, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("reader.views.render", fail)
    monkeypatch.setattr("api.views.QuoteViewSet.list", fail)
    client.raise_request_exception = False
    response = client.get("/about/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    response = client.get("/api/v1/quotes/")
    assert response.status_code == 500
    assert response.json() == {"detail": "The server could not answer: try again later."}


def test_corrections_after_publication_are_listed_with_their_dates(client, reviewer):
    quote = CitationFactory(quote__status=Quote.Status.REVIEW, quote__text="Frist text.").quote
    services.quote_publish(quote=quote, user=reviewer)
    html = page(client, f"/quotes/{quote.key}/")
    assert "No correction since this statement was published." in html
    services.quote_update(
        quote=quote,
        user=reviewer,
        changes={"text": "First text."},
        correction_note="A typing error in the first word.",
    )
    html = page(client, f"/quotes/{quote.key}/")
    corrections = html.split('id="corrections-title"')[1].split("</section>")[0]
    today = datetime.date.today()
    assert (
        f'<time datetime="{today.isoformat()}">{today.day} {today:%B %Y}</time>: '
        "A typing error in the first word."
    ) in corrections
    assert "No correction" not in corrections
    published = Quote.objects.get(pk=quote.pk).published_at
    assert f"{published.day} {published:%B %Y}</time> (first published)" in html


# Speakers and other records ----------------------------------------------------------------


def test_a_speaker_page_has_names_roles_chart_statements_and_topics(client, room):
    html = page(client, "/speakers/wang-yi/")
    assert '<span lang="zh" dir="auto">王毅</span>' in html
    roles = html.split('id="roles-title"')[1].split("</section>")[0]
    assert roles.index("2013 – December 2022") < roles.index("2023 – present")
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert "<title" in svg
    assert len(re.findall(r'<rect class="bar"', svg)) == 9  # 2015 to 2023
    assert "2015: 2 statements" in svg
    assert "2023: 1 statement<" in svg
    assert "4 statements match" in html
    assert result_keys(html)[0] == "wang-yi-2023-10-14"  # newest first
    topics = html.split('id="topics-title"')[1].split("</section>")[0]
    assert "/topics/war/" in topics
    assert "/topics/gaza/" in topics


def test_a_speakers_statements_are_searchable_within(client, room):
    html = page(client, "/speakers/wang-yi/", q="dialogue")
    assert sorted(result_keys(html)) == ["wang-yi-older-1", "wang-yi-older-2", "wang-yi-older-3"]
    assert 'action="/speakers/wang-yi/"' in html
    assert "facet-speaker" not in html  # the page is the speaker's


@pytest.mark.parametrize(
    ("url", "heading", "expected"),
    [
        ("/topics/gaza/", "Gaza", ["wang-yi-2023-10-14"]),
        ("/organizations/mfa-china/", "Ministry of Foreign Affairs of China", None),
        ("/sources/reuters-gaza/", "China and Russia on the war in Gaza", ["wang-yi-2023-10-14"]),
    ],
)
def test_topic_organization_and_source_pages_list_their_statements(
    client, room, url, heading, expected
):
    html = page(client, url)
    assert f">{heading}</h1>" in html
    keys = result_keys(html)
    assert keys == (expected or ["wang-yi-2023-10-14", *reversed([q.key for q in room["older"]])])
    page(client, re.sub(r"/[^/]+/$", "/none/", url), 404)


def test_the_about_page_explains_review_and_corrections(client):
    html = page(client, "/about/")
    assert 'id="review"' in html
    assert 'id="corrections"' in html


def test_the_about_page_links_the_formats_for_re_use(client):
    links = hrefs(page(client, "/about/"))
    assert {"/feeds/quotes.atom", "/api/docs/", "/api/v1/popolo.json"} <= set(links)
    assert client.get("/api/v1/popolo.json").status_code == 200


# Feeds ----------------------------------------------------------------------------------


def test_any_search_is_a_feed_of_entries_linking_statement_pages(client, room):
    entries = feed_entries(client, "/feeds/quotes.atom", q="punishment")
    assert len(entries) == 1
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == "http://testserver/quotes/wang-yi-2023-10-14/"
    assert "Wang Yi, 14 October 2023" in entries[0].find(f"{ATOM}title").text
    assert TRANSLATION in unescape(entries[0].find(f"{ATOM}summary").text)
    assert len(feed_entries(client, "/feeds/quotes.atom")) == 4
    response = client.get("/feeds/quotes.atom", {"said_after": "soon"})
    assert response.status_code == 400
    assert b"said_after" in response.content


def test_speaker_and_topic_feeds(client, room):
    assert len(feed_entries(client, "/speakers/wang-yi/feed.atom")) == 4
    assert len(feed_entries(client, "/topics/gaza/feed.atom")) == 1
    assert client.get("/topics/none/feed.atom").status_code == 404


@pytest.mark.parametrize(
    "feed", ["/feeds/quotes.atom", "/speakers/wang-yi/feed.atom", "/topics/gaza/feed.atom"]
)
def test_a_feed_of_an_editors_status_is_forbidden_not_a_server_error(client, room, feed):
    """Issue 18, item 8: the filter's PermissionDenied (DRF's) escaped the feeds: a 500."""
    response = client.get(feed, {"status": "draft"})
    assert response.status_code == 403
    assert b"Only editors may filter on status draft" in response.content
    assert client.get(feed, {"status": "published"}).status_code == 200


def test_a_correction_updates_the_feed_entry(client, room, reviewer):
    quote = room["older"][0]
    before = {e.find(f"{ATOM}id").text: e for e in feed_entries(client, "/feeds/quotes.atom")}
    quote.text = "Dialogue is the only way, corrected."
    services.quote_save(quote=quote, user=reviewer)
    entries = feed_entries(client, "/feeds/quotes.atom")
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href").endswith(f"/quotes/{quote.key}/")
    updated = first.find(f"{ATOM}updated").text
    assert updated > before[first.find(f"{ATOM}id").text].find(f"{ATOM}updated").text
    assert "corrected" in first.find(f"{ATOM}summary").text


# Every page ------------------------------------------------------------------------------

PAGES = [
    "/",
    "/?q=dialogue",
    "/quotes/wang-yi-2023-10-14/",
    "/speakers/wang-yi/",
    "/topics/gaza/",
    "/organizations/mfa-china/",
    "/sources/reuters-gaza/",
    "/about/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_the_favicon_and_no_inline_code(client, room, url):
    html = page(client, url)
    assert '<link rel="icon" href="/static/reader/favicon.svg"' in html
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/ld+json"' in attrs for attrs in scripts)
    assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html)
    assert not re.search(r'(src|href)="(https?:)?//(?!testserver)[^"]*\.(css|js)"', html)


def test_the_admins_view_site_link_leads_to_the_reading_site(editor_client):
    html = page(editor_client, "/admin/")
    assert re.search(r'<a href="/">View site</a>', html)
    assert "Search what was said on record" in page(editor_client, "/")


SYNC_QUERIES = 3  # the tests' synchronous index catch-up at each search (ONRECORD_SEARCH_SYNC)


def queries_for(client, url: str) -> int:
    # The tests index synchronously at each search; index first so that only the page's
    # own queries are counted.
    indexer.flush()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(record_queries(captured))  # not the rate limit's count


@pytest.mark.parametrize("url", PAGES)
def test_each_page_costs_the_same_queries_however_many_statements(client, url):
    data = reading_room(extra_quotes=2)
    few = queries_for(client, url)
    for number in range(25):
        quote = CitationFactory(
            quote__speaker=data["speaker"], quote__text=f"Dialogue {number}"
        ).quote
        quote.topics.add(data["topic"])
        CitationFactory(quote=quote, source=data["source"])
    assert queries_for(client, url) == few
    # A statement reads its history; a speaker's and an organization's page search twice (their
    # statements and their summary), and a speaker's reads their occasions. Each search here
    # also pays the tests' synchronous index catch-up (SYNC_QUERIES), which a served page
    # does not. A source's page also reads its cited passages, its last capture and its
    # full text. Every page listing statements reads, with their public parts, the links a
    # reviewer confirmed to other speakers' statements (two queries: lineage/).
    budget = {
        "/quotes/": 18,
        "/speakers/": 14 + 2 * SYNC_QUERIES,
        "/organizations/": 13,
        "/sources/": 15,
    }
    assert few <= next((n for prefix, n in budget.items() if url.startswith(prefix)), 12)


def test_query_budget_of_the_search_page(client):
    reading_room(extra_quotes=20)
    indexer.flush()
    with CaptureQueriesContext(connection) as captured:
        client.get("/", {"q": "remark trade"})
    # The results with their public parts, the links a reviewer confirmed among them (2).
    assert len(record_queries(captured)) <= 8 + SYNC_QUERIES


def test_fault_10_pages_and_feeds_are_rate_limited_per_client(settings, editor_client):
    settings.ONRECORD_RATE_SITE = "3/min"
    client = Client()
    QuoteFactory(status=Quote.Status.PUBLISHED)
    answers = [client.get(url) for url in ("/about/", "/feeds/quotes.atom", "/", "/about/")]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    refused = answers[-1]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Content-Type"].startswith("text/html")
    assert "Too many requests" in refused.content.decode()
    assert "Content-Security-Policy" in refused  # the site's headers, as on every page
    assert client.get("/feeds/quotes.atom").status_code == 429  # the feeds count too
    assert client.get("/healthz").status_code == 200  # the probes never
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get("/about/").status_code == 200  # each address has its own count
    assert [editor_client.get("/about/").status_code for _ in range(5)] == [200] * 5
