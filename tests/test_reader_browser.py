"""The reading site in a real browser (Debian's Chromium through Playwright): each page
type at 375 and 1280 px wide, checked by axe-core, under a strict Content-Security-Policy,
with screenshots saved in test-artifacts/reader/."""

import codecs
import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dumps.services import dump_create
from quotes.models import Quote
from tests.factories import (
    CitationFactory,
    OccasionAccountFactory,
    OccasionFactory,
    OccasionParticipantFactory,
    SourceFactory,
)
from tests.reader_data import EXCERPT, TEXT, TRANSLATION, reading_room

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "reader"
WIDTHS = (375, 1280)
# What issue 9's django-csp is to send: nothing inline, nothing from elsewhere.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'"
)
SEARCH_PAGE_BUDGET = 150 * 1024
ACCOUNT_TEXT = (
    "The two foreign ministers discussed the situation in Gaza by telephone.\n"
    "Both sides stressed the need to protect civilians."
)


@pytest.fixture
def reader(new_page, live_server):
    """A reader's page that records every request and every problem the browser reports,
    with the strict policy added to each of the site's responses."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: `make test` installs it with npm ci.")
    page = new_page()
    page.requests, page.problems = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))

    def strict(route):
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": STRICT_CSP}
        route.fulfill(response=response, headers=headers)

    page.route(f"{live_server.url}/**", strict)
    return page


def check_accessible(page) -> None:
    """No serious or critical axe-core violation on the page as it is."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
    )
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, bad


