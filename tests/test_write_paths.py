"""The last write paths of the record, one test per defect reported in issue 17 (items 1
to 4 and 6, and the editors' paths), each failing before its fix.

The rules themselves run over every path in tests/test_conformance.py; the tests here
replay each report as it was made.
"""

from __future__ import annotations

import io
import shlex
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from intake.services import AcceptedStatement, NewSpeaker, SourceFields, intake_confirm
from quotes import history, services
from quotes.models import KeyRedirect, Quote, QuoteRevision, Speaker
from tests.admin_forms import admin_form_data
from tests.factories import (
    SYSTEM,
    AffiliationFactory,
    CitationFactory,
    EditorFactory,
    QuoteFactory,
    ReviewerFactory,
    SourceFactory,
    SpeakerFactory,
    TranslationFactory,
)
from tests.interchange_support import ndjson, run_import
from tests.test_conformance import Refused, import_edited

pytestmark = pytest.mark.django_db
FULL_TEXT = "Wang Yi said the actions went beyond self-defense, and urged a ceasefire."
EXCERPT = "went beyond self-defense"


@pytest.fixture
def published():
    """A published quote whose text was corrected once, with a public note."""
    source = SourceFactory(key="article", full_text=FULL_TEXT)
    quote = QuoteFactory(key="remark", text="Beyond self-defense.", said="2023-10-14")
    CitationFactory(quote=quote, source=source, excerpt=EXCERPT)
    services.quote_update(
        quote=quote,
        user=ReviewerFactory(),
        changes={"text": "Went beyond self-defense."},
        correction_note="The text was shortened.",
    )
    quote.refresh_from_db()
    return quote


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def revert_url(quote: Quote, version: int) -> str:
    return reverse("admin:quotes_quote_revert", args=[quote.pk, version])


def version_before_correction(quote: Quote) -> int:
    return history.record_history(quote)[1].version


# Item 1: the History page's revert of a published quote.


def test_defect_1_an_editors_revert_of_a_published_quote_waits_for_a_reviewer(published):
    client = logged_in(EditorFactory())
    url = revert_url(published, version_before_correction(published))
    confirm = client.post(url)
    assert confirm.status_code == 200
    assert "becomes a revision" in confirm.content.decode()
    assert Quote.objects.get(pk=published.pk).text == "Went beyond self-defense."
    client.post(url, {"confirm": "yes"}, follow=True)
    published.refresh_from_db()
    assert published.text == "Went beyond self-defense."
    revision = QuoteRevision.objects.get(quote=published, status="pending")
    assert revision.changes["text"]["to"] == "Beyond self-defense."


def test_defect_1_a_reviewers_revert_is_a_correction_with_a_note(published):
    client = logged_in(ReviewerFactory())
    url = revert_url(published, version_before_correction(published))
    refused = client.post(url, {"confirm": "yes"})
    assert refused.status_code == 200
    assert "correction_note" in refused.content.decode()
    assert Quote.objects.get(pk=published.pk).text == "Went beyond self-defense."
    client.post(url, {"confirm": "yes", "correction_note": "The shorter text was wrong."})
    published.refresh_from_db()
    assert published.text == "Beyond self-defense."
    assert [c["note"] for c in published.corrections] == [
        "The text was shortened.",
        "The shorter text was wrong.",
    ]


def test_defect_1_revert_asks_for_confirmation_first(editor_client):
    quote = QuoteFactory(text="First wording.", status=Quote.Status.DRAFT)
    first = history.record_version(quote)
    Quote.objects.filter(pk=quote.pk).update(text="Vandalised.")
    page = editor_client.post(revert_url(quote, first))
    assert "Yes, revert" in page.content.decode()
    assert "Vandalised." in page.content.decode()  # the change the revert undoes
    assert Quote.objects.get(pk=quote.pk).text == "Vandalised."


# Item 2: corrections are append-only, and readers never see version numbers.


def test_defect_2_a_revert_before_a_correction_keeps_the_correction(published):
    before = version_before_correction(published)
    services.quote_revert(
        quote=published,
        event_id=before,
        user=ReviewerFactory(),
        correction_note="Back to the reported words.",
    )
    published.refresh_from_db()
    assert [c["note"] for c in published.corrections] == [
        "The text was shortened.",
        "Back to the reported words.",
    ]
    api = Client().get(f"/api/v1/quotes/{published.key}/").json()
    assert [c["note"] for c in api["corrections"]] == [
        "The text was shortened.",
        "Back to the reported words.",
    ]
    page = Client().get(reverse("reader:quote", args=[published.key])).content.decode()
    assert "Back to the reported words." in page
    assert f"version {before}" not in page
    assert "corrections changed" not in page.lower()


