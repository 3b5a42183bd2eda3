"""The recorded history: every change, whatever made it, with who, when and which fields
changed; shown in the admin and revertable."""

import pghistory
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token

from quotes import history, services
from quotes.exceptions import RevertNotPossible
from quotes.models import Citation, Quote, Speaker
from tests.admin_forms import admin_form_data
from tests.factories import (
    CitationFactory,
    OrganizationFactory,
    QuoteFactory,
    SpeakerFactory,
    TopicFactory,
    TranslationFactory,
)

pytestmark = pytest.mark.django_db


def field_changes(entry) -> dict:
    """{(part label, field name): (before, after)} of one history entry."""
    return {
        (change.object_label or change.part, field.name): (field.before, field.after)
        for change in entry.changes
        for field in change.fields
    }


def test_a_queryset_update_is_recorded_field_by_field():
    quotes = QuoteFactory.create_batch(3, status=Quote.Status.DRAFT, context="")
    with pghistory.context(command="cleanup"):
        Quote.objects.filter(pk__in=[q.pk for q in quotes]).update(context="Press conference")
    for quote in quotes:
        latest = history.record_history(quote)[0]
        assert latest.command == "cleanup"
        assert field_changes(latest) == {("quote", "context"): ("", "Press conference")}


def test_a_change_outside_any_context_is_still_recorded():
    quote = QuoteFactory(text="Before.")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE quotes_quote SET text = 'After.' WHERE id = %s", [quote.pk])
    latest = history.record_history(quote)[0]
    assert field_changes(latest) == {("quote", "text"): ("Before.", "After.")}
    assert latest.who.startswith("unknown")


def test_an_admin_edit_records_the_editor_and_every_changed_field(editor_client, editor):
    citation = CitationFactory(quote__status=Quote.Status.DRAFT, excerpt="Old excerpt.")
    quote = citation.quote
    url = reverse("admin:quotes_quote_change", args=[quote.pk])
    data = admin_form_data(
        editor_client.get(url),
        text="The corrected statement.",
        **{"citations-0-excerpt": "New excerpt."},
    )
    assert editor_client.post(url, data).status_code == 302
    latest = history.record_history(quote)[0]
    assert latest.username == editor.username
    assert latest.url == url
    changes = field_changes(latest)
    assert changes[("quote", "text")] == (quote.text, "The corrected statement.")
    assert changes[(f"citation of {citation.source}", "excerpt")] == (
        "Old excerpt.",
        "New excerpt.",
    )


def test_a_management_command_is_named_in_the_history():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    quote = Quote.objects.filter(speaker__key="wang-yi").first()
    entries = history.record_history(quote)
    assert entries[-1].command == "load_demo"
    assert entries[-1].changes[0].action == "created"
    assert entries[-1].who == "command “load_demo”"


def test_a_shell_session_is_not_folded_into_one_command_entry():
    first, second = QuoteFactory(context=""), QuoteFactory(context="")
    code = (
        "from quotes.models import Quote; "
        f"Quote.objects.filter(pk={first.pk}).update(context='one'); "
        f"Quote.objects.filter(pk={second.pk}).update(context='two')"
    )
    call_command("shell", command=code)
    one, two = history.record_history(first)[0], history.record_history(second)[0]
    assert one.command is None
    assert two.command is None
    assert one.version != two.version  # two changes, not one entry of a "shell" command


def test_workflow_steps_are_labelled_in_the_history(reviewer):
    quote = CitationFactory(quote__status=Quote.Status.REVIEW).quote
    with pghistory.context(user=reviewer.pk):
        services.quote_publish(quote=quote, user=reviewer)
    latest = history.record_history(quote)[0]
    assert latest.action == "publish"
    assert latest.username == reviewer.username
    status = next(f for c in latest.changes for f in c.fields if f.name == "status")
    assert (status.before_display, status.after_display) == ("Review", "Published")


def test_parts_and_topics_are_part_of_a_quote_history():
    quote = QuoteFactory()
    topic = TopicFactory(name="Ceasefire")
    with pghistory.context(note="tagging"):
        quote.topics.add(topic)
        TranslationFactory(quote=quote, language="fr", text="Une déclaration.")
    latest = history.record_history(quote)[0]
    actions = {(c.object_label, c.action) for c in latest.changes}
    assert actions == {("topic Ceasefire", "added"), ("translation (fr)", "added")}
    with pghistory.context(note="untagging"):
        quote.topics.remove(topic)
    assert {(c.object_label, c.action) for c in history.record_history(quote)[0].changes} == {
        ("topic Ceasefire", "removed")
    }


def test_foreign_keys_are_shown_by_name():
    quote = QuoteFactory()
    other = SpeakerFactory(name="Ma Xiaolin")
    previous = quote.speaker.name
    quote.speaker = other
    quote.save()
    speaker_change = next(f for c in history.record_history(quote)[0].changes for f in c.fields)
    assert (speaker_change.before_display, speaker_change.after_display) == (previous, other.name)


def test_the_version_changes_with_any_part():
    quote = QuoteFactory()
    first = str(history.record_version(quote))
    CitationFactory(quote=quote)
    second = str(history.record_version(quote))
    Citation.objects.filter(quote=quote).update(excerpt="Changed by a bulk update.")
    third = str(history.record_version(quote))
    assert len({first, second, third}) == 3
    assert int(first) < int(second) < int(third)


