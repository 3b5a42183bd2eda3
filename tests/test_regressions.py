"""One test per defect listed in issue 8, each failing before its fix.

Defects 1 to 9 are also rules of the conformance matrix (tests/test_conformance.py); the
tests here replay each report as it was made. Checked against the code before the fix
(commit f324791, with this file's one import of ``quotes.limits`` replaced by its value):
every test here fails there on its assertion, as do defect 11's two tests in
tests/test_settings.py.
"""

import threading

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.urls import reverse

from quotes import limits
from quotes.interchange.exporter import export_lines
from quotes.models import Quote
from tests.admin_forms import admin_form_data
from tests.conftest import token_client
from tests.factories import (
    AffiliationFactory,
    CitationFactory,
    EditorFactory,
    OrganizationFactory,
    QuoteFactory,
    ReviewerFactory,
    SourceFactory,
    SpeakerFactory,
    UserFactory,
)
from tests.interchange_support import ndjson, run_import

pytestmark = pytest.mark.django_db
QUOTES = "/api/v1/quotes/"


def test_defect_10_a_permission_given_directly_works_in_the_api_as_in_the_admin(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_quote", "view_quote"])
    )
    quote = QuoteFactory(status=Quote.Status.DRAFT, context="")
    response = token_client(user).patch(
        f"{QUOTES}{quote.key}/", {"context": "A phone call."}, format="json"
    )
    assert response.status_code == 200, response.content
    client.force_login(user)
    url = reverse("admin:quotes_quote_change", args=[quote.pk])
    data = admin_form_data(client.get(url), context="A press conference.")
    assert client.post(url, data).status_code == 302
    quote.refresh_from_db()
    assert quote.context == "A press conference."


# Defects 1 to 9, as reported against the API, the admin and the importer.

FULL_TEXT = "Wang Yi said the actions went beyond self-defense, and urged a ceasefire."
EXCERPT = "went beyond self-defense"


@pytest.fixture
def published():
    source = SourceFactory(key="article", full_text=FULL_TEXT)
    quote = QuoteFactory(key="remark", text="Beyond self-defense.", said="2023-10-14")
    CitationFactory(quote=quote, source=source, excerpt=EXCERPT)
    return quote


def test_defect_1_an_editors_change_of_a_published_quote_waits_for_a_reviewer(
    published, editor_api, api_client
):
    SpeakerFactory(key="someone-else")
    response = editor_api.patch(
        f"{QUOTES}remark/", {"text": "Rewritten.", "speaker": "someone-else"}, format="json"
    )
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending"
    assert set(response.json()["changes"]) == {"text", "speaker"}
    public = api_client.get(f"{QUOTES}remark/").json()
    assert (public["text"], public["speaker"]["key"]) == (
        "Beyond self-defense.",
        published.speaker.key,
    )
    listed = editor_api.get(f"{QUOTES}remark/revisions/").json()["results"]
    assert [(r["status"], r["author"]) for r in listed] == [("pending", response.json()["author"])]


