"""The admin's "Add statements from a report": read, review beside the report, confirm."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intake.services import AcceptedStatement, SourceFields, intake_confirm
from quotes.exceptions import NotPermitted
from quotes.excerpts import excerpt_occurs
from quotes.models import Citation, Quote, Source, Speaker
from tests.factories import CitationFactory, UserFactory
from tests.intake_support import demo_speakers, demo_text, serve

pytestmark = pytest.mark.django_db

START = "/admin/intake/"
CONFIRM = "/admin/intake/confirm/"


def review(client, **data) -> tuple[str, dict]:
    """Propose from ``data`` and return the review page and its form's fields as posted."""
    response = client.post(START, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Review the proposed statements" in page, page[:3000]
    return page, form_data(response)


def form_data(response) -> dict:
    """What the review form would post back unchanged."""
    source = response.context["source_form"]
    formset = response.context["formset"]
    data = {name: source[name].value() or "" for name in source.fields}
    data.update({f"proposal-{k}": v for k, v in formset.management_form.initial.items()})
    for form in formset.forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def test_the_start_page_offers_the_three_ways(editor_client):
    page = editor_client.get(START).content.decode()
    for name in ("text", "file", "url", "title", "publisher", "published", "language"):
        assert f'name="{name}"' in page
    assert "<script>" not in page  # no inline scripts (the CSP allows static files only)
    quotes = editor_client.get("/admin/quotes/quote/").content.decode()
    assert "Add statements from a report" in quotes


def test_the_review_shows_each_proposal_beside_the_report_with_its_excerpt_marked(
    editor_client,
):
    demo_speakers()
    page, data = review(editor_client, text=demo_text(), published="2023-10-20")
    marks = re.findall(r'<mark id="excerpt-(\d)"[^>]*>(.*?)</mark>', page, re.S)
    assert [number for number, _ in marks] == ["0", "1", "2"]
    assert "Chinese Foreign Minister Wang Yi stated that" in marks[0][1]
    assert data["proposal-TOTAL_FORMS"] == 3
    speakers = [data[f"proposal-{i}-speaker"] for i in range(3)]
    assert speakers == [
        Speaker.objects.get(key=key).pk for key in ("wang-yi", "vladimir-putin", "ma-xiaolin")
    ]
    assert not re.search(r"<script>(?!</script>)", page)
    assert Source.objects.count() == 0  # nothing saved yet


def test_confirming_creates_the_source_drafts_citations_and_new_speakers(editor_client, editor):
    demo_speakers()
    _page, data = review(editor_client, text=demo_text(), published="2023-10-20")
    data["proposal-1-decision"] = "reject"
    data["proposal-2-speaker"] = ""
    data["proposal-2-new_speaker"] = "Ma Xiaolin (ZISU)"
    data["proposal-2-new_speaker_role"] = "Professor at Zhejiang International Studies University"
    data["proposal-0-text"] = "Israel's actions had gone beyond the scope of self-defence."
    data["proposal-0-said"] = "2023-10-14"  # the editor knows the date from elsewhere
    response = editor_client.post(CONFIRM, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    source = Source.objects.get()
    assert response.url == f"/admin/quotes/source/{source.pk}/change/"
    assert source.full_text == demo_text().strip()
    assert source.title == "China and Russia Find Common Cause in Israel-Hamas Conflict"
    assert str(source.published) == "2023-10-20"
    quotes = Quote.objects.order_by("pk")
    assert [q.speaker.name for q in quotes] == ["Wang Yi", "Ma Xiaolin (ZISU)"]
    assert {q.status for q in quotes} == {Quote.Status.DRAFT}
    assert {q.created_by for q in quotes} == {editor}
    assert quotes[0].text == "Israel's actions had gone beyond the scope of self-defence."
    assert quotes[0].kind == "partial"
    assert str(quotes[0].said) == "2023-10-14"
    assert quotes[0].role.role == "Minister of Foreign Affairs"  # resolved by the services
    assert quotes[1].said is None
    new = Speaker.objects.get(name="Ma Xiaolin (ZISU)")
    assert new.description == "Professor at Zhejiang International Studies University"
    # Keys that read well: the source's from its date and first title words, not the whole
    # headline; an undated draft's from its speaker and first words, not "…-undated".
    assert source.key == "2023-10-20-china-and-russia-find-common"
    assert quotes[0].key == "wang-yi-2023-10-14"
    assert quotes[1].key.startswith("ma-xiaolin-zisu-")
    assert "undated" not in quotes[1].key
    for citation in Citation.objects.all():
        assert citation.source == source
        assert excerpt_occurs(citation.excerpt, source.full_text)


def test_a_statement_already_on_record_is_flagged_not_doubled(editor_client):
    speakers = demo_speakers()
    CitationFactory(
        quote__speaker=speakers["vladimir-putin"],
        quote__said=None,
        quote__text="This situation represents a clear failure of U.S. policy in the Middle East.",
    )
    before = (Source.objects.count(), Quote.objects.count())
    _page, data = review(editor_client, text=demo_text(), published="2023-10-20")
    response = editor_client.post(CONFIRM, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Possible duplicates already on record" in page
    assert "resemble quotes on record" in page
    assert (Source.objects.count(), Quote.objects.count()) == before  # nothing written

    data["proposal-1-not_a_duplicate"] = "on"
    assert editor_client.post(CONFIRM, data).status_code == 302
    assert Quote.objects.count() == before[1] + 3


def test_an_excerpt_edited_away_from_the_report_is_refused(editor_client):
    demo_speakers()
    _page, data = review(editor_client, text=demo_text())
    data["proposal-0-excerpt"] = "Wang Yi said something the article never says."
    response = editor_client.post(CONFIRM, data)
    assert response.status_code == 200
    assert "does not occur in the report" in response.content.decode()
    assert Quote.objects.count() == 0


def test_an_accepted_statement_needs_a_speaker(editor_client):
    _page, data = review(editor_client, text="The professor said that the talks would fail soon.")
    data["proposal-0-decision"] = "accept"  # unsure of the speaker, it is not preselected
    data["proposal-0-speaker"] = ""
    data["proposal-0-new_speaker"] = ""
    response = editor_client.post(CONFIRM, data)
    assert "Choose the speaker, or name a new one." in response.content.decode()


def test_uploads_and_urls(editor_client, local_pages):
    upload = SimpleUploadedFile("report.txt", demo_text().encode(), content_type="text/plain")
    page, _data = review(editor_client, file=upload)
    assert page.count('class="intake-excerpt"') == 3
    html = f"<html><body><article><p>{demo_text()}</p></article></body></html>".encode()
    with serve({"/a": (200, "text/html", html)}) as base:
        page, data = review(editor_client, url=f"{base}/a")
    assert data["url"].endswith("/a")
    bad = SimpleUploadedFile("report.pdf", b"%PDF", content_type="application/pdf")
    response = editor_client.post(START, {"file": bad})
    assert "is not a .txt or .html file" in response.content.decode()


def test_one_way_at_a_time(editor_client):
    response = editor_client.post(START, {"text": "a", "url": "https://example.org/"})
    assert "Give the report in one way" in response.content.decode()


def test_only_editors_reach_the_screens(client):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    assert client.get(START).status_code == 403
    with pytest.raises(NotPermitted):
        intake_confirm(user=user, source=SourceFields(title="T", full_text="x"), statements=[])


def test_the_service_refuses_a_quote_that_breaks_a_rule_and_writes_nothing(editor):
    speaker = demo_speakers()["wang-yi"]
    statement = AcceptedStatement(
        text="Words.", kind="direct", language="en", excerpt="not in the text", speaker=speaker
    )
    with pytest.raises(Exception, match="does not occur"):
        intake_confirm(
            user=editor,
            source=SourceFields(title="T", full_text="Another text entirely."),
            statements=[statement],
        )
    assert Source.objects.count() == 0


def test_a_proposal_whose_speaker_is_unsure_is_asked_about_not_preselected(editor_client):
    text = (
        "Maria Olsen, a senior researcher at the Nordic Institute for Peace Studies, said on "
        "Tuesday that the talks in Geneva had stalled over the question of prisoners."
    )
    page, data = review(editor_client, text=text, published="2023-10-20")
    assert "proposal-0-decision" not in data  # neither accepted nor rejected until decided
    assert "Who said it?" in page
    del data["proposal-0-new_speaker"]
    response = editor_client.post(CONFIRM, data)
    assert response.status_code == 200  # the review again, asking for a decision
    assert Source.objects.count() == 0


def test_the_occasion_on_record_is_linked_on_confirming(editor_client):
    from tests.factories import OccasionFactory, OccasionParticipantFactory

    speakers = demo_speakers()
    call = OccasionFactory(key="wang-faisal-call", name="Call with Faisal", start="2023-10-14")
    OccasionParticipantFactory(occasion=call, speaker=speakers["wang-yi"], country="CN")
    text = (
        "On 14 October 2023, in a phone call with Saudi Foreign Minister Faisal bin Farhan, "
        "Chinese Foreign Minister Wang Yi said that Israel's actions had gone beyond the scope "
        "of self-defense."
    )
    page, data = review(editor_client, text=text)
    assert "on record as <code>wang-faisal-call</code>" in page
    assert data["proposal-0-occasion"] == "wang-faisal-call"
    data["proposal-0-decision"] = "accept"
    response = editor_client.post(CONFIRM, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Quote.objects.get().occasion == call
    data["proposal-0-occasion"] = "no-such-occasion"
    refused = editor_client.post(CONFIRM, data)
    assert refused.status_code == 200
    assert "occasion" in refused.context["formset"].forms[0].errors


def test_a_readout_is_confirmed_as_a_partys_account_of_the_occasion(editor_client):
    from quotes.models import OccasionAccount
    from tests.factories import OccasionFactory

    demo_speakers()
    call = OccasionFactory(key="wang-faisal-call", name="Call with Faisal", start="2023-10-14")
    _page, data = review(editor_client, text=demo_text(), published="2023-10-20")
    data["account_of"] = "wang-faisal-call"
    no_party = editor_client.post(CONFIRM, data)
    assert no_party.status_code == 200
    assert "account_organization" in no_party.context["source_form"].errors
    assert not Source.objects.exists()
    data["account_country"] = "CN"
    data["account_kind"] = "press_report"
    response = editor_client.post(CONFIRM, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    account = OccasionAccount.objects.get()
    assert (account.occasion, account.source) == (call, Source.objects.get())
    assert (account.kind, str(account.country)) == ("press_report", "CN")


def test_a_quotation_naming_no_speaker_is_asked_about_as_a_statement(editor_client):
    from tests.factories import SpeakerFactory

    SpeakerFactory(key="ingrid-dahl", name="Ingrid Dahl", country="NO")
    text = (
        "Ingrid Dahl said on Tuesday that the talks had stalled over the question of "
        'prisoners.\n\n"Both sides must return to the table within the week, without conditions."'
    )
    page, data = review(editor_client, text=text, published="2023-10-20")
    assert data["proposal-0-decision"] == "accept"  # named plainly, on record
    assert "proposal-1-decision" not in data  # a quotation naming no one: asked about
    assert "Is this a statement?" in page