def test_every_event_table_numbers_its_events_from_the_shared_sequence():
    event_models = [
        m for m in apps.get_app_config("quotes").get_models() if m.__name__.endswith("Event")
    ]
    assert len(event_models) >= 9
    with connection.cursor() as cursor:
        for model in event_models:
            cursor.execute(
                "SELECT column_default FROM information_schema.columns "
                "WHERE table_name = %s AND column_name = 'pgh_id'",
                [model._meta.db_table],
            )
            assert cursor.fetchone()[0] == "nextval('quotes_event_seq'::regclass)", model


# Revert ---------------------------------------------------------------------------


def test_revert_brings_back_fields_translations_citations_and_topics(editor):
    quote = QuoteFactory(text="Original.", context="Phone call", status=Quote.Status.DRAFT)
    topic = TopicFactory()
    quote.topics.add(topic)
    citation = CitationFactory(quote=quote, excerpt="Original.")
    original_version = history.record_version(quote)
    quote.text, quote.context = "Edited.", ""
    quote.save()
    quote.topics.clear()
    citation.delete()
    TranslationFactory(quote=quote, language="de", text="Bearbeitet.")

    services.quote_revert(quote=quote, event_id=original_version, user=editor)

    quote.refresh_from_db()
    assert (quote.text, quote.context) == ("Original.", "Phone call")
    assert list(quote.topics.all()) == [topic]
    # A citation deleted since comes back as a new row, with the source and excerpt it had.
    assert list(quote.citations.values_list("source", "excerpt")) == [
        (citation.source_id, "Original.")
    ]
    assert not quote.translations.exists()
    latest = history.record_history(quote)[0]
    assert latest.action == "revert"
    assert field_changes(latest)[("quote", "text")] == ("Edited.", "Original.")


def test_revert_keeps_the_key_and_the_status(editor):
    quote = CitationFactory(quote__status=Quote.Status.DRAFT, quote__text="Original.").quote
    version = history.record_version(quote)
    services.quote_submit(quote=quote, user=editor)
    Quote.objects.filter(pk=quote.pk).update(key="renamed", text="Edited.")
    services.quote_revert(quote=quote, event_id=version, user=editor)
    quote.refresh_from_db()
    assert quote.key == "renamed"
    assert quote.status == Quote.Status.REVIEW
    assert quote.text == "Original."


def test_revert_refuses_a_version_of_another_record(editor):
    quote, other = QuoteFactory(), QuoteFactory()
    with pytest.raises(RevertNotPossible, match="not in the history"):
        services.quote_revert(quote=quote, event_id=history.record_version(other), user=editor)


def test_a_speaker_is_reverted_field_by_field(editor):
    speaker = SpeakerFactory(name="Wang Yi", description="")
    version = history.record_version(speaker)
    Speaker.objects.filter(pk=speaker.pk).update(name="Wang Yii", description="Typo")
    services.record_revert(obj=speaker, event_id=version, user=editor)
    speaker.refresh_from_db()
    assert (speaker.name, speaker.description) == ("Wang Yi", "")


# The admin --------------------------------------------------------------------------


def test_the_admin_shows_the_history_with_before_and_after(editor_client, editor):
    quote = QuoteFactory(text="First wording.", status=Quote.Status.DRAFT)
    url = reverse("admin:quotes_quote_change", args=[quote.pk])
    data = admin_form_data(editor_client.get(url), text="Second wording.")
    assert editor_client.post(url, data).status_code == 302
    page = editor_client.get(reverse("admin:quotes_quote_history", args=[quote.pk]))
    text = page.content.decode()
    assert "First wording." in text
    assert "Second wording." in text
    assert editor.username in text
    assert "Revert to this version" in text


def test_the_admin_reverts_to_an_earlier_version(editor_client):
    quote = QuoteFactory(text="First wording.", status=Quote.Status.DRAFT)
    first = history.record_version(quote)
    Quote.objects.filter(pk=quote.pk).update(text="Vandalised.")
    response = editor_client.post(
        reverse("admin:quotes_quote_revert", args=[quote.pk, first]),
        {"confirm": "yes"},
        follow=True,
    )
    assert f"was reverted to version {first}" in response.content.decode()
    assert Quote.objects.get(pk=quote.pk).text == "First wording."


def test_revert_in_the_admin_needs_a_post(editor_client):
    quote = QuoteFactory()
    url = reverse("admin:quotes_quote_revert", args=[quote.pk, history.record_version(quote)])
    assert editor_client.get(url).status_code == 405


@pytest.mark.parametrize("model_name", ["speaker", "organization", "source", "citation"])
def test_history_pages_of_other_records_load(editor_client, model_name):
    citation = CitationFactory()
    obj = {
        "speaker": citation.quote.speaker,
        "organization": OrganizationFactory(),
        "source": citation.source,
        "citation": citation,
    }[model_name]
    response = editor_client.get(reverse(f"admin:quotes_{model_name}_history", args=[obj.pk]))
    assert response.status_code == 200
    assert "created" in response.content.decode()


@pytest.mark.urls("tests.history_urls")
def test_a_token_authenticated_api_write_records_its_user(client, editor):
    quote = QuoteFactory(context="")
    token = Token.objects.create(user=editor)
    response = client.post(
        f"/probe/{quote.pk}/",
        {"context": "From the API."},
        HTTP_AUTHORIZATION=f"Token {token.key}",
        content_type="application/json",
    )
    assert response.status_code == 200
    latest = history.record_history(quote)[0]
    assert latest.username == editor.username
    assert latest.url == f"/probe/{quote.pk}/"
    assert field_changes(latest) == {("quote", "context"): ("", "From the API.")}
