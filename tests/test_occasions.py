"""Occasions: calls, meetings, summits… with their participants, written through the
services, the admin and the API, and named by statements."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from quotes import history, services
from quotes.exceptions import CurationError, MergeNotAllowed
from quotes.models import KeyRedirect, Occasion, Quote, Speaker
from tests.admin_forms import admin_form_data
from tests.conftest import token_client
from tests.factories import (
    CitationFactory,
    EditorFactory,
    OccasionFactory,
    OccasionParticipantFactory,
    OrganizationFactory,
    QuoteFactory,
    ReviewerFactory,
    SourceFactory,
    SpeakerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
OCCASIONS = "/api/v1/occasions/"

MERGED = "Two records of the same call were merged."


def test_the_factory_builds_a_valid_occasion():
    occasion = OccasionFactory()
    occasion.full_clean(exclude=["start_day"])
    assert str(occasion.start) == "2023-10-14"
    assert Occasion.objects.get(pk=occasion.pk).start_day.isoformat() == "2023-10-14"


def test_an_occasion_does_not_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        OccasionFactory(start="2023-10-14", end="2023-10-13")
    assert OccasionFactory(start="2023-10", end="2023").end is not None


def test_an_occasion_is_public_once_a_public_statement_names_it():
    occasion = OccasionFactory()
    QuoteFactory(occasion=occasion, status=Quote.Status.DRAFT)
    assert not Occasion.objects.public().filter(pk=occasion.pk).exists()
    QuoteFactory(occasion=occasion, status=Quote.Status.PUBLISHED)
    assert Occasion.objects.public().filter(pk=occasion.pk).exists()


def test_the_service_writes_an_occasion_with_its_participants_and_history():
    editor = EditorFactory()
    wang, faisal = SpeakerFactory(), SpeakerFactory()
    ministry = OrganizationFactory()
    occasion = Occasion(key="call", name="Phone call", kind=Occasion.Kind.CALL, start="2023-10")
    services.occasion_write(
        occasion=occasion,
        user=editor,
        participants=[
            {"speaker": wang, "organization": ministry},
            {"speaker": faisal, "country": "SA"},
        ],
    )
    taking_part = {(p.speaker, p.organization, p.country.code) for p in occasion.participants.all()}
    assert taking_part == {(wang, ministry, ""), (faisal, None, "SA")}
    services.occasion_write(occasion=occasion, user=editor, participants=[{"speaker": wang}])
    assert [p.speaker for p in occasion.participants.all()] == [wang]
    parts = [
        (change.part, change.action)
        for entry in history.record_history(occasion)
        for change in entry.changes
    ]
    assert ("participant", "removed") in parts
    assert ("occasion", "created") in parts


def test_a_participant_given_twice_is_refused():
    speaker = SpeakerFactory()
    with pytest.raises(ValidationError) as refused:
        services.occasion_write(
            occasion=OccasionFactory.build(key="twice"),
            user=EditorFactory(),
            participants=[{"speaker": speaker}, {"speaker": speaker}],
        )
    assert "participants" in refused.value.message_dict


def test_an_occasion_cannot_be_inside_itself():
    summit = OccasionFactory(kind=Occasion.Kind.SUMMIT)
    meeting = OccasionFactory(kind=Occasion.Kind.MEETING, parent=summit)
    summit.parent = meeting
    with pytest.raises(ValidationError) as refused:
        services.occasion_write(occasion=summit, user=EditorFactory())
    assert "parent" in refused.value.message_dict


def test_a_renamed_occasion_keeps_its_old_key_and_a_new_one_may_not_take_it():
    editor = EditorFactory()
    occasion = OccasionFactory(key="old-call")
    occasion.key = "new-call"
    services.occasion_write(occasion=occasion, user=editor)
    assert KeyRedirect.objects.get(kind="occasion", old_key="old-call").target == occasion
    with pytest.raises(ValidationError) as refused:
        services.occasion_write(occasion=OccasionFactory.build(key="old-call"), user=editor)
    assert "new-call" in refused.value.message_dict["key"][0]


def test_only_editors_write_occasions_and_only_reviewers_merge_them():
    with pytest.raises(CurationError):
        services.occasion_write(occasion=OccasionFactory.build(key="x"), user=UserFactory())
    survivor, duplicate = OccasionFactory(), OccasionFactory()
    with pytest.raises(CurationError):
        services.occasion_merge(survivor=survivor, duplicate=duplicate, user=EditorFactory())
    assert Occasion.objects.filter(pk=duplicate.pk).exists()


def test_a_merge_moves_statements_and_participants_and_redirects_the_key():
    survivor = OccasionFactory(key="call", place="")
    duplicate = OccasionFactory(key="same-call", place="Riyadh")
    shared = SpeakerFactory()
    OccasionParticipantFactory(occasion=survivor, speaker=shared)
    OccasionParticipantFactory(occasion=duplicate, speaker=shared)
    other = OccasionParticipantFactory(occasion=duplicate)
    quote = QuoteFactory(occasion=duplicate, status="published")
    # Its statements then show another occasion (name, place): a correction of each.
    with pytest.raises(ValidationError) as refused:
        services.occasion_merge(survivor=survivor, duplicate=duplicate, user=ReviewerFactory())
    assert quote.key in str(refused.value.message_dict["correction_note"])
    merged = services.occasion_merge(
        survivor=survivor, duplicate=duplicate, user=ReviewerFactory(), correction_note=MERGED
    )
    assert merged.place == "Riyadh"
    quote.refresh_from_db()
    assert quote.occasion == survivor
    assert [c["note"] for c in quote.corrections] == [MERGED]
    assert {p.speaker for p in survivor.participants.all()} == {shared, other.speaker}
    assert KeyRedirect.objects.get(kind="occasion", old_key="same-call").target == survivor
    with pytest.raises(MergeNotAllowed):
        services.occasion_merge(survivor=survivor, duplicate=survivor, user=ReviewerFactory())


# The admin.


def test_the_admin_adds_an_occasion_with_a_participant():
    editor = EditorFactory()
    speaker = SpeakerFactory()
    client = Client()
    client.force_login(editor)
    url = reverse("admin:quotes_occasion_add")
    form = admin_form_data(
        client.get(url),
        key="press-1",
        name="Press conference",
        kind="press_conference",
        start="2024-02",
        **{
            "participants-TOTAL_FORMS": "1",
            "participants-0-speaker": str(speaker.pk),
            "participants-0-country": "CN",
        },
    )
    response = client.post(url, form)
    assert response.status_code == 302
    occasion = Occasion.objects.get(key="press-1")
    assert [(p.speaker, p.country.code) for p in occasion.participants.all()] == [(speaker, "CN")]


def test_the_admin_refuses_an_end_before_the_start_with_the_field():
    client = Client()
    client.force_login(EditorFactory())
    url = reverse("admin:quotes_occasion_add")
    form = admin_form_data(
        client.get(url), key="bad", name="Visit", kind="visit", start="2024-02", end="2024-01"
    )
    response = client.post(url, form)
    assert response.status_code == 200
    assert "end" in str(response.context["adminform"].form.errors) + str(
        response.context["adminform"].form.non_field_errors()
    )
    assert not Occasion.objects.filter(key="bad").exists()


def test_the_admin_sets_a_quotes_occasion():
    occasion = OccasionFactory()
    quote = QuoteFactory(status=Quote.Status.DRAFT)
    client = Client()
    client.force_login(EditorFactory())
    url = reverse("admin:quotes_quote_change", args=[quote.pk])
    response = client.post(url, admin_form_data(client.get(url), occasion=str(occasion.pk)))
    assert response.status_code == 302
    assert Quote.objects.get(pk=quote.pk).occasion == occasion


# The API.


def test_the_api_lists_only_public_occasions_to_readers(client):
    public = OccasionFactory(name="Call with Riyadh")
    QuoteFactory(occasion=public)
    OccasionFactory(name="Unreferred meeting")
    listed = client.get(OCCASIONS).json()["results"]
    assert [item["key"] for item in listed] == [public.key]
    assert client.get(f"{OCCASIONS}{OccasionFactory().key}/").status_code == 404


def test_the_api_filters_occasions(client):
    wang = SpeakerFactory(key="wang-yi")
    call = OccasionFactory(key="call", kind="call", start="2023-10-14", country="SA")
    summit = OccasionFactory(key="summit", kind="summit", start="2024", name="Summit in Rome")
    OccasionParticipantFactory(occasion=call, speaker=wang)
    for occasion in (call, summit):
        QuoteFactory(occasion=occasion)

    def keys(**params) -> list[str]:
        response = client.get(OCCASIONS, params)
        assert response.status_code == 200, response.json()
        return sorted(item["key"] for item in response.json()["results"])

    assert keys(kind="summit") == ["summit"]
    assert keys(participant="wang-yi") == ["call"]
    assert keys(country="sa") == ["call"]
    assert keys(q="rome") == ["summit"]
    assert keys(start_after="2023-11") == ["summit"]
    assert keys(start_before="2023") == ["call"]


@pytest.mark.parametrize(
    "params", [{"kind": "party"}, {"start_after": "2023-13"}, {"participant": "a b"}]
)
def test_a_bad_occasion_filter_is_a_400_naming_it(client, params):
    response = client.get(OCCASIONS, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_an_occasion_shows_its_participants_and_public_statements(client):
    occasion = OccasionFactory(key="call")
    participant = OccasionParticipantFactory(occasion=occasion, country="SA")
    said = QuoteFactory(occasion=occasion, speaker=participant.speaker)
    QuoteFactory(occasion=occasion, status=Quote.Status.DRAFT)
    data = client.get(f"{OCCASIONS}call/").json()
    assert data["participants"] == [
        {
            "speaker": {"key": participant.speaker.key, "name": participant.speaker.name},
            "organization": None,
            "country": "SA",
        }
    ]
    assert [item["key"] for item in data["quotes"]] == [said.key]
    assert data["quote_count"] == 1


def test_editors_write_occasions_through_the_api_with_etags():
    editor = EditorFactory()
    speaker = SpeakerFactory(key="faisal")
    api = token_client(editor)
    body = {
        "key": "call",
        "name": "Phone call",
        "kind": "call",
        "start": "2023-10-14",
        "participants": [{"speaker": "faisal", "country": "SA"}],
    }
    created = api.post(OCCASIONS, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["participants"][0]["speaker"]["key"] == "faisal"
    etag = created["ETag"]
    stale = api.patch(f"{OCCASIONS}call/", {"name": "Call"}, format="json", HTTP_IF_MATCH='"0"')
    assert stale.status_code == 412
    changed = api.patch(
        f"{OCCASIONS}call/",
        {"key": "call-2", "place": "Beijing"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["place"] == "Beijing"
    moved = api.get(f"{OCCASIONS}call/")
    assert moved.status_code == 301
    assert Occasion.objects.get(key="call-2").participants.get().speaker == speaker


def test_an_occasion_with_statements_is_not_deleted():
    occasion = OccasionFactory(key="call")
    QuoteFactory(occasion=occasion)
    response = token_client(EditorFactory()).delete(f"{OCCASIONS}call/")
    assert response.status_code == 409
    assert Occasion.objects.filter(key="call").exists()


def test_an_unknown_participant_is_a_400_naming_it():
    response = token_client(EditorFactory()).post(
        OCCASIONS,
        {"key": "x", "name": "X", "kind": "call", "participants": [{"speaker": "nobody"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "participants" in response.json()


def test_a_quote_is_written_and_shown_with_its_occasion():
    occasion = OccasionFactory(key="call", name="Phone call", kind="call")
    speaker = SpeakerFactory(key="wang-yi")
    api = token_client(EditorFactory())
    body = {"speaker": "wang-yi", "text": "A statement.", "language": "en", "occasion": "call"}
    created = api.post("/api/v1/quotes/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["occasion"] == {"key": "call", "name": "Phone call", "kind": "call"}
    assert Quote.objects.get(speaker=speaker).occasion == occasion
    unknown = api.post("/api/v1/quotes/", {**body, "occasion": "nowhere"}, format="json")
    assert unknown.status_code == 400
    assert "occasion" in unknown.json()


def test_quotes_are_filtered_and_counted_by_their_occasion(client):
    call = OccasionFactory(key="call", kind="call")
    summit = OccasionFactory(key="summit", kind="summit")
    made_in_call = QuoteFactory(occasion=call)
    QuoteFactory(occasion=summit)
    QuoteFactory()
    listed = client.get("/api/v1/quotes/", {"occasion": "call"}).json()["results"]
    assert [item["key"] for item in listed] == [made_in_call.key]
    by_kind = client.get("/api/v1/quotes/", {"occasion_kind": "summit"}).json()["results"]
    assert [item["occasion"]["key"] for item in by_kind] == ["summit"]
    facets = client.get("/api/v1/quotes/facets/").json()["facets"]["occasion_kind"]
    assert sorted((f["value"], f["label"], f["count"]) for f in facets) == [
        ("call", "Call", 1),
        ("summit", "Summit", 1),
    ]
    bad = client.get("/api/v1/quotes/", {"occasion_kind": "party"})
    assert bad.status_code == 400
    assert "occasion_kind" in bad.json()


def test_a_renamed_occasion_reaches_the_search_index(client):
    call = OccasionFactory(key="call")
    QuoteFactory(occasion=call)
    call.key = "call-2"
    services.occasion_write(occasion=call, user=EditorFactory())
    listed = client.get("/api/v1/quotes/", {"occasion": "call-2"}).json()["results"]
    assert len(listed) == 1


# The reader's pages and JSON-LD.


def test_an_occasion_page_is_a_404_until_public_and_then_shows_it(client):
    occasion = OccasionFactory(key="call", name="Call with Riyadh", place="Beijing", country="CN")
    participant = OccasionParticipantFactory(occasion=occasion, country="SA")
    assert client.get("/occasions/call/").status_code == 404
    quote = QuoteFactory(occasion=occasion, speaker=participant.speaker)
    page = client.get("/occasions/call/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Call with Riyadh" in html
    assert "Beijing" in html
    assert f'href="/speakers/{participant.speaker.key}/"' in html
    assert "Saudi Arabia" in html
    assert quote.text in html
    listed = client.get("/occasions/").content.decode()
    assert 'href="/occasions/call/"' in listed
    assert 'href="/occasions/"' in client.get("/").content.decode()


def test_an_old_occasion_key_redirects_on_the_reader(client):
    occasion = OccasionFactory(key="call-2")
    QuoteFactory(occasion=occasion)
    KeyRedirect.objects.create(kind="occasion", old_key="call", occasion=occasion)
    response = client.get("/occasions/call/")
    assert response.status_code == 301
    assert response["Location"] == "/occasions/call-2/"


def test_a_statement_links_its_occasion_and_records_it_as_an_event(client):
    from tests.test_jsonld import json_ld, problems

    occasion = OccasionFactory(key="call", name="Phone call", place="Beijing", country="CN")
    quote = QuoteFactory(key="remark", occasion=occasion)
    html = client.get("/quotes/remark/").content.decode()
    assert '<a href="/occasions/call/">Phone call</a>' in html
    data = json_ld(client, "/quotes/remark/")
    assert data["recordedAt"]["@type"] == "Event"
    assert data["recordedAt"]["@id"].endswith("/occasions/call/")
    assert data["recordedAt"]["startDate"] == str(quote.occasion.start)
    assert problems(data) == []
    event = json_ld(client, "/occasions/call/")
    assert event["@type"] == "Event"
    assert problems(event) == []


def test_the_sitemap_lists_public_occasions_only(client):
    public = OccasionFactory(key="public-call")
    QuoteFactory(occasion=public)
    OccasionFactory(key="hidden-call")
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-occasions.xml" in index
    listed = client.get("/sitemap-occasions.xml").content.decode()
    assert "/occasions/public-call/" in listed
    assert "hidden-call" not in listed


def test_a_speaker_page_links_the_public_occasions_of_the_speaker(client):
    speaker = SpeakerFactory()
    public = OccasionFactory(key="public-call")
    QuoteFactory(occasion=public, speaker=speaker)
    hidden = OccasionFactory(key="hidden-call")
    OccasionParticipantFactory(occasion=hidden, speaker=speaker)
    html = client.get(f"/speakers/{speaker.key}/").content.decode()
    assert 'href="/occasions/public-call/"' in html
    assert "hidden-call" not in html


# The interchange format.


def import_lines(*records: dict):
    lines = [json.dumps(record) + "\n" for record in records]
    return services.records_import(lines_or_stream=lines, dry_run=False, user=ReviewerFactory())


def test_an_import_brings_occasions_with_participants_and_quotes_made_there():
    report = import_lines(
        {"type": "organization", "key": "mfa", "name": "Ministry", "kind": "ministry"},
        {"type": "speaker", "key": "wang-yi", "name": "Wang Yi"},
        {
            "type": "occasion",
            "key": "call",
            "name": "Phone call",
            "kind": "call",
            "start": "2023-10-14",
            "participants": [{"speaker": "wang-yi", "organization": "mfa", "country": "CN"}],
        },
        {
            "type": "quote",
            "key": "remark",
            "speaker": "wang-yi",
            "text": "A remark.",
            "language": "en",
            "occasion": "call",
        },
    )
    assert report.ok, report.errors
    occasion = Occasion.objects.get(key="call")
    participant = occasion.participants.get()
    assert (participant.speaker.key, participant.organization.key) == ("wang-yi", "mfa")
    assert Quote.objects.get(key="remark").occasion == occasion


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"start": "2023-10-14", "end": "2023-10-13"}, "end"),
        ({"end": "2023"}, "end"),
        ({"parent": "nowhere"}, "parent"),
        ({"participants": [{"speaker": "nobody"}]}, "participants[0].speaker"),
        ({"country": "XX"}, "country"),
        ({"accounts": [{"source": "nowhere", "country": "CN"}]}, "accounts[0].source"),
        ({"accounts": [{"source": "readout"}]}, "accounts[0]"),
    ],
)
def test_an_import_refuses_a_bad_occasion_naming_the_field(record, field):
    SourceFactory(key="readout")
    base = {"type": "occasion", "key": "call", "name": "Call", "kind": "call"}
    report = import_lines({**base, **record})
    assert not report.ok
    assert field in [error.field for error in report.errors]
    assert not Occasion.objects.exists()


def test_an_import_refuses_a_quote_of_an_unknown_occasion():
    SpeakerFactory(key="wang-yi")
    report = import_lines(
        {
            "type": "quote",
            "key": "remark",
            "speaker": "wang-yi",
            "text": "A remark.",
            "language": "en",
            "occasion": "nowhere",
        }
    )
    assert [error.field for error in report.errors] == ["occasion"]


def test_the_participants_of_a_public_occasion_are_public_speakers(client):
    occasion = OccasionFactory(key="call")
    guest = OccasionParticipantFactory(occasion=occasion, country="SA").speaker
    assert not Speaker.objects.public().filter(pk=guest.pk).exists()
    assert client.get(f"/speakers/{guest.key}/").status_code == 404
    QuoteFactory(occasion=occasion)
    assert Speaker.objects.public().filter(pk=guest.pk).exists()
    assert client.get(f"/speakers/{guest.key}/").status_code == 200
    assert f'href="/speakers/{guest.key}/"' in client.get("/occasions/call/").content.decode()


def test_a_reviewer_merges_two_occasions_in_the_admin():
    client = Client()
    client.force_login(ReviewerFactory())
    survivor, duplicate = OccasionFactory(key="call"), OccasionFactory(key="same-call")
    quote = QuoteFactory(occasion=duplicate, status="published")
    url = reverse("admin:quotes_occasion_changelist")
    selection = {"action": "merge_occasions", "_selected_action": [survivor.pk, duplicate.pk]}
    page = client.post(url, selection).content.decode()
    assert "Merge two occasions" in page
    assert 'name="correction_note"' in page
    confirmed = {**selection, "confirm": "yes", "survivor": survivor.pk}
    refused = client.post(url, confirmed).content.decode()
    assert quote.key in refused  # the statements it would correct, named
    assert Occasion.objects.count() == 2
    client.post(url, {**confirmed, "correction_note": MERGED})
    assert list(Occasion.objects.all()) == [survivor]
    quote.refresh_from_db()
    assert (quote.occasion, quote.corrections[-1]["note"]) == (survivor, MERGED)
    assert client.get("/occasions/same-call/")["Location"] == "/occasions/call/"


def test_a_reviewer_merges_two_occasions_through_the_api():
    survivor, duplicate = OccasionFactory(key="call"), OccasionFactory(key="same-call")
    QuoteFactory(occasion=duplicate, status="published")
    url = f"{OCCASIONS}call/merge/"
    refused = token_client(EditorFactory()).post(url, {"duplicate": "same-call"}, format="json")
    assert refused.status_code == 403
    reviewer = token_client(ReviewerFactory())
    no_note = reviewer.post(url, {"duplicate": "same-call"}, format="json")
    assert no_note.status_code == 400
    assert "correction_note" in no_note.json()
    merged = reviewer.post(
        url, {"duplicate": "same-call", "correction_note": MERGED}, format="json"
    )
    assert merged.status_code == 200, merged.json()
    assert merged.json()["quote_count"] == 1
    assert list(Occasion.objects.all()) == [survivor]
    unknown = token_client(ReviewerFactory()).post(url, {"duplicate": "nowhere"}, format="json")
    assert unknown.status_code == 400
    assert "duplicate" in unknown.json()


# Accounts: a source marked as one party's account of an occasion.


def test_accounts_are_written_through_the_api_and_shown_side_by_side(client):
    occasion = OccasionFactory(key="call", name="Phone call")
    quote = QuoteFactory(occasion=occasion)
    china = OrganizationFactory(key="prc-mfa", name="Ministry of Foreign Affairs of China")
    SourceFactory(key="readout-cn", title="Wang Yi speaks with Faisal", language="en")
    SourceFactory(
        key="readout-sa", title="Saudi readout", full_text="First passage.\nSecond passage."
    )
    CitationFactory(quote=quote, source=SourceFactory._meta.model.objects.get(key="readout-cn"))
    api = token_client(EditorFactory())
    body = {
        "accounts": [
            {"source": "readout-cn", "organization": "prc-mfa"},
            {"source": "readout-sa", "kind": "press_report", "country": "SA"},
        ]
    }
    changed = api.patch(f"{OCCASIONS}call/", body, format="json")
    assert changed.status_code == 200, changed.json()
    accounts = changed.json()["accounts"]
    assert [(a["source"]["key"], a["kind"]) for a in accounts] == [
        ("readout-cn", "readout"),
        ("readout-sa", "press_report"),
    ]
    assert accounts[0]["organization"]["key"] == china.key
    html = client.get("/occasions/call/").content.decode()
    assert '<ul class="accounts">' in html
    assert "Ministry of Foreign Affairs of China" in html
    assert "Saudi Arabia" in html
    assert "<p>Second passage.</p>" in html
    assert f'href="/quotes/{quote.key}/"' in html
    assert client.get("/sources/readout-sa/").status_code == 200  # public through the account


def test_an_account_needs_a_party_and_a_source_once():
    occasion = OccasionFactory()
    source = SourceFactory()
    editor = EditorFactory()
    with pytest.raises(ValidationError) as refused:
        services.occasion_write(occasion=occasion, user=editor, accounts=[{"source": source}])
    assert "accounts" in refused.value.message_dict
    twice = [{"source": source, "country": "CN"}, {"source": source, "country": "SA"}]
    with pytest.raises(ValidationError):
        services.occasion_write(occasion=occasion, user=editor, accounts=twice)
    assert not occasion.accounts.exists()


def test_the_admin_adds_an_account_to_an_occasion():
    occasion = OccasionFactory()
    source = SourceFactory()
    client = Client()
    client.force_login(EditorFactory())
    url = reverse("admin:quotes_occasion_change", args=[occasion.pk])
    form = admin_form_data(
        client.get(url),
        **{
            "accounts-TOTAL_FORMS": "1",
            "accounts-0-source": str(source.pk),
            "accounts-0-kind": "transcript",
            "accounts-0-country": "CN",
        },
    )
    response = client.post(url, form)
    assert response.status_code == 302
    account = occasion.accounts.get()
    assert (account.source, account.kind, account.country.code) == (source, "transcript", "CN")


def test_the_admin_deletes_an_occasion_no_statement_names():
    occasion = OccasionFactory()
    named = OccasionFactory()
    QuoteFactory(occasion=named)
    client = Client()
    client.force_login(EditorFactory())
    url = reverse("admin:quotes_occasion_delete", args=[occasion.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Occasion.objects.filter(pk=occasion.pk).exists()
    refused = client.post(reverse("admin:quotes_occasion_delete", args=[named.pk]), {"post": "yes"})
    assert refused.status_code == 200  # Django names the statements that protect it
    assert Occasion.objects.filter(pk=named.pk).exists()


def test_the_search_page_narrows_by_the_kind_of_occasion(client):
    in_call = QuoteFactory(occasion=OccasionFactory(kind="call"))
    elsewhere = QuoteFactory()
    page = client.get("/").content.decode()
    assert 'href="?occasion_kind=call"' in page
    narrowed = client.get("/", {"occasion_kind": "call"}).content.decode()
    assert f'href="/quotes/{in_call.key}/"' in narrowed
    assert f'href="/quotes/{elsewhere.key}/"' not in narrowed


@pytest.mark.parametrize("field", ["parent"])
def test_an_empty_key_is_a_400_naming_it_not_none(field):
    api = token_client(EditorFactory())
    body = {"key": "a-call", "name": "A call", "kind": "call", field: ""}
    response = api.post(OCCASIONS, body, format="json")
    assert response.status_code == 400
    assert "null" in response.json()[field][0]
    body[field] = None
    assert api.post(OCCASIONS, body, format="json").status_code == 201


# Who becomes public through an occasion: the participants of a public statement's occasion
# (even one with no statement and no role of their own) and its accounts' sources, decided
# once by the QuerySets' public() (quotes/models/records.py) and shown alike on every output.


def _dump_records(kind) -> list[dict]:
    import gzip
    import shutil

    from dumps import services as dumps

    shutil.rmtree(dumps.dumps_dir(), ignore_errors=True)
    version = dumps.dump_create()["version"]
    response = Client().get(f"/dumps/{version}/{kind.name(version)}")
    text = gzip.decompress(b"".join(response.streaming_content)).decode("utf-8-sig")
    if kind is dumps.POPOLO:
        return json.loads(text)["persons"]
    return [json.loads(line) for line in text.splitlines()]


def _in_dump(kind_name: str):
    def shown(guest: str, source: str) -> tuple[bool, bool]:
        from dumps import services as dumps

        records = _dump_records(getattr(dumps, kind_name))
        keys = {record.get("key", record.get("id")) for record in records}
        return guest in keys, source in keys

    return shown


def _status(url: str) -> bool:
    return Client().get(url).status_code == 200


def _contains(url: str, text: str) -> bool:
    response = Client().get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return text in body.decode()


THROUGH_AN_OCCASION = {
    "record pages": lambda g, s: (_status(f"/speakers/{g}/"), _status(f"/sources/{s}/")),
    "lists of records": lambda g, s: (
        _contains("/speakers/", f'href="/speakers/{g}/"'),
        _contains("/sources/", f'href="/sources/{s}/"'),
    ),
    "speaker feed": lambda g, s: (_status(f"/speakers/{g}/feed.atom"), None),
    "API": lambda g, s: (_status(f"/api/v1/speakers/{g}/"), _status(f"/api/v1/sources/{s}/")),
    "sitemaps": lambda g, s: (
        _contains("/sitemap-speakers.xml", f"/speakers/{g}/"),
        _contains("/sitemap-sources.xml", f"/sources/{s}/"),
    ),
    "Popolo": lambda g, s: (_contains("/api/v1/popolo.json", f'"id": "{g}"'), None),
    "NDJSON public dump": _in_dump("NDJSON"),
    "Popolo public dump": lambda g, s: (_in_dump("POPOLO")(g, s)[0], None),
}


@pytest.mark.parametrize("output", THROUGH_AN_OCCASION)
def test_a_participant_and_an_account_are_public_through_a_public_statement_only(output):
    shown = THROUGH_AN_OCCASION[output]
    occasion = OccasionFactory(key="call")
    guest = OccasionParticipantFactory(occasion=occasion, country="SA").speaker
    assert not guest.affiliations.exists()
    services.occasion_write(
        occasion=occasion,
        user=EditorFactory(),
        accounts=[{"source": SourceFactory(key="readout-sa"), "country": "SA"}],
    )
    draft = QuoteFactory(occasion=occasion, status=Quote.Status.DRAFT)
    before = shown(guest.key, "readout-sa")
    Quote.objects.filter(pk=draft.pk).update(status=Quote.Status.PUBLISHED)
    after = shown(guest.key, "readout-sa")
    assert {seen for seen in before if seen is not None} == {False}
    assert {seen for seen in after if seen is not None} == {True}
