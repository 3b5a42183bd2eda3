"""Editors and reviewers in a real browser: headless Chromium against a live server.

Each test is a sequence of steps a person takes; the helpers below are those steps.
"""

import re

import pytest

from quotes.models import Quote, Speaker
from tests.factories import (
    CitationFactory,
    EditorFactory,
    OrganizationFactory,
    ReviewerFactory,
    SourceFactory,
)

PASSWORD = "correct horse battery staple"  # the factories' password

ARTICLE = (
    "China's top diplomat Wang Yi said Israel's actions had gone “beyond the scope of "
    "self-defence” and that it should stop its “collective punishment” of the people of Gaza."
)
EXCERPT = "Israel's actions had gone “beyond the scope of self-defence”"
TEXT = "以色列的行为已超出自卫范畴，应停止对加沙民众的集体惩罚。"
TRANSLATION = (
    "Israel's actions have gone beyond the scope of self-defence; it should stop the "
    "collective punishment of the people of Gaza."
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# Steps --------------------------------------------------------------------------------


def log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    assert "Log in" not in page.title()


def choose(page, select_id: str, search: str, option: str) -> None:
    """Pick ``option`` in a Django admin autocomplete (select2) after typing ``search``."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", search)
    page.locator(".select2-container--open .select2-results__option", has_text=option).click()
    assert option in page.inner_text(f"#{select_id} + .select2")


def save(page) -> str:
    page.click("input[name=_save]")
    page.wait_for_load_state()
    errors = page.locator(".errornote, .errorlist").all_inner_texts()
    assert not errors, errors
    return page.inner_text(".messagelist")


def create_speaker_with_affiliation(page, live_server, organization) -> None:
    page.goto(f"{live_server.url}/admin/quotes/speaker/add/")
    page.locator("#id_name").press_sequentially("Wang Yi")
    assert page.input_value("#id_key") == "wang-yi"  # filled in from the name
    page.fill("#id_names-0-name", "王毅")
    page.fill("#id_names-0-language", "zh")
    choose(page, "id_affiliations-0-organization", "Foreign", organization.name)
    page.fill("#id_affiliations-0-role", "Minister of Foreign Affairs")
    page.fill("#id_affiliations-0-start", "2022-12-30")
    assert "was added successfully" in save(page)


def add_quote_with_translation_and_citation(page, live_server, source) -> None:
    page.goto(f"{live_server.url}/admin/quotes/quote/add/")
    choose(page, "id_speaker", "Wang", "Wang Yi")
    page.fill("#id_text", TEXT)
    page.fill("#id_language", "zh")
    page.select_option("#id_kind", "partial")
    page.fill("#id_said", "2023-10-14")
    page.fill("#id_context", "Phone call with Saudi Foreign Minister Faisal bin Farhan")
    page.fill("#id_translations-0-language", "en")
    page.fill("#id_translations-0-text", TRANSLATION)
    choose(page, "id_citations-0-source", "China", source.title)
    page.fill("#id_citations-0-excerpt", EXCERPT.replace("“", '"').replace("”", '"'))
    assert "was added successfully" in save(page)


def submit_for_review(page, quote: Quote) -> None:
    page.check(f"input.action-select[value='{quote.pk}']")
    page.select_option("select[name=action]", "submit_for_review")
    page.click("button[name=index]")
    page.wait_for_load_state()
    assert "1 quote submitted for review." in page.inner_text(".messagelist")


def verify_and_publish(page, live_server, quote: Quote) -> None:
    page.goto(f"{live_server.url}/admin/quotes/quote/{quote.pk}/change/")
    # The excerpt is shown where it occurs in the source's full text.
    assert page.inner_text(".excerpt-context mark") == EXCERPT
    page.check("#id_citations-0-mark_verified")
    page.select_option("#id_status", "published")
    assert "was changed successfully" in save(page)


def public_search(page, live_server, q: str) -> list[str]:
    """The keys an anonymous client finds with the API's search (a page never logged in)."""
    response = page.request.get(f"{live_server.url}/api/v1/quotes/", params={"q": q})
    assert response.ok, response.text()
    return [item["key"] for item in response.json()["results"]]


# Tests ----------------------------------------------------------------------------------


def test_an_editor_enters_a_quote_and_a_reviewer_publishes_it(new_page, live_server):
    editor, reviewer = EditorFactory(), ReviewerFactory()
    organization = OrganizationFactory(name="Ministry of Foreign Affairs", country="CN")
    source = SourceFactory(title="China and Russia on the war in Gaza", full_text=ARTICLE)

    editor_page = new_page()
    log_in(editor_page, live_server, editor)
    create_speaker_with_affiliation(editor_page, live_server, organization)
    add_quote_with_translation_and_citation(editor_page, live_server, source)
    quote = Quote.objects.get(speaker__key="wang-yi")
    assert quote.status == Quote.Status.DRAFT
    submit_for_review(editor_page, quote)
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.REVIEW

    reader_page = new_page()
    assert public_search(reader_page, live_server, "collective punishment") == []

    reviewer_page = new_page()
    log_in(reviewer_page, live_server, reviewer)
    verify_and_publish(reviewer_page, live_server, quote)

    # Published: the public finds it, by its translation and by its original text.
    assert public_search(reader_page, live_server, "collective punishment") == [quote.key]
    assert public_search(reader_page, live_server, "集体惩罚") == [quote.key]
    detail = reader_page.request.get(f"{live_server.url}/api/v1/quotes/{quote.key}/").json()
    assert detail["citations"][0]["verified_by"] == reviewer.username

    quote = Quote.objects.select_related("role").get(pk=quote.pk)
    assert quote.status == Quote.Status.PUBLISHED
    assert quote.key == "wang-yi-2023-10-14"
    assert quote.role.role == "Minister of Foreign Affairs"
    assert quote.created_by == editor
    assert quote.updated_by == reviewer
    assert quote.translations.get().text == TRANSLATION
    citation = quote.citations.get()
    assert (citation.source, citation.verified_by) == (source, reviewer)
    assert Speaker.objects.get(key="wang-yi").names.get().name == "王毅"


def test_the_second_editor_sees_what_the_first_changed(new_page, live_server):
    alice, bob = EditorFactory(username="alice"), EditorFactory(username="bob")
    quote = CitationFactory(
        quote__status=Quote.Status.DRAFT, quote__text="First wording.", quote__context=""
    ).quote
    url = f"{live_server.url}/admin/quotes/quote/{quote.pk}/change/"
    alice_page, bob_page = new_page(), new_page()
    log_in(alice_page, live_server, alice)
    log_in(bob_page, live_server, bob)
    alice_page.goto(url)
    bob_page.goto(url)

    alice_page.fill("#id_text", "Alice's wording.")
    assert "was changed successfully" in save(alice_page)
    bob_page.fill("#id_context", "Bob's context.")
    bob_page.click("input[name=_save]")
    bob_page.wait_for_load_state()

    conflict = bob_page.inner_text(".edit-conflict")
    assert "Someone else saved this quote after you opened it" in conflict
    assert re.search(r"alice\b", conflict)
    assert "First wording." in bob_page.inner_text(".edit-conflict .history-before")
    assert "Alice's wording." in bob_page.inner_text(".edit-conflict .history-after")
    assert bob_page.input_value("#id_context") == "Bob's context."  # nothing typed is lost
    quote.refresh_from_db()
    assert (quote.text, quote.context) == ("Alice's wording.", "")