def test_defect_1_a_reviewer_accepts_with_a_note_that_readers_see(
    published, editor_api, reviewer_api, api_client
):
    revision = editor_api.patch(f"{QUOTES}remark/", {"text": "Rewritten."}, format="json").json()
    accept = f"{QUOTES}remark/revisions/{revision['id']}/accept/"
    assert editor_api.post(accept, {"correction_note": "x"}, format="json").status_code == 403
    refused = reviewer_api.post(accept, {}, format="json")
    assert refused.status_code == 400
    assert "correction_note" in refused.json()
    accepted = reviewer_api.post(accept, {"correction_note": "Misquoted."}, format="json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    public = api_client.get(f"{QUOTES}remark/").json()
    assert public["text"] == "Rewritten."
    assert [c["note"] for c in public["corrections"]] == ["Misquoted."]
    again = reviewer_api.post(accept, {"correction_note": "Twice."}, format="json")
    assert again.status_code == 409


def test_defect_1_a_reviewer_rejects_with_a_reason(published, editor_api, reviewer_api):
    revision = editor_api.patch(f"{QUOTES}remark/", {"text": "Rewritten."}, format="json").json()
    reject = f"{QUOTES}remark/revisions/{revision['id']}/reject/"
    assert reviewer_api.post(reject, {}, format="json").status_code == 400
    response = reviewer_api.post(reject, {"reason": "The source says otherwise."}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "rejected")
    assert Quote.objects.get(key="remark").text == "Beyond self-defense."


def test_defect_2_a_published_quote_keeps_its_source(published, editor_api, reviewer_api):
    assert editor_api.patch(f"{QUOTES}remark/", {"citations": []}, format="json").status_code == 202
    response = reviewer_api.patch(
        f"{QUOTES}remark/", {"citations": [], "correction_note": "Source gone."}, format="json"
    )
    assert response.status_code == 400
    assert "citations" in response.json()
    assert published.citations.count() == 1


@pytest.mark.parametrize("status", ["published", "retracted"])
def test_defect_3_published_and_retracted_quotes_are_not_deleted(status, editor_api, editor_client):
    quote = QuoteFactory(status=status, retraction_reason="Misattributed.")
    response = editor_api.delete(f"{QUOTES}{quote.key}/")
    assert response.status_code == 409
    assert "stays on record" in response.json()["detail"]
    page = editor_client.post(
        reverse("admin:quotes_quote_delete", args=[quote.pk]), {"post": "yes"}, follow=True
    )
    assert "stays on record" in page.content.decode()
    assert Quote.objects.filter(pk=quote.pk).exists()


def test_defect_4_a_renamed_key_redirects(published, reviewer_api, api_client):
    response = reviewer_api.patch(f"{QUOTES}remark/", {"key": "wang-yi-remark"}, format="json")
    assert response.status_code == 200, response.content
    moved = api_client.get(f"{QUOTES}remark/")
    assert moved.status_code == 301
    assert moved["Location"].endswith(f"{QUOTES}wang-yi-remark/")
    assert "was renamed to wang-yi-remark" in moved.json()["detail"]
    write = reviewer_api.patch(f"{QUOTES}remark/", {"context": "x"}, format="json")
    assert write.status_code == 308


@pytest.mark.parametrize("model", ["speakers", "organizations", "sources"])
def test_defect_4_renamed_speakers_organizations_and_sources_redirect(model, editor_api):
    factory = {"speakers": SpeakerFactory, "organizations": OrganizationFactory}.get(
        model, SourceFactory
    )
    factory(key="old-key")
    assert (
        editor_api.patch(f"/api/v1/{model}/old-key/", {"key": "new-key"}, format="json").status_code
        == 200
    )
    moved = editor_api.get(f"/api/v1/{model}/old-key/")
    assert moved.status_code == 301
    assert moved["Location"].endswith(f"/api/v1/{model}/new-key/")


def test_defect_5_the_same_text_by_the_same_speaker_is_a_conflict(published, editor_api):
    payload = {
        "speaker": published.speaker.key,
        "text": published.text,
        "language": "en",
        "said": "2023-10-14",
    }
    response = editor_api.post(QUOTES, payload, format="json")
    assert response.status_code == 409
    assert response.json()["similar"] == [
        {
            "key": "remark",
            "score": 1.0,
            "relation": "same_speaker",
            "language": "en",
            "match": "text",
        }
    ]
    assert (
        editor_api.post(QUOTES, {**payload, "allow_similar": True}, format="json").status_code
        == 201
    )


def race(monkeypatch, url: str, writers: list, bodies: list[dict]) -> list[int]:
    """PATCH ``bodies`` at once; each writer reads the record, then waits until the other
    has read it too, as two editors saving at the same moment do."""
    from api import views

    get_object = views.KeyedViewSet.get_object
    read, both_read, statuses = [], threading.Event(), []

    def get_then_wait(self):
        found = get_object(self)
        read.append(True)
        if len(read) == 2:
            both_read.set()
        both_read.wait(timeout=1)
        return found

    def write(client, body: dict) -> None:
        try:
            statuses.append(client.patch(url, body, format="json").status_code)
        finally:
            connection.close()

    monkeypatch.setattr(views.KeyedViewSet, "get_object", get_then_wait)
    threads = [
        threading.Thread(target=write, args=pair) for pair in zip(writers, bodies, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    monkeypatch.undo()
    return statuses


# Real transactions, one per thread; serialized_rollback restores the migrated data.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_defect_6_concurrent_changes_of_different_fields_both_persist(monkeypatch):
    quote = QuoteFactory(status=Quote.Status.DRAFT, context="", text="First.")
    writers = [token_client(EditorFactory()) for _ in range(2)]
    for round_ in range(3):
        bodies = [{"context": f"Context {round_}."}, {"text": f"Text {round_}."}]
        assert race(monkeypatch, f"{QUOTES}{quote.key}/", writers, bodies) == [200, 200]
        quote.refresh_from_db()
        assert (quote.context, quote.text) == (f"Context {round_}.", f"Text {round_}.")


def test_defect_7_an_import_checks_excerpts_against_the_full_text(tmp_path, editor_client):
    path = tmp_path / "records.ndjson"
    records = [
        {"type": "speaker", "key": "wang-yi", "name": "Wang Yi"},
        {"type": "source", "key": "article", "title": "Report", "full_text": FULL_TEXT},
        {
            "type": "quote",
            "key": "remark",
            "speaker": "wang-yi",
            "text": "Beyond self-defense.",
            "language": "en",
            "citations": [{"source": "article", "excerpt": "not in the article"}],
            "status": "published",
        },
    ]
    outcome = run_import(path, ndjson(*records))
    assert not outcome.ok
    assert outcome.error_lines == [
        "line 3, field citations[0].excerpt: This excerpt does not occur in the full text of "
        '“source "article"” (differences in spaces, quote marks and dashes are ignored). '
        "Copy it exactly as the source has it."
    ]
    records[2]["citations"][0]["excerpt"] = EXCERPT
    assert run_import(path, ndjson(*records)).ok
    # And the admin saves the imported quote unchanged.
    quote = Quote.objects.get(key="remark")
    url = reverse("admin:quotes_quote_change", args=[quote.pk])
    reviewer = Client()
    reviewer.force_login(ReviewerFactory())
    response = reviewer.post(url, admin_form_data(reviewer.get(url)))
    assert response.status_code == 302


def test_defect_8_the_largest_text_the_api_accepts_survives_export_and_import(editor_api, tmp_path):
    SpeakerFactory(key="s")
    longest = "🕊" * limits.QUOTE_TEXT  # 4 bytes each in UTF-8
    payload = {"speaker": "s", "text": longest, "language": "en", "key": "longest"}
    assert editor_api.post(QUOTES, payload, format="json").status_code == 201
    too_long = {**payload, "key": "too-long", "text": longest + "🕊"}
    response = editor_api.post(QUOTES, too_long, format="json")
    assert response.status_code == 400
    assert "text" in response.json()
    exported = "".join(export_lines())
    Quote.objects.all().delete()
    assert run_import(tmp_path / "dump.ndjson", exported).ok
    assert Quote.objects.get(key="longest").text == longest


def test_defect_9_a_new_speaker_in_the_admin_gets_a_role_of_their_own(editor_client):
    ma = SpeakerFactory(key="ma-xiaolin", name="Ma Xiaolin")
    professor = AffiliationFactory(speaker=ma, role="Professor", start="2000")
    putin = SpeakerFactory(key="putin", name="Vladimir Putin")
    president = AffiliationFactory(speaker=putin, role="President", start="2012")
    quote = QuoteFactory(speaker=ma, status=Quote.Status.DRAFT, said="2023-10-14")
    quote.role, quote.role_resolution = professor, Quote.RoleResolution.RESOLVED
    quote.save()
    url = reverse("admin:quotes_quote_change", args=[quote.pk])
    page = editor_client.get(url)
    offered = set(page.context["adminform"].form.fields["role"].queryset)
    assert offered == {professor}  # only the speaker's own affiliations
    response = editor_client.post(url, admin_form_data(page, speaker=putin.pk))
    assert response.status_code == 302
    quote.refresh_from_db()
    assert (quote.speaker, quote.role, quote.role_resolution) == (putin, president, "resolved")


def test_defect_9_an_explicit_role_of_the_former_speaker_is_refused(editor_client):
    ma = SpeakerFactory(key="ma-xiaolin", name="Ma Xiaolin")
    professor = AffiliationFactory(speaker=ma, role="Professor", start="2000")
    putin = SpeakerFactory(key="putin", name="Vladimir Putin")
    quote = QuoteFactory(speaker=ma, status=Quote.Status.DRAFT)
    quote.role, quote.role_resolution = professor, Quote.RoleResolution.EXPLICIT
    quote.save()
    url = reverse("admin:quotes_quote_change", args=[quote.pk])
    response = editor_client.post(url, admin_form_data(editor_client.get(url), speaker=putin.pk))
    assert response.status_code == 200
    assert "is an affiliation of Ma Xiaolin" in str(response.context["adminform"].form.errors)
    quote.refresh_from_db()
    assert quote.speaker == ma