def check_page(page, name: str, live_server) -> None:
    """At each width: no horizontal scrolling, axe passes, a screenshot is saved; no
    request left the site and the browser reported no problem (a CSP refusal is one)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{name} scrolls sideways at {width} px ({scroll} px wide)"
        check_accessible(page)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    outside = [url for url in page.requests if not url.startswith(live_server.url)]
    assert not outside, outside
    assert not page.problems, page.problems


def test_search_with_the_keyboard_and_a_facet_click(reader, live_server):
    reading_room(extra_quotes=25)
    reader.goto(live_server.url + "/")
    reader.keyboard.press("Tab")
    assert reader.evaluate("document.activeElement.textContent") == "Skip to content"
    reader.keyboard.press("Enter")
    assert reader.evaluate("document.activeElement.id") == "main"
    reader.keyboard.press("Tab")
    assert reader.evaluate("document.activeElement.id") == "q"
    reader.keyboard.type("remark OR dialogue")
    reader.keyboard.press("Enter")
    reader.wait_for_url("**/?q=remark+OR+dialogue**")
    assert reader.inner_text("#count") == "28 statements match"
    assert reader.locator(".result mark").count() >= 20
    check_page(reader, "search", live_server)

    reader.click(".facet a:has-text('Wang Yi')")
    reader.wait_for_url("**speaker=wang-yi**")
    assert reader.inner_text("#count") == "3 statements match"
    assert reader.locator(".active-filters a").inner_text().startswith("Speaker: Wang Yi")
    feed = reader.locator("link[rel=alternate]").get_attribute("href")
    assert feed == "/feeds/quotes.atom?q=remark+OR+dialogue&speaker=wang-yi"
    csv = reader.locator(".formats a", has_text="CSV").get_attribute("href")
    assert csv == "/api/v1/quotes/?format=csv&q=remark+OR+dialogue&speaker=wang-yi"
    check_page(reader, "search-narrowed", live_server)


def test_the_search_page_weighs_under_150_kb_with_20_results(reader, live_server):
    reading_room(extra_quotes=30)
    sizes = {}

    def weigh(response):
        if response.request.resource_type in ("document", "stylesheet", "script"):
            sizes[response.url] = len(response.body())

    reader.on("response", weigh)
    reader.goto(live_server.url + "/?q=remark")
    assert reader.locator(".result").count() == 20
    assert sum(sizes.values()) < SEARCH_PAGE_BUDGET, sizes


def test_search_and_facets_work_without_javascript(new_page, browser, live_server):
    reading_room()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.fill("#q", "dialogue")
    page.press("#q", "Enter")
    page.wait_for_url("**q=dialogue**")
    page.click(".facet a:has-text('2015')")
    page.wait_for_url("**said_before=2015**")
    assert page.inner_text("#count") == "2 statements match"
    context.close()


def test_a_statement_page_with_its_citations_and_json_ld(reader, live_server):
    data = reading_room()
    reader.goto(f"{live_server.url}/quotes/{data['quote'].key}/")
    assert reader.inner_text(".original blockquote") == TEXT
    assert reader.get_attribute(".original blockquote", "lang") == "zh"
    assert reader.get_attribute(".original blockquote", "dir") == "auto"
    citation = reader.locator(".citation")
    assert "beyond the scope of self-defence" in citation.inner_text()
    assert "Verified" in citation.locator(".verification").inner_text()
    linked = json.loads(reader.inner_text("script[type='application/ld+json']"))
    assert (linked["@type"], linked["creator"]["name"]) == ("Quotation", "Wang Yi")
    assert linked["isBasedOn"][0]["name"] == "China and Russia on the war in Gaza"
    assert reader.get_attribute("meta[property='og:title']", "content").startswith("Wang Yi")
    # JavaScript adds the copy buttons; the link is there to copy by hand without it.
    assert reader.locator("button.copy").count() == 4
    assert reader.is_visible("button[data-copy=permalink]")
    assert reader.input_value("#permalink") == f"{live_server.url}/quotes/{data['quote'].key}/"
    assert reader.is_visible("button[data-copy=identifier]")
    assert reader.input_value("#identifier").endswith(f":statement:{data['quote'].uid}")
    check_page(reader, "statement", live_server)


def test_a_speaker_page_with_its_chart(reader, live_server):
    reading_room()
    reader.goto(f"{live_server.url}/speakers/wang-yi/")
    chart = reader.locator(".chart svg")
    assert chart.is_visible()
    assert chart.locator("rect.bar").count() == 9
    box = chart.bounding_box()
    assert box["width"] > 300
    assert box["height"] > 80
    assert reader.locator(".timeline li").count() == 2
    assert "王毅" in reader.inner_text(".names")
    reader.fill("#q", "dialogue")
    reader.press("#q", "Enter")
    reader.wait_for_url("**/speakers/wang-yi/?q=dialogue**")
    assert reader.inner_text("#count") == "3 statements match"
    check_page(reader, "speaker", live_server)


def test_the_other_pages(reader, live_server):
    reading_room()
    retracted = CitationFactory(
        quote__status=Quote.Status.RETRACTED, quote__retraction_reason="misattributed"
    ).quote
    reader.goto(f"{live_server.url}/quotes/{retracted.key}/")
    assert "misattributed" in reader.inner_text(".banner.retracted")
    check_page(reader, "statement-retracted", live_server)
    dump_create()  # a listing with its files, sizes and digests
    for name, path in [
        ("topic", "/topics/gaza/"),
        ("organization", "/organizations/mfa-china/"),
        ("source", "/sources/reuters-gaza/"),
        ("about", "/about/"),
        ("dumps", "/dumps/"),
    ]:
        reader.goto(live_server.url + path)
        assert reader.locator("h1").count() == 1
        check_page(reader, name, live_server)


def test_an_occasion_with_two_accounts(reader, live_server):
    """The occasion's page with each party's account side by side at 1280 px, one under the
    other at 375 px, and the list of occasions."""
    room = reading_room()
    occasion = OccasionFactory(key="call-2023-10-14", name="Phone call", country="CN")
    Quote.objects.filter(key="wang-yi-2023-10-14").update(occasion=occasion)
    OccasionParticipantFactory(occasion=occasion, speaker=room["quote"].speaker, country="CN")
    texts = {"zh": "王毅同沙特外交大臣通电话。\n双方就巴以局势交换意见。", "en": ACCOUNT_TEXT}
    for language, text in texts.items():
        OccasionAccountFactory(
            occasion=occasion,
            source=SourceFactory(language=language, full_text=text),
            country="CN" if language == "zh" else "SA",
        )
    reader.goto(f"{live_server.url}/occasions/{occasion.key}/")
    assert reader.locator(".accounts > li").count() == 2
    check_page(reader, "occasion", live_server)
    reader.goto(f"{live_server.url}/occasions/")
    assert reader.locator("h1").count() == 1
    check_page(reader, "occasions", live_server)


def test_the_not_found_page(reader, live_server):
    response = reader.goto(f"{live_server.url}/quotes/no-such-key/")
    assert response.status == 404
    # The browser reports the page's own status; any other missing file is a second report.
    reader.problems.remove(
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    )
    assert reader.locator("form[role=search] input[name=q]").count() == 1
    check_page(reader, "not-found", live_server)


def test_a_feed(reader, live_server):
    data = reading_room()
    reader.goto(f"{live_server.url}/topics/gaza/")
    feed = reader.locator("link[rel=alternate]").get_attribute("href")
    response = reader.request.get(live_server.url + feed)
    assert response.headers["content-type"].startswith("application/atom+xml")
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ET.fromstring(response.body()).findall(f"{atom}entry")
    links = [entry.find(f"{atom}link").get("href") for entry in entries]
    assert links == [f"{live_server.url}/quotes/{data['quote'].key}/"]
    reader.goto(links[0])
    assert reader.inner_text("h1").startswith("Wang Yi")


def test_a_csv_download(reader, live_server):
    data = reading_room(extra_quotes=2)
    reader.goto(live_server.url + "/?speaker=wang-yi")
    assert reader.inner_text("#count") == "4 statements match"
    with reader.expect_download() as started:
        reader.click(".formats a:has-text('CSV')")
    download = started.value
    assert download.failure() is None
    assert download.suggested_filename.startswith("onrecord-quotes-")
    assert download.suggested_filename.endswith(".csv")
    body = Path(download.path()).read_bytes()
    # What spreadsheet programs need to read it as UTF-8, with RFC 4180's line ends.
    assert body.startswith(codecs.BOM_UTF8)
    assert body.split(b"\n", 1)[0].endswith(b"\r")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert {"key", "url", "speaker", "role", "said", "text", "sources", "corrections"} <= set(
        rows[0]
    )
    keys = [data["quote"].key, *(quote.key for quote in data["older"])]
    assert sorted(row["key"] for row in rows) == sorted(keys)
    statement = next(row for row in rows if row["key"] == data["quote"].key)
    assert statement["url"] == f"{live_server.url}/quotes/{data['quote'].key}/"
    assert (statement["speaker"], statement["role"]) == ("Wang Yi", "Minister of Foreign Affairs")
    assert (statement["said"], statement["language"]) == ("2023-10-14", "zh")
    assert statement["text"] == TEXT
    assert statement["english_translation"] == TRANSLATION
    assert statement["topics"] == "Gaza; War"
    assert EXCERPT in statement["sources"]
    assert "verified by a reviewer" in statement["sources"]


def test_the_alert_pages_and_an_alert_mail(reader, live_server):
    from alerts import links, services
    from alerts.mail import compose
    from alerts.models import Change as AlertChange
    from alerts.models import Delivery, Match

    reading_room()
    quote = Quote.objects.public().get(speaker__key="wang-yi", translations__isnull=False)
    reader.goto(f"{live_server.url}/alerts/new/?speaker={quote.speaker.key}")
    check_page(reader, "alerts-new", live_server)
    alert = services.alert_subscribe(
        email="reader@example.org",
        frequency="daily",
        target={"speaker": quote.speaker.key},
        client="x",
        language="en",
    )
    services.alert_confirm(alert=alert)
    reader.goto(
        live_server.url + links.manage_url(alert.subscriber).removeprefix(links.absolute(""))
    )
    check_page(reader, "alerts-manage", live_server)
    change = AlertChange.objects.create(quote=quote, kind="published", at=quote.published_at)
    delivery = Delivery.objects.create(subscriber=alert.subscriber)
    Match.objects.create(alert=alert, change=change, delivery=delivery)
    html = compose(delivery).alternatives[0][0]
    reader.set_content(html)
    check_accessible(reader)
