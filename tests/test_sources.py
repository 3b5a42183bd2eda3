"""Excerpts checked against their source's full text, shown in context, and verified by
reviewers."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from quotes import services
from quotes.exceptions import NotPermitted, TransitionNotAllowed
from quotes.excerpts import excerpt_in_context, excerpt_occurs, excerpt_span
from quotes.models import Citation, Quote, Source
from tests.admin_forms import admin_form_data
from tests.factories import CitationFactory, EditorFactory, QuoteFactory, SourceFactory

pytestmark = pytest.mark.django_db

ARTICLE = (
    "Beijing – China’s top diplomat said on Saturday that Israel’s actions had gone "
    "“beyond the scope of self-defence”\u00a0and that it should stop the\n   collective "
    "punishment of the people of Gaza. Analysts — including Ma Xiaolin — agreed."
)


# Matching -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "excerpt",
    [
        'gone "beyond the scope of self-defence" and',  # straight quotes, one space
        "Israel's actions",  # straight apostrophe
        "should stop the collective punishment",  # the line break and indent
        "Analysts - including Ma Xiaolin - agreed.",  # hyphens for em dashes
        "Beijing — China’s",  # another dash
        "  collective punishment of the people of Gaza.  ",  # surrounding whitespace
    ],
)
def test_excerpts_match_despite_whitespace_quote_marks_and_dashes(excerpt):
    assert excerpt_occurs(excerpt, ARTICLE)


@pytest.mark.parametrize(
    "excerpt",
    [
        "collective punishment of the people in Gaza",  # another word
        "Collective punishment",  # case matters
        "beyond the scope of self defence",  # a hyphen is not a space
        "",
    ],
)
def test_excerpts_that_differ_in_words_or_letters_do_not_match(excerpt):
    assert not excerpt_occurs(excerpt, ARTICLE)


def test_the_span_points_into_the_original_text():
    start, end = excerpt_span("should stop the collective punishment", ARTICLE)
    assert ARTICLE[start:end] == "should stop the\n   collective punishment"


def test_the_context_shows_the_text_around_the_excerpt():
    found = excerpt_in_context("collective punishment", ARTICLE, context=20)
    assert found.excerpt == "collective punishment"
    assert found.before == "it should stop the\n   "[-20:]
    assert found.after == " of the people of Gaz"[:20]
    assert found.truncated_before
    assert found.truncated_after
    assert excerpt_in_context("absent words", ARTICLE) is None


# Validation ---------------------------------------------------------------------------


def test_a_citation_must_quote_the_full_text_when_there_is_one():
    source = SourceFactory(full_text=ARTICLE)
    good = CitationFactory.build(
        quote=QuoteFactory(), source=source, excerpt="Israel's actions had gone"
    )
    good.full_clean()
    bad = CitationFactory.build(quote=good.quote, source=source, excerpt="Israel's war")
    with pytest.raises(ValidationError) as raised:
        bad.full_clean()
    assert "does not occur in the full text" in raised.value.message_dict["excerpt"][0]


def test_without_full_text_or_excerpt_nothing_is_checked():
    CitationFactory.build(
        quote=QuoteFactory(), source=SourceFactory(full_text=""), excerpt="anything"
    ).full_clean()
    CitationFactory.build(
        quote=QuoteFactory(), source=SourceFactory(full_text=ARTICLE), excerpt=""
    ).full_clean()


def test_a_full_text_that_drops_a_cited_excerpt_is_refused():
    citation = CitationFactory(source__full_text="", excerpt="collective punishment")
    source = citation.source
    source.full_text = ARTICLE
    source.full_clean()
    source.full_text = "A different article."
    with pytest.raises(ValidationError) as raised:
        source.full_clean()
    assert citation.quote.key in raised.value.message_dict["full_text"][0]


def test_the_quote_form_refuses_an_excerpt_missing_from_the_source(editor_client):
    citation = CitationFactory(
        quote__status=Quote.Status.DRAFT, source__full_text=ARTICLE, excerpt="collective punishment"
    )
    url = reverse("admin:quotes_quote_change", args=[citation.quote.pk])
    data = admin_form_data(
        editor_client.get(url), **{"citations-0-excerpt": "collective responsibility"}
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "This excerpt does not occur in the full text" in response.content.decode()
    assert Citation.objects.get().excerpt == "collective punishment"


def test_the_source_form_refuses_a_text_without_the_cited_excerpts(editor_client):
    citation = CitationFactory(source__full_text=ARTICLE, excerpt="collective punishment")
    url = reverse("admin:quotes_source_change", args=[citation.source.pk])
    response = editor_client.post(
        url, admin_form_data(editor_client.get(url), full_text="Something else entirely.")
    )
    assert response.status_code == 200
    assert "do not occur in this text" in response.content.decode()
    assert Source.objects.get().full_text == ARTICLE


def test_the_admin_highlights_the_excerpt_in_context(editor_client):
    citation = CitationFactory(
        source__full_text=ARTICLE, excerpt="“beyond the scope of self-defence”"
    )
    quote_page = editor_client.get(reverse("admin:quotes_quote_change", args=[citation.quote.pk]))
    marked = "<mark>“beyond the scope of self-defence”</mark>"
    assert marked in quote_page.content.decode()
    source_page = editor_client.get(
        reverse("admin:quotes_source_change", args=[citation.source.pk])
    )
    assert marked in source_page.content.decode()


# Verification -------------------------------------------------------------------------


def test_a_reviewer_verifies_a_citation(reviewer):
    citation = CitationFactory(source__full_text=ARTICLE, excerpt="collective punishment")
    services.citation_verify(citation=citation, user=reviewer)
    citation.refresh_from_db()
    assert citation.verified_by == reviewer
    assert citation.verified_at is not None


def test_only_reviewers_verify_and_only_citations_with_an_excerpt(reviewer):
    citation = CitationFactory(excerpt="")
    with pytest.raises(NotPermitted, match="Only reviewers may verify"):
        services.citation_verify(citation=citation, user=EditorFactory())
    with pytest.raises(TransitionNotAllowed, match="has no excerpt to verify"):
        services.citation_verify(citation=citation, user=reviewer)
    assert Citation.objects.get().verified_at is None


def verified(citation: Citation, user) -> Citation:
    services.citation_verify(citation=citation, user=user)
    return Citation.objects.get(pk=citation.pk)


def test_changing_the_excerpt_or_source_withdraws_the_verification(reviewer):
    citation = verified(CitationFactory(), reviewer)
    Citation.objects.filter(pk=citation.pk).update(excerpt="Changed by a bulk update.")
    assert Citation.objects.get(pk=citation.pk).verified_at is None

    citation = verified(CitationFactory(), reviewer)
    citation.source = SourceFactory()
    citation.save()
    assert Citation.objects.get(pk=citation.pk).verified_by is None

    citation = verified(CitationFactory(), reviewer)
    Citation.objects.filter(pk=citation.pk).update(updated=timezone.now())
    assert Citation.objects.get(pk=citation.pk).verified_by == reviewer


def test_a_verification_in_the_same_update_as_an_excerpt_change_stands(reviewer):
    citation = CitationFactory(excerpt="Old.")
    now = timezone.now()
    Citation.objects.filter(pk=citation.pk).update(
        excerpt="New.", verified_by=reviewer, verified_at=now
    )
    assert Citation.objects.get(pk=citation.pk).verified_at == now


def test_reviewers_verify_from_the_citation_list(reviewer_client, reviewer):
    citations = CitationFactory.create_batch(2)
    response = reviewer_client.post(
        reverse("admin:quotes_citation_changelist"),
        {"action": "verify", "_selected_action": [c.pk for c in citations]},
        follow=True,
    )
    assert "2 citations verified." in response.content.decode()
    assert set(Citation.objects.values_list("verified_by", flat=True)) == {reviewer.pk}


def test_reviewers_verify_in_the_quote_form_and_editors_cannot(reviewer_client, reviewer):
    citation = CitationFactory(quote__status=Quote.Status.DRAFT)
    url = reverse("admin:quotes_quote_change", args=[citation.quote.pk])
    data = admin_form_data(reviewer_client.get(url), **{"citations-0-mark_verified": "on"})
    assert reviewer_client.post(url, data).status_code == 302
    citation.refresh_from_db()
    assert citation.verified_by == reviewer
    page = reviewer_client.get(url).content.decode()
    assert f"verified by {reviewer.username}" in page


def test_the_verified_box_is_disabled_for_editors(editor_client):
    citation = CitationFactory(quote__status=Quote.Status.DRAFT)
    url = reverse("admin:quotes_quote_change", args=[citation.quote.pk])
    form = editor_client.get(url).context["inline_admin_formsets"][1].formset.forms[0]
    assert form.fields["mark_verified"].disabled
    data = admin_form_data(editor_client.get(url))
    data["citations-0-mark_verified"] = "on"
    assert editor_client.post(url, data).status_code == 302
    assert Citation.objects.get().verified_at is None
