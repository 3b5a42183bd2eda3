"""The editors' and developers' pages in a real browser: the admin's lists and forms fit a
1280 px screen, the API's pages load nothing from outside and lets a search be tried
as is (the search page's CSV download is in test_reader_browser.py). Each page is saved to
test-artifacts/screenshots/.
"""

from urllib.parse import urlsplit

import pytest

from quotes.models import Quote
from tests.conftest import SCREENSHOTS
from tests.factories import AffiliationFactory, CitationFactory, EditorFactory, QuoteFactory
from tests.test_browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH = 1280
LONG_ORGANIZATION = "Ministry of Foreign Affairs of the People's Republic of China"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{WIDTH}.png"), full_page=True)


def horizontal_overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def long_records():
    """Quotes and a speaker with the longest names the demo data has, and longer."""
    affiliation = AffiliationFactory(
        speaker__name="Wang Yi",
        organization__name=LONG_ORGANIZATION,
        role="Minister of Foreign Affairs and Director of the Office of the Central Foreign "
        "Affairs Commission",
        start="2023-07-25",
    )
    AffiliationFactory(
        speaker=affiliation.speaker, organization=affiliation.organization, start="2013-03-16"
    )
    for number, status in enumerate([Quote.Status.PUBLISHED, Quote.Status.REVIEW]):
        quote = CitationFactory(
            quote__speaker=affiliation.speaker,
            quote__kind=Quote.Kind.PARTIAL,
            quote__text=f"Statement {number}: Israel's actions have gone beyond the scope of "
            "self-defence, and it should stop the collective punishment of the people of Gaza.",
        ).quote
        Quote.objects.filter(pk=quote.pk).update(role=affiliation, status=status)
    return affiliation.speaker


def test_the_quote_list_fits_1280_px_with_its_status_column(new_page, live_server, long_records):
    page = new_page()
    log_in(page, live_server, EditorFactory())
    page.goto(f"{live_server.url}/admin/quotes/quote/")
    screenshot(page, "admin-quote-list")
    assert horizontal_overflow(page) <= 0
    status = page.locator("#result_list thead th.column-status")
    assert status.is_visible()
    box = status.bounding_box()
    results = page.locator("#changelist .results").bounding_box()
    assert box["x"] + box["width"] <= results["x"] + results["width"]
    assert page.locator("#result_list tbody td.field-status").all_inner_texts() == [
        "Published",
        "Review",
    ]


def test_the_speaker_form_does_not_overflow(new_page, live_server, long_records):
    page = new_page()
    log_in(page, live_server, EditorFactory())
    page.goto(f"{live_server.url}/admin/quotes/speaker/{long_records.pk}/change/")
    screenshot(page, "admin-speaker-form")
    assert horizontal_overflow(page) <= 0
    overflowing = page.evaluate(
        "[...document.querySelectorAll('.inline-group, fieldset.module')]"
        ".filter(e => e.scrollWidth > e.clientWidth).map(e => e.id || e.className)"
    )
    assert overflowing == []


def test_the_admin_index_and_its_favicon(new_page, live_server):
    page = new_page()
    log_in(page, live_server, EditorFactory())
    screenshot(page, "admin-index")
    favicon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{live_server.url}{favicon}").ok
    assert "Review queue (0)" in page.inner_text("#content-main")
    assert "Revision queue (0)" in page.inner_text("#content-main")
    assert "Citations" not in page.inner_text("#content-main")


@pytest.mark.parametrize("path", ["/api/docs/", "/api/v1/quotes/"], ids=["docs", "browsable"])
def test_api_pages_load_nothing_from_outside(new_page, live_server, path):
    page = new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    screenshot(page, "api" + path.rstrip("/").replace("/", "-"))
    ours = urlsplit(live_server.url).netloc
    outside = [
        url for url in requested if not url.startswith("blob:") and urlsplit(url).netloc != ours
    ]
    assert requested
    assert outside == []


def test_swagger_tries_a_search_without_dates_filled_in(new_page, live_server):
    QuoteFactory(said="2021-05-01", text="Said long before October 2023.")
    page = new_page()
    page.goto(f"{live_server.url}/api/docs/")
    listing = page.locator(
        ".opblock-get", has=page.locator(".opblock-summary-path[data-path='/api/v1/quotes/']")
    )
    listing.locator(".opblock-summary").click()
    listing.locator(".try-out__btn").click()
    for name in ("said_after", "said_before"):
        field = listing.locator(f"tr[data-param-name='{name}'] input")
        assert field.input_value() == ""
    listing.locator(".execute").click()
    listing.locator(".live-responses-table .response-col_status").first.wait_for()
    screenshot(page, "api-docs-try-it-out")
    assert "Said long before October 2023." in listing.locator(".live-responses-table").inner_text()
