"""The drift notice on a statement's page and the cited passages in context on its
source's page, in a real browser at 375 and 1280 px, checked by axe-core."""

import io

import pytest
from django.core.management import call_command

from captures import fetching
from tests.captures_support import EXCERPT, article
from tests.factories import CitationFactory, QuoteFactory, SourceFactory
from tests.intake_support import serve
from tests.test_reader_browser import check_page, reader  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_drift_notice_and_the_passage_in_context(reader, live_server, settings):  # noqa: F811
    settings.INTAKE_FETCH_PRIVATE = True
    settings.CAPTURES_HOST_INTERVAL = 0
    fetching.forget_robots()
    routes = {"/article": (200, "text/html", article(EXCERPT))}
    with serve(routes) as base:
        source = SourceFactory(url=f"{base}/article")
        quote = QuoteFactory(text=EXCERPT)
        CitationFactory(quote=quote, source=source, excerpt=EXCERPT)
        call_command("sources_check", stdout=io.StringIO())
        reader.goto(f"{live_server.url}/sources/{source.key}/")
        assert reader.inner_text(f"#passage-{quote.key} mark") == EXCERPT
        check_page(reader, "source-in-context", live_server)
        del routes["/article"]
        call_command("sources_check", stdout=io.StringIO())
    reader.goto(f"{live_server.url}/quotes/{quote.key}/")
    notice = reader.inner_text(".capture.drift")
    assert notice.startswith("The source no longer contains this passage since")
    reader.click(".capture.drift a")
    reader.wait_for_url(f"**/sources/{source.key}/#passage-{quote.key}")
    check_page(reader, "statement-drift", live_server)
