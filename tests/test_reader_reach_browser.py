"""The reader's ways in, in a real browser (Debian's Chromium, axe-core): the speakers
page and its filters, the search's histogram and suggestions, a reader's error report,
and a statement page as printed."""

import pytest

from quotes.models import ErrorReport
from tests.reader_data import reading_room
from tests.test_reader_browser import check_page, reader  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_browse_from_the_navigation_and_follow_the_histogram(reader, live_server):  # noqa: F811
    reading_room()
    reader.goto(live_server.url + "/")
    reader.click("nav[aria-label=Site] a:has-text('Speakers')")
    reader.wait_for_url("**/speakers/")
    assert reader.locator(".speakers-list li").count() == 1
    reader.select_option("#browse-country", "CN")
    reader.click("button:has-text('Show speakers')")
    reader.wait_for_url("**country=CN**")
    assert "Minister of Foreign Affairs" in reader.inner_text(".speakers-list")
    check_page(reader, "speakers", live_server)

    reader.goto(live_server.url + "/?q=dialogue+OR+punishment")
    assert reader.locator(".histogram svg .bar").count() == 3
    check_page(reader, "histogram", live_server)
    reader.click(".histogram-years a:has-text('2015')")
    reader.wait_for_url("**said_before=2015**")
    assert reader.inner_text("#count") == "2 statements match"

    reader.goto(live_server.url + "/?q=Wang+I")
    reader.click("#suggestions a")
    reader.wait_for_url("**/speakers/wang-yi/")


def test_a_reader_reports_an_error_and_prints_the_statement(reader, live_server):  # noqa: F811
    reading_room()
    reader.goto(live_server.url + "/quotes/wang-yi-2023-10-14/")
    reader.emulate_media(media="print")
    assert not reader.locator(".site-header").is_visible()
    assert not reader.locator(".report").is_visible()
    reader.emulate_media(media="screen")
    reader.click("summary:has-text('Something wrong')")
    assert not reader.locator("#report-website").is_visible()  # the honeypot
    reader.fill("#report-text", "The call was on 15 October, see the ministry's release.")
    reader.fill("#report-reply-to", "reader@example.org")
    check_page(reader, "report-form", live_server)
    reader.click("button:has-text('Send the report')")
    # (the strict policy's route follows the redirect to the thank-you page itself)
    reader.wait_for_selector("h1:has-text('Thank you')")
    check_page(reader, "report-thanks", live_server)
    report = ErrorReport.objects.get()
    assert report.reply_to == "reader@example.org"
    assert report.status == ErrorReport.Status.OPEN
