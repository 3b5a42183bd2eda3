"""Two editors on the same record: the second save is refused and shows what changed."""

import pghistory
import pytest
from django.test import Client
from django.urls import reverse

from quotes import history, services
from quotes.exceptions import EditConflict
from quotes.models import Citation, Quote, Speaker
from tests.admin_forms import admin_form_data
from tests.factories import CitationFactory, EditorFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def quote() -> Quote:
    return CitationFactory(
        quote__status=Quote.Status.DRAFT, quote__text="First wording.", quote__context=""
    ).quote


def quote_url(quote: Quote) -> str:
    return reverse("admin:quotes_quote_change", args=[quote.pk])


def test_the_second_save_is_refused_with_what_changed(quote):
    alice, bob = EditorFactory(username="alice"), EditorFactory(username="bob")
    alice_client, bob_client = logged_in(alice), logged_in(bob)
    alice_form = alice_client.get(quote_url(quote))
    bob_form = bob_client.get(quote_url(quote))

    saved = alice_client.post(quote_url(quote), admin_form_data(alice_form, text="Alice's."))
    assert saved.status_code == 302
    refused = bob_client.post(quote_url(quote), admin_form_data(bob_form, context="Bob's."))

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "alice changed this quote after you opened it" in page
    assert "Your changes were <strong>not saved</strong>" in page
    assert "First wording." in page  # before
    assert "Alice&#x27;s." in page  # after
    quote.refresh_from_db()
    assert (quote.text, quote.context) == ("Alice's.", "")


def test_the_refused_form_keeps_the_editors_input(quote, editor):
    client = logged_in(editor)
    form = client.get(quote_url(quote))
    Quote.objects.filter(pk=quote.pk).update(text="Changed meanwhile.")
    refused = client.post(quote_url(quote), admin_form_data(form, context="My context."))
    assert refused.context["adminform"].form["context"].value() == "My context."
    # A fresh form saves.
    fresh = client.get(quote_url(quote))
    assert (
        client.post(quote_url(quote), admin_form_data(fresh, context="My context.")).status_code
        == 302
    )
    assert Quote.objects.get(pk=quote.pk).context == "My context."


def test_a_change_to_a_citation_is_a_conflict_too(quote, editor):
    client = logged_in(editor)
    form = client.get(quote_url(quote))
    with pghistory.context(command="fix_excerpts"):
        Citation.objects.filter(quote=quote).update(excerpt="First wording")
    refused = client.post(quote_url(quote), admin_form_data(form, context="Mine."))
    page = refused.content.decode()
    assert "command “fix_excerpts” changed this quote after you opened it" in page
    assert "excerpt" in page


def test_saving_twice_in_a_row_is_no_conflict(quote, editor):
    client = logged_in(editor)
    first = client.post(quote_url(quote), admin_form_data(client.get(quote_url(quote)), text="A."))
    second = client.post(quote_url(quote), admin_form_data(client.get(quote_url(quote)), text="B."))
    assert (first.status_code, second.status_code) == (302, 302)
    assert Quote.objects.get(pk=quote.pk).text == "B."


def test_speakers_are_protected_as_well(editor):
    speaker = SpeakerFactory(description="")
    url = reverse("admin:quotes_speaker_change", args=[speaker.pk])
    client = logged_in(editor)
    form = client.get(url)
    Speaker.objects.filter(pk=speaker.pk).update(description="Changed meanwhile.")
    data = admin_form_data(form, description="Mine.")
    for prefix in ("names", "affiliations"):
        data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"]
    refused = client.post(url, data)
    assert "changed this speaker after you opened it" in refused.content.decode()
    assert Speaker.objects.get(pk=speaker.pk).description == "Changed meanwhile."


def test_the_service_raises_with_the_entries_since_the_version(quote, editor):
    token = str(history.record_version(quote))
    with pghistory.context(user=editor.pk):
        Quote.objects.filter(pk=quote.pk).update(text="Meanwhile.")
    with pytest.raises(EditConflict) as raised:
        services.record_check_version(obj=quote, version=int(token))
    [entry] = raised.value.changes
    assert entry.username == editor.username
    assert [(f.before, f.after) for c in entry.changes for f in c.fields] == [
        ("First wording.", "Meanwhile.")
    ]
    services.record_check_version(obj=quote, version=int(str(history.record_version(quote))))
