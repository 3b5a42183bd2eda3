"""An editor adds the demo article's statements in a real browser: paste, review, confirm."""

import pytest

from quotes.excerpts import excerpt_occurs
from quotes.models import Quote, Source
from tests.factories import EditorFactory
from tests.intake_support import demo_speakers, demo_text
from tests.test_browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_editor_pastes_the_demo_article_and_confirms_two_of_its_statements(
    new_page, live_server
):
    demo_speakers()
    editor = EditorFactory()
    page = new_page()
    log_in(page, live_server, editor)

    page.goto(f"{live_server.url}/admin/quotes/quote/")
    page.click("text=Add statements from a report")
    page.fill("#id_text", demo_text())
    page.fill("#id_published", "2023-10-20")
    page.click("input[name=propose]")
    page.wait_for_selector(".intake-review")

    proposals = page.locator(".intake-proposal")
    assert proposals.count() == 3
    assert page.locator(".intake-report mark.intake-excerpt").count() == 3
    headings = proposals.locator("h2").all_inner_texts()
    for heading, name in zip(headings, ["Wang Yi", "Vladimir Putin", "Ma Xiaolin"], strict=True):
        assert name in heading
    # Each proposal's number is legible (it took the heading's link colour on its own pill)
    # and is the number of its mark in the report.
    number = page.locator("#proposal-0 h2 .intake-number")
    style = "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
    colour, background = number.evaluate(style)
    assert colour != background
    assert number.inner_text() == page.inner_text("#excerpt-0 .intake-number") == "1"
    # The speaker on record is already chosen in each proposal's autocomplete.
    assert "Wang Yi" in page.inner_text("#proposal-0 .field-speaker .select2")
    page.check("input[name='proposal-1-decision'][value=reject]")
    assert "intake-rejected" in (page.get_attribute("#proposal-1", "class") or "")
    page.click("input[name=confirm]")
    page.wait_for_selector(".messagelist")
    assert "2 draft quote(s)" in page.inner_text(".messagelist")

    source = Source.objects.get()
    drafts = Quote.objects.filter(citations__source=source).order_by("pk")
    assert [q.speaker.key for q in drafts] == ["wang-yi", "ma-xiaolin"]
    assert {q.status for q in drafts} == {Quote.Status.DRAFT}
    for quote in drafts:
        assert excerpt_occurs(quote.citations.get().excerpt, source.full_text)

    # The editor finds the drafts, each excerpt shown where it stands in the article.
    page.goto(f"{live_server.url}/admin/quotes/quote/?status__exact=draft")
    assert page.locator("#result_list tbody tr").count() == 2
    page.goto(f"{live_server.url}/admin/quotes/quote/{drafts[0].pk}/change/")
    marked = page.inner_text(".excerpt-context mark")
    assert marked.startswith("Chinese Foreign Minister Wang Yi stated that")
    assert marked in source.full_text
