"""The review workflow: draft → review → published → retracted, who may do what, and how
the admin applies it."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from quotes import history, services
from quotes.exceptions import NotPermitted, TransitionNotAllowed
from quotes.models import Quote
from quotes.permissions import permission
from quotes.workflow import TRANSITIONS, allowed_targets, transition_for
from tests.admin_forms import admin_form_data
from tests.factories import (
    AffiliationFactory,
    CitationFactory,
    EditorFactory,
    QuoteFactory,
    ReviewerFactory,
)

pytestmark = pytest.mark.django_db

Status = Quote.Status


def cited_quote(status: str = Status.DRAFT, **kwargs) -> Quote:
    return CitationFactory(quote__status=status, **kwargs).quote


def test_the_groups_exist_with_their_permissions():
    editors = Group.objects.get(name="Editors")
    reviewers = Group.objects.get(name="Reviewers")
    editor_codenames = set(editors.permissions.values_list("codename", flat=True))
    reviewer_codenames = set(reviewers.permissions.values_list("codename", flat=True))
    special = {"publish_quote", "retract_quote", "merge_quote", "merge_speaker", "verify_citation"}
    assert {"add_quote", "change_quote", "change_citation"} <= editor_codenames
    assert not special & editor_codenames
    assert special | {"add_quote", "change_quote"} <= reviewer_codenames


def test_an_editor_submits_and_a_reviewer_publishes():
    quote = cited_quote()
    editor, reviewer = EditorFactory(), ReviewerFactory()
    services.quote_submit(quote=quote, user=editor)
    assert Quote.objects.get(pk=quote.pk).status == Status.REVIEW
    services.quote_publish(quote=quote, user=reviewer)
    quote.refresh_from_db()
    assert quote.status == Status.PUBLISHED
    assert quote.updated_by == reviewer


def test_an_editor_may_not_publish():
    quote = cited_quote(Status.REVIEW)
    with pytest.raises(NotPermitted, match="Only reviewers may publish"):
        services.quote_publish(quote=quote, user=EditorFactory())
    assert Quote.objects.get(pk=quote.pk).status == Status.REVIEW


def test_a_reviewer_sends_a_quote_back_to_draft():
    quote = cited_quote(Status.REVIEW)
    services.quote_send_back(quote=quote, user=ReviewerFactory(), note="Check the date.")
    assert Quote.objects.get(pk=quote.pk).status == Status.DRAFT


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        (Status.DRAFT, Status.PUBLISHED, "cannot move from draft to published"),
        (Status.PUBLISHED, Status.DRAFT, "From published it can only go to: retract"),
        (Status.RETRACTED, Status.PUBLISHED, "A retracted quote cannot change status"),
        (Status.REVIEW, Status.REVIEW, "already review"),
    ],
)
def test_moves_outside_the_workflow_are_refused_with_a_reason(source, target, message):
    quote = cited_quote(source, quote__retraction_reason="x" if source == "retracted" else "")
    with pytest.raises(TransitionNotAllowed, match=message):
        services.quote_transition(quote=quote, status=target, user=ReviewerFactory())
    assert Quote.objects.get(pk=quote.pk).status == source


def test_publishing_needs_a_citation_with_an_excerpt():
    quote = QuoteFactory(status=Status.REVIEW)
    reviewer = ReviewerFactory()
    with pytest.raises(TransitionNotAllowed, match="at least one citation that has an excerpt"):
        services.quote_publish(quote=quote, user=reviewer)
    CitationFactory(quote=quote, excerpt="   ")
    with pytest.raises(TransitionNotAllowed):
        services.quote_publish(quote=quote, user=reviewer)
    CitationFactory(quote=quote)
    services.quote_publish(quote=quote, user=reviewer)
    assert quote.status == Status.PUBLISHED


def test_retracting_needs_a_reason_and_keeps_it():
    quote = cited_quote(Status.PUBLISHED)
    reviewer = ReviewerFactory()
    with pytest.raises(TransitionNotAllowed, match="needs a reason"):
        services.quote_retract(quote=quote, reason="  ", user=reviewer)
    services.quote_retract(quote=quote, reason="Misattributed: said by his deputy.", user=reviewer)
    quote.refresh_from_db()
    assert quote.status == Status.RETRACTED
    assert quote.retraction_reason == "Misattributed: said by his deputy."


def test_the_transition_table_is_the_only_way():
    moves = {(t.source, t.target) for t in TRANSITIONS}
    assert moves == {
        ("draft", "review"),
        ("review", "draft"),
        ("review", "published"),
        ("published", "retracted"),
    }
    assert permission(transition_for("review", "published").action) == "quotes.publish_quote"


def test_allowed_targets_depend_on_the_user():
    assert allowed_targets(Status.REVIEW, EditorFactory()) == [Status.DRAFT]
    assert set(allowed_targets(Status.REVIEW, ReviewerFactory())) == {"draft", "published"}


def test_saving_a_quote_does_not_change_its_status_behind_the_workflow():
    quote = cited_quote(Status.REVIEW)
    quote.status = Status.PUBLISHED
    with pytest.raises(TransitionNotAllowed, match="only through the workflow"):
        services.quote_save(quote=quote, user=EditorFactory())
    new = Quote(speaker=quote.speaker, text="New.", language="en", status=Status.PUBLISHED)
    with pytest.raises(TransitionNotAllowed, match="starts as a draft"):
        services.quote_save(quote=new, user=EditorFactory())


def test_user_make_editor_creates_editors_and_reviewers():
    editor = services.user_make_editor(username="ana", password="a long secret phrase")
    assert editor.is_staff
    assert editor.check_password("a long secret phrase")
    assert editor.has_perm("quotes.change_quote")
    assert not editor.has_perm("quotes.publish_quote")
    reviewer = services.user_make_editor(username="ana", reviewer=True)
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)  # fresh permission cache
    assert reviewer.has_perm("quotes.publish_quote")
    assert set(reviewer.groups.values_list("name", flat=True)) == {"Editors", "Reviewers"}
    services.user_make_editor(username="ana")
    assert list(editor.groups.values_list("name", flat=True)) == ["Editors"]


# The admin --------------------------------------------------------------------------


def change_url(quote: Quote) -> str:
    return reverse("admin:quotes_quote_change", args=[quote.pk])


def quote_form_data(quote: Quote, client, **changes) -> dict:
    """The change form as the browser would post it, with ``changes`` applied."""
    data = admin_form_data(client.get(change_url(quote)), **changes)
    data["translations-TOTAL_FORMS"] = data["translations-INITIAL_FORMS"]
    data["citations-TOTAL_FORMS"] = data["citations-INITIAL_FORMS"]
    return data


def test_in_the_admin_an_editor_submits_but_cannot_publish(editor_client):
    quote = cited_quote()
    response = editor_client.post(
        change_url(quote), quote_form_data(quote, editor_client, status="review")
    )
    assert response.status_code == 302
    assert Quote.objects.get(pk=quote.pk).status == Status.REVIEW
    response = editor_client.post(
        change_url(quote), quote_form_data(quote, editor_client, status="published")
    )
    assert response.status_code == 200
    assert "Only reviewers may publish quotes." in response.content.decode()
    assert Quote.objects.get(pk=quote.pk).status == Status.REVIEW


def test_in_the_admin_a_reviewer_publishes_with_the_citation_added_in_the_same_save(
    reviewer_client, reviewer
):
    quote = QuoteFactory(status=Status.REVIEW)
    source = CitationFactory().source
    data = quote_form_data(quote, reviewer_client, status="published")
    data.update(
        {
            "citations-TOTAL_FORMS": "1",
            "citations-0-quote": quote.pk,
            "citations-0-source": source.pk,
            "citations-0-excerpt": quote.text,
        }
    )
    response = reviewer_client.post(change_url(quote), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    quote.refresh_from_db()
    assert quote.status == Status.PUBLISHED
    assert quote.citations.get().source == source


def test_in_the_admin_publishing_without_a_cited_excerpt_is_a_form_error(reviewer_client):
    quote = QuoteFactory(status=Status.REVIEW)
    response = reviewer_client.post(
        change_url(quote), quote_form_data(quote, reviewer_client, status="published")
    )
    assert response.status_code == 200
    assert "at least one citation that has an excerpt" in response.content.decode()
    assert Quote.objects.get(pk=quote.pk).status == Status.REVIEW


def test_in_the_admin_a_move_outside_the_workflow_is_a_form_error(reviewer_client):
    quote = cited_quote()
    response = reviewer_client.post(
        change_url(quote), quote_form_data(quote, reviewer_client, status="published")
    )
    assert "A quote cannot move from draft to published" in response.content.decode()
    assert Quote.objects.get(pk=quote.pk).status == Status.DRAFT


def test_in_the_admin_a_new_quote_cannot_start_published(editor_client):
    affiliation = AffiliationFactory()
    response = editor_client.post(
        reverse("admin:quotes_quote_add"),
        {
            "speaker": affiliation.speaker.pk,
            "text": "We call for restraint.",
            "language": "en",
            "kind": "direct",
            "status": "published",
            "translations-TOTAL_FORMS": "0",
            "translations-INITIAL_FORMS": "0",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "starts as a draft" in response.content.decode()
    assert not Quote.objects.exists()


def changelist_action(client, action: str, quotes, **extra):
    return client.post(
        reverse("admin:quotes_quote_changelist"),
        {"action": action, "_selected_action": [q.pk for q in quotes], **extra},
        follow=True,
    )


def test_bulk_submit_reports_what_was_refused(editor_client):
    drafts = [cited_quote(), cited_quote()]
    published = cited_quote(Status.PUBLISHED)
    response = changelist_action(editor_client, "submit_for_review", [*drafts, published])
    text = response.content.decode()
    assert "2 quotes submitted for review." in text
    assert published.key in text
    assert "From published it can only go to" in text
    assert set(Quote.objects.values_list("status", flat=True)) == {"review", "published"}


def test_bulk_publish_is_for_reviewers_only(editor_client, reviewer):
    quote = cited_quote(Status.REVIEW)
    response = changelist_action(editor_client, "publish", [quote])
    assert "No action selected" in response.content.decode()  # not offered to editors
    assert Quote.objects.get(pk=quote.pk).status == Status.REVIEW


def test_bulk_publish_by_a_reviewer(reviewer_client):
    ready, uncited = cited_quote(Status.REVIEW), QuoteFactory(status=Status.REVIEW)
    response = changelist_action(reviewer_client, "publish", [ready, uncited])
    text = response.content.decode()
    assert "1 quote published." in text
    assert "at least one citation that has an excerpt" in text
    assert Quote.objects.get(pk=ready.pk).status == Status.PUBLISHED
    assert Quote.objects.get(pk=uncited.pk).status == Status.REVIEW


def test_bulk_retract_asks_for_a_reason_on_an_intermediate_page(reviewer_client):
    quotes = [cited_quote(Status.PUBLISHED), cited_quote(Status.PUBLISHED)]
    page = changelist_action(reviewer_client, "retract", quotes)
    assert "Reason for the retraction" in page.content.decode()
    assert set(Quote.objects.values_list("status", flat=True)) == {"published"}
    empty = changelist_action(reviewer_client, "retract", quotes, confirm="yes", reason="")
    assert "This field is required" in empty.content.decode()
    done = changelist_action(
        reviewer_client, "retract", quotes, confirm="yes", reason="Misattributed."
    )
    assert "2 quotes retracted." in done.content.decode()
    assert set(Quote.objects.values_list("retraction_reason", flat=True)) == {"Misattributed."}


def test_in_the_admin_a_reviewer_retracts_with_a_reason(reviewer_client):
    quote = cited_quote(Status.PUBLISHED)
    without = reviewer_client.post(
        change_url(quote), quote_form_data(quote, reviewer_client, status="retracted")
    )
    assert "Give the reason readers will see." in without.content.decode()
    assert Quote.objects.get(pk=quote.pk).status == Status.PUBLISHED
    data = quote_form_data(
        quote, reviewer_client, status="retracted", retraction_reason="Misattributed."
    )
    assert reviewer_client.post(change_url(quote), data).status_code == 302
    quote.refresh_from_db()
    assert (quote.status, quote.retraction_reason) == (Status.RETRACTED, "Misattributed.")
    assert history.record_history(quote)[0].action == "retract"


def test_the_status_help_names_the_moves_the_user_may_make(editor_client, reviewer_client):
    quote = cited_quote(Status.REVIEW)
    for client, moves in [(editor_client, "draft"), (reviewer_client, "draft, published")]:
        form = client.get(change_url(quote)).context["adminform"].form
        assert form.fields["status"].help_text == f"From review you may move it to: {moves}."