@pytest.mark.parametrize("model", ["citation", "translation"])
def test_defect_1_the_citation_and_translation_pages_do_not_write_past_the_services(
    published, model
):
    part = (
        published.citations.get()
        if model == "citation"
        else TranslationFactory(quote=published, language="en", text="Beyond self-defence.")
    )
    client = logged_in(ReviewerFactory())
    change = reverse(f"admin:quotes_{model}_change", args=[part.pk])
    page = client.get(change)
    assert page.status_code == 200
    quote_page = reverse("admin:quotes_quote_change", args=[published.pk])
    assert quote_page in page.content.decode()  # edited there, through the services
    edit = {"text": "Rewritten.", "excerpt": "", "official": "on", "quote": published.pk}
    assert client.post(change, edit).status_code == 403
    delete = reverse(f"admin:quotes_{model}_delete", args=[part.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse(f"admin:quotes_{model}_add")).status_code == 403
    assert type(part).objects.filter(pk=part.pk).exists()
    assert published.citations.filter(excerpt=EXCERPT).exists()


# Item 4: a new record does not take an old key that leads to another record.


def test_defect_4_the_intake_does_not_hand_out_an_old_key():
    renamed = SpeakerFactory(key="wang-yi-foreign-minister", name="Wang Yi")
    KeyRedirect.objects.create(kind="speaker", old_key="wang-yi", speaker=renamed, cause="rename")
    statement = AcceptedStatement(
        text="Beyond self-defense.",
        kind="direct",
        language="en",
        excerpt=EXCERPT,
        speaker=NewSpeaker(name="Wang Yi"),
    )
    result = intake_confirm(
        user=EditorFactory(),
        source=SourceFields(title="Report", full_text=FULL_TEXT),
        statements=[statement],
    )
    [speaker] = result.speakers
    assert speaker.key == "wang-yi-2"
    assert KeyRedirect.objects.get(old_key="wang-yi").speaker == renamed
    assert Speaker.objects.filter(key="wang-yi").count() == 0


def test_defect_4_the_api_refuses_a_new_speaker_with_an_old_key(editor_api):
    renamed = SpeakerFactory(key="wang-yi-foreign-minister")
    KeyRedirect.objects.create(kind="speaker", old_key="wang-yi", speaker=renamed, cause="rename")
    response = editor_api.post(
        "/api/v1/speakers/", {"key": "wang-yi", "name": "Wang Yi"}, format="json"
    )
    assert response.status_code == 400
    assert "wang-yi-foreign-minister" in str(response.json()["key"])
    moved = editor_api.get("/api/v1/speakers/wang-yi/")
    assert moved.status_code == 301


# Item 3: the importer keeps the excerpts in their sources' full texts.


def test_defect_3_an_import_may_not_drop_a_cited_excerpt_from_a_full_text(published, tmp_path):
    stored = published.citations.get().source
    source = {"type": "source", "key": "article", "title": stored.title, "url": stored.url}
    source["full_text"] = "Other words."
    outcome = run_import(tmp_path / "sources.ndjson", ndjson(source))
    assert not outcome.ok
    assert outcome.error_lines == [
        "line 1, field full_text: The excerpts cited by 1 quote(s) (remark) do not occur in "
        "this text. Correct the text or those excerpts first."
    ]
    assert Quote.objects.get(pk=published.pk).citations.get().source.full_text == FULL_TEXT
    source["full_text"] = FULL_TEXT + " More words."
    assert run_import(tmp_path / "sources.ndjson", ndjson(source)).ok


def test_defect_2_an_import_may_not_remove_a_public_correction(published):
    with pytest.raises(Refused) as refused:
        import_edited(SYSTEM, published.key, lambda record: record.update(corrections=[]))
    assert refused.value.field == "corrections"
    published.refresh_from_db()
    assert [c["note"] for c in published.corrections] == ["The text was shortened."]


def test_defect_1_removing_an_affiliation_in_the_admin_corrects_the_quotes_it_alters(published):
    role = AffiliationFactory(speaker=published.speaker, role="Foreign Minister", start="2013")
    services.speaker_quotes_reresolve(speaker=published.speaker)
    published.refresh_from_db()
    assert published.role == role
    client = logged_in(EditorFactory())
    url = reverse("admin:quotes_speaker_change", args=[published.speaker.pk])
    page = client.get(url)
    assert "remark" in page.content.decode()  # the published quotes the change may alter
    data = admin_form_data(page, **{"affiliations-0-DELETE": "on"})
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "correction_note" in refused.content.decode()
    assert Quote.objects.get(pk=published.pk).role == role
    data["correction_note"] = "He did not hold that role on that day."
    assert client.post(url, data).status_code == 302
    published.refresh_from_db()
    assert published.role is None
    assert published.corrections[-1]["note"] == "He did not hold that role on that day."
    statement = Client().get(reverse("reader:quote", args=[published.key])).content.decode()
    assert "He did not hold that role on that day." in statement


# Editors' paths: create_editor sets a password without a terminal, and its hint works.


def test_create_editor_sets_a_password_from_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase 42\n"))
    call_command("create_editor", "alice", "--password-stdin")
    assert "The password of alice was set." in capsys.readouterr().out
    user = get_user_model().objects.get(username="alice")
    assert user.check_password("a long enough passphrase 42")
    assert user.is_staff


def test_create_editor_refuses_an_empty_password_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    with pytest.raises(CommandError, match="no password"):
        call_command("create_editor", "alice", "--password-stdin")


def test_create_editor_prints_a_password_hint_that_runs_as_written(capsys):
    call_command("create_editor", "bob")
    [hint] = [line for line in capsys.readouterr().out.splitlines() if "changepassword" in line]
    command = shlex.split(hint.split(": ", 1)[1])
    assert Path(command[0]).is_file()  # the interpreter that ran the command
    assert Path(command[1]).name == "manage.py"
    assert Path(command[1]).is_file()
    assert command[2:] == ["changepassword", "bob"]


# Item 6: the admin.


def test_defect_6_save_and_continue_on_a_new_quote_opens_the_new_quote(editor_client):
    speaker = SpeakerFactory()
    url = reverse("admin:quotes_quote_add")
    data = admin_form_data(
        editor_client.get(url),
        speaker=speaker.pk,
        text="A new statement.",
        language="en",
        kind="direct",
        status="draft",
        _continue="Save and continue editing",
    )
    response = editor_client.post(url, data)
    quote = Quote.objects.get(text="A new statement.")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:quotes_quote_change", args=[quote.pk])


def test_defect_6_the_merge_form_chooses_nothing_and_marks_the_differences(reviewer_client):
    first = QuoteFactory(text="We demand an immediate ceasefire in Gaza.")
    second = QuoteFactory(speaker=first.speaker, text="We demand a ceasefire in Gaza now.")
    page = reviewer_client.post(
        reverse("admin:quotes_quote_changelist"),
        {"action": "merge_quotes", "_selected_action": [first.pk, second.pk]},
    ).content.decode()
    assert 'name="survivor"' in page
    assert "checked" not in page.split('name="survivor"', 1)[1].split(">", 1)[0]
    assert "<mark>immediate</mark>" in page
    assert "<mark>now.</mark>" in page
    assert 'class="merge-differs"' in page
    done = reviewer_client.post(
        reverse("admin:quotes_quote_changelist"),
        {"action": "merge_quotes", "_selected_action": [first.pk, second.pk], "confirm": "yes"},
        follow=True,
    )
    assert "Choose the quote that stays." in done.content.decode()
    assert Quote.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_defect_6_the_revision_page_has_accept_and_reject_buttons(published, reviewer_client):
    outcome = services.quote_update(
        quote=published, user=EditorFactory(), changes={"context": "On a phone call."}
    )
    url = reverse("admin:quotes_quoterevision_change", args=[outcome.revision.pk])
    page = reviewer_client.get(url).content.decode()
    assert 'value="accept"' in page
    assert 'value="reject"' in page
    editors_page = logged_in(EditorFactory()).get(url).content.decode()
    assert 'value="accept"' not in editors_page
    # The buttons post the list's action for this revision, which asks for the note.
    changelist = reverse("admin:quotes_quoterevision_changelist")
    confirm = reviewer_client.post(
        changelist, {"action": "accept", "_selected_action": [outcome.revision.pk]}
    )
    assert "Accept revisions" in confirm.content.decode()


def test_defect_6_an_editor_is_not_offered_publishing_or_retracting(editor_client):
    quote = QuoteFactory(status=Quote.Status.REVIEW)
    form = editor_client.get(reverse("admin:quotes_quote_change", args=[quote.pk]))
    assert 'value="published"' not in str(form.context["adminform"].form["status"])
    choices = [value for value, _ in form.context["adminform"].form.fields["status"].widget.choices]
    assert choices == ["draft", "review"]
    published = QuoteFactory(status=Quote.Status.PUBLISHED)
    form = editor_client.get(reverse("admin:quotes_quote_change", args=[published.pk]))
    assert [v for v, _ in form.context["adminform"].form.fields["status"].widget.choices] == [
        "published"
    ]


def test_defect_6_the_form_of_a_quote_with_a_pending_revision_points_to_it(published):
    client = logged_in(EditorFactory())
    url = reverse("admin:quotes_quote_change", args=[published.pk])
    data = admin_form_data(client.get(url), context="On a phone call.")
    client.post(url, data)
    revision = QuoteRevision.objects.get(quote=published, status="pending")
    page = client.get(url).content.decode()
    assert reverse("admin:quotes_quoterevision_change", args=[revision.pk]) in page
    assert "wait for a reviewer" in page


def test_defect_1_deleting_an_affiliation_on_its_own_page_keeps_the_published_role(published):
    role = AffiliationFactory(speaker=published.speaker, role="Foreign Minister", start="2013")
    services.speaker_quotes_reresolve(speaker=published.speaker)
    client = logged_in(EditorFactory())
    url = reverse("admin:quotes_affiliation_delete", args=[role.pk])
    response = client.post(url, {"post": "yes"}, follow=True)
    assert "Nothing was deleted" in response.content.decode()
    assert "remark" in response.content.decode()
    published.refresh_from_db()
    assert published.role == role
