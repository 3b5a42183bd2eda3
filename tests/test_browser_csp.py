"""The admin, the API docs and the browsable API work in a real browser under the site's
Content-Security-Policy, which the browser enforces: any violation fails the test."""

import pytest

from tests.factories import EditorFactory, OrganizationFactory, QuoteFactory
from tests.test_browser import choose, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Collects what the browser refused, before any of the page's own scripts runs.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def open_guarded_page(new_page):
    page = new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page, refused


def assert_no_violation(page, refused) -> None:
    assert page.evaluate("window.cspViolations") == []
    assert refused == []


def test_the_admin_works_under_the_policy(new_page, live_server):
    organization = OrganizationFactory(name="Ministry of Foreign Affairs")
    page, refused = open_guarded_page(new_page)
    log_in(page, live_server, EditorFactory())
    page.goto(f"{live_server.url}/admin/quotes/speaker/add/")
    page.locator("#id_name").press_sequentially("Wang Yi")
    assert page.input_value("#id_key") == "wang-yi"  # the admin's own script ran
    choose(page, "id_affiliations-0-organization", "Foreign", organization.name)  # select2
    assert_no_violation(page, refused)


def test_swagger_ui_renders_under_the_policy(new_page, live_server):
    page, refused = open_guarded_page(new_page)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock-tag")
    assert page.locator(".opblock-summary-path", has_text="/api/v1/quotes/").count() > 0
    assert_no_violation(page, refused)


def test_the_browsable_api_works_under_the_policy(new_page, live_server):
    quote = QuoteFactory()
    page, refused = open_guarded_page(new_page)
    log_in(page, live_server, EditorFactory())
    page.goto(f"{live_server.url}/api/v1/quotes/")
    page.wait_for_selector(".response-info")
    assert quote.key in page.inner_text(".response-info")
    page.click("button:has-text('Filters')")  # Bootstrap's modal: the browsable API's script
    page.wait_for_selector("#filtersModal", state="visible")
    assert_no_violation(page, refused)
