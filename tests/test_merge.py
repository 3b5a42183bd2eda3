"""Near-duplicates are found and listed; reviewers merge quotes and speakers; old keys
keep leading to the survivor."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from alerts.models import Alert
from alerts.services import alert_confirm, alert_subscribe
from lineage.models import Decision
from lineage.services import lineage_decide
from quotes import history, selectors, services
from quotes.exceptions import MergeNotAllowed, NotPermitted, RevertNotPossible
from quotes.models import Affiliation, KeyRedirect, Quote, Speaker
from quotes.similarity import Similar, similar_quotes, similar_to_quote
from tests.factories import (
    AffiliationFactory,
    CitationFactory,
    EditorFactory,
    OccasionFactory,
    OccasionParticipantFactory,
    QuoteFactory,
    ReviewerFactory,
    SourceFactory,
    SpeakerFactory,
    SpeakerNameFactory,
    TopicFactory,
    TranslationFactory,
)

# The note of a merge that changes what published quotes show (services.corrections).
MERGED = "Two records of the same statement were merged."

pytestmark = pytest.mark.django_db

REMARK = "Collective punishment of the people of Gaza must stop immediately."


# Near-duplicates --------------------------------------------------------------------


def test_similar_quotes_of_the_same_speaker_close_in_date_are_found():
    quote = QuoteFactory(text=REMARK, said="2023-10-14")
    speaker = quote.speaker
    reworded = QuoteFactory(
        speaker=speaker, said="2023-10-15", text=REMARK.replace("must", "should")
    )
    fragment = QuoteFactory(
        speaker=speaker, said="2023-10", text="collective punishment of the people of Gaza"
    )
    undated = QuoteFactory(speaker=speaker, said=None, text=REMARK + " Now.")
    QuoteFactory(speaker=speaker, said="2021-01-01", text=REMARK)  # years apart
    misattributed = QuoteFactory(text=REMARK, said="2023-10-14")  # another speaker
    QuoteFactory(speaker=speaker, said="2023-10-14", text="We support a two-state solution.")

    found = similar_to_quote(quote)

    assert {(s.quote, s.relation) for s in found} == {
        (reworded, "same_speaker"),
        (fragment, "same_speaker"),
        (undated, "same_speaker"),
        (misattributed, "other_speaker"),
    }
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0.3 <= score <= 1 for score in scores)


def test_similar_quotes_can_be_looked_up_before_the_quote_exists():
    existing = QuoteFactory(text=REMARK, said="2023-10-14")
    found = similar_quotes(texts=[REMARK], speaker_id=existing.speaker_id, said="2023-10-14")
    assert found == [Similar(existing, 1.0, "same_speaker", existing.language, "text")]
    assert similar_quotes(texts=[""], speaker_id=existing.speaker_id, said=None) == []


def test_a_translation_finds_the_statement_on_record_in_another_language():
    existing = QuoteFactory(text="Мы требуем немедленного прекращения огня.", language="ru")
    TranslationFactory(quote=existing, language="en", text=REMARK)
    found = similar_quotes(texts=[REMARK], speaker_id=None, said="2023-10-14")
    assert [(s.quote, s.relation) for s in found] == [(existing, "other_speaker")]


def test_the_add_form_lists_near_duplicates_and_asks_for_confirmation(editor_client):
    existing = QuoteFactory(text=REMARK, said="2023-10-14")
    data = {
        "speaker": existing.speaker.pk,
        "text": REMARK,
        "language": "en",
        "kind": "direct",
        "said": "2023-10-14",
        "status": "draft",
        "version": "",
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
    }
    url = reverse("admin:quotes_quote_add")
    warned = editor_client.post(url, data)
    page = warned.content.decode()
    assert "Possible duplicates already on record" in page
    assert existing.key in page
    assert "tick “Not a duplicate”" in page
    assert Quote.objects.count() == 1
    saved = editor_client.post(url, {**data, "not_a_duplicate": "on"})
    assert saved.status_code == 302
    assert Quote.objects.count() == 2


def test_the_change_form_lists_similar_quotes(editor_client):
    quote = QuoteFactory(text=REMARK)
    twin = QuoteFactory(speaker=quote.speaker, text=REMARK + "!")
    page = editor_client.get(reverse("admin:quotes_quote_change", args=[quote.pk]))
    assert twin.key in page.content.decode()
    assert "similarity" in page.content.decode()


# Quote merges -----------------------------------------------------------------------


def test_merging_quotes_combines_citations_translations_and_topics():
    reviewer = ReviewerFactory()
    survivor = QuoteFactory(text=REMARK, context="")
    duplicate = QuoteFactory(speaker=survivor.speaker, text=REMARK, context="Phone call")
    shared_source, other_source = SourceFactory(), SourceFactory()
    CitationFactory(quote=survivor, source=shared_source, excerpt="")
    CitationFactory(quote=duplicate, source=shared_source, excerpt=REMARK)
    moved = CitationFactory(quote=duplicate, source=other_source, excerpt=REMARK)
    TranslationFactory(quote=survivor, language="fr", text="Ours.", official=False)
    TranslationFactory(quote=duplicate, language="fr", text="Officielle.", official=True)
    TranslationFactory(quote=duplicate, language="de", text="Deutsch.")
    topic_a, topic_b = TopicFactory(), TopicFactory()
    survivor.topics.add(topic_a)
    duplicate.topics.add(topic_b)
    old_key = duplicate.key

    services.quote_merge(
        survivor=survivor, duplicate=duplicate, user=reviewer, correction_note=MERGED
    )

    survivor.refresh_from_db()
    assert not Quote.objects.filter(pk=duplicate.pk).exists()
    assert {(c.source_id, c.excerpt) for c in survivor.citations.all()} == {
        (shared_source.pk, REMARK),
        (other_source.pk, REMARK),
    }
    assert survivor.citations.filter(pk=moved.pk).exists()
    assert dict(survivor.translations.values_list("language", "text")) == {
        "fr": "Officielle.",
        "de": "Deutsch.",
    }
    assert set(survivor.topics.all()) == {topic_a, topic_b}
    assert survivor.context == "Phone call"
    assert selectors.quote_by_key(old_key) == (survivor, True)
    assert selectors.quote_by_key(survivor.key) == (survivor, False)
    assert selectors.quote_by_key("no-such-key") == (None, False)
    correction, merge = history.record_history(survivor)[:2]
    assert (correction.action, correction.note) == ("correct", MERGED)
    assert merge.action == "merge"
    assert merge.note == f"{old_key} merged into {survivor.key}"


def test_keys_merged_earlier_follow_to_the_new_survivor():
    reviewer = ReviewerFactory()
    first = QuoteFactory(text=REMARK)
    second = QuoteFactory(speaker=first.speaker, text=REMARK)
    third = QuoteFactory(speaker=first.speaker, text=REMARK)
    services.quote_merge(survivor=second, duplicate=first, user=reviewer, correction_note=MERGED)
    services.quote_merge(survivor=third, duplicate=second, user=reviewer, correction_note=MERGED)
    assert selectors.quote_by_key(first.key) == (third, True)
    assert selectors.quote_by_key(second.key) == (third, True)


def test_a_merged_key_is_not_given_to_a_new_quote():
    reviewer = ReviewerFactory()
    survivor = QuoteFactory(key="wang-yi-2023-10-14", said="2023-10-14")
    speaker = survivor.speaker
    speaker.key = "wang-yi"
    speaker.save()
    duplicate = QuoteFactory(key="wang-yi-2023-10-14-2", speaker=speaker, said="2023-10-14")
    services.quote_merge(
        survivor=survivor, duplicate=duplicate, user=reviewer, correction_note=MERGED
    )
    new = Quote(speaker=speaker, said="2023-10-14")
    assert services.quote_key_generate(quote=new) == "wang-yi-2023-10-14-3"


@pytest.mark.parametrize(
    ("make_pair", "error", "message"),
    [
        (lambda: (QuoteFactory(), QuoteFactory()), MergeNotAllowed, "different speakers"),
        (lambda: (QuoteFactory(),) * 2, MergeNotAllowed, "cannot be merged into itself"),
    ],
)
def test_quote_merges_that_make_no_sense_are_refused(make_pair, error, message):
    survivor, duplicate = make_pair()
    with pytest.raises(error, match=message):
        services.quote_merge(
            survivor=survivor, duplicate=duplicate, user=ReviewerFactory(), correction_note=MERGED
        )
    assert Quote.objects.filter(pk=duplicate.pk).exists()


def test_editors_may_not_merge():
    quote = QuoteFactory()
    duplicate = QuoteFactory(speaker=quote.speaker)
    with pytest.raises(NotPermitted, match="Only reviewers may merge quotes"):
        services.quote_merge(
            survivor=quote, duplicate=duplicate, user=EditorFactory(), correction_note=MERGED
        )
    with pytest.raises(NotPermitted, match="Only reviewers may merge speakers"):
        services.speaker_merge(
            survivor=quote.speaker, duplicate=SpeakerFactory(), user=EditorFactory()
        )


def test_a_revert_across_a_merge_is_refused():
    reviewer = ReviewerFactory()
    survivor = QuoteFactory(text=REMARK)
    before_merge = history.record_version(survivor)
    duplicate = CitationFactory(quote__speaker=survivor.speaker).quote
    services.quote_merge(
        survivor=survivor, duplicate=duplicate, user=reviewer, correction_note=MERGED
    )
    with pytest.raises(RevertNotPossible, match="merged into this one after that version"):
        services.quote_revert(
            quote=survivor, event_id=before_merge, user=reviewer, correction_note="Undone."
        )


def test_redirects_are_constrained_to_one_target_of_their_kind():
    quote = QuoteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyRedirect.objects.create(kind="speaker", old_key="x", quote=quote)
    KeyRedirect.objects.create(kind="quote", old_key="x", quote=quote)
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyRedirect.objects.create(kind="quote", old_key="x", quote=QuoteFactory())


# Speaker merges ---------------------------------------------------------------------


def test_merging_speakers_moves_quotes_and_affiliations_and_combines_names():
    reviewer = ReviewerFactory()
    survivor = SpeakerFactory(name="Wang Yi", wikidata="Q10860", description="")
    duplicate = SpeakerFactory(name="王毅", wikidata="", description="Chinese diplomat")
    SpeakerNameFactory(speaker=survivor, name="王毅", language="zh")
    SpeakerNameFactory(speaker=duplicate, name="Ван И", language="ru")
    shared = AffiliationFactory(speaker=survivor, role="Minister of Foreign Affairs", start="2013")
    twin = AffiliationFactory(
        speaker=duplicate,
        organization=shared.organization,
        role=shared.role,
        start=shared.start,
    )
    other = AffiliationFactory(
        speaker=duplicate, role="Ambassador to Japan", start="2004", end="2007"
    )
    quote = QuoteFactory(
        speaker=duplicate, said="2023-10-14", role=twin, role_resolution="explicit"
    )
    old_key = duplicate.key

    services.speaker_merge(
        survivor=survivor, duplicate=duplicate, user=reviewer, correction_note=MERGED
    )

    survivor.refresh_from_db()
    assert not Speaker.objects.filter(pk=duplicate.pk).exists()
    quote.refresh_from_db()
    assert quote.speaker == survivor
    assert quote.role == shared
    assert set(survivor.affiliations.all()) == {shared, other}
    assert not Affiliation.objects.filter(pk=twin.pk).exists()
    assert set(survivor.names.values_list("name", "language")) == {
        ("王毅", "zh"),
        ("Ван И", "ru"),
        ("王毅", ""),
    }
    assert survivor.description == "Chinese diplomat"
    assert selectors.speaker_by_key(old_key) == (survivor, True)


def test_merging_speakers_moves_their_parts_in_occasions_without_doubling_them():
    survivor, duplicate = SpeakerFactory(), SpeakerFactory()
    both_there, only_duplicate = OccasionFactory(), OccasionFactory()
    kept = OccasionParticipantFactory(occasion=both_there, speaker=survivor, country="")
    OccasionParticipantFactory(occasion=both_there, speaker=duplicate, country="CN")
    moved = OccasionParticipantFactory(occasion=only_duplicate, speaker=duplicate)

    services.speaker_merge(
        survivor=survivor, duplicate=duplicate, user=ReviewerFactory(), correction_note=MERGED
    )

    assert set(survivor.occasion_participations.all()) == {kept, moved}
    kept.refresh_from_db()
    assert kept.country == "CN"  # what only the duplicate's part said


def follow(address: str, **target) -> Alert:
    alert = alert_subscribe(
        email=address, frequency="daily", target=target, client="127.0.0.9", language="en"
    )
    alert_confirm(alert=alert)
    return alert


def test_those_who_followed_a_merged_speaker_or_statement_follow_the_survivor():
    survivor, duplicate = QuoteFactory(status="published"), QuoteFactory(status="published")
    duplicate.speaker = survivor.speaker
    duplicate.save()
    speakers = [QuoteFactory(status="published").speaker for _ in range(2)]
    only_duplicate = follow("one@example.org", quote=duplicate.key)
    both = [follow("two@example.org", quote=q.key) for q in (survivor, duplicate)]
    of_speaker = follow("one@example.org", speaker=speakers[1].key)
    search = follow("three@example.org", search={"speaker": speakers[1].key, "q": "gaza"})

    services.quote_merge(
        survivor=survivor, duplicate=duplicate, user=ReviewerFactory(), correction_note=MERGED
    )
    services.speaker_merge(
        survivor=speakers[0], duplicate=speakers[1], user=ReviewerFactory(), correction_note=MERGED
    )

    assert set(Alert.objects.filter(quote=survivor)) == {only_duplicate, both[0]}
    assert not Alert.objects.filter(pk=both[1].pk).exists()
    assert Alert.objects.get(pk=of_speaker.pk).speaker == speakers[0]
    search.refresh_from_db()
    assert search.search == {"speaker": speakers[0].key, "q": "gaza"}
    assert search.criteria["filters"]["speaker"] == speakers[0].key


def test_lineage_decisions_on_a_merged_statement_hold_for_the_survivor():
    reviewer = ReviewerFactory()
    survivor, duplicate, third, fourth = (QuoteFactory() for _ in range(4))
    for quote in (duplicate, third, fourth):
        quote.speaker = survivor.speaker
        quote.save()
    lineage_decide(quote=duplicate, other=third, verdict="dismissed", user=reviewer)
    lineage_decide(quote=survivor, other=fourth, verdict="confirmed", user=reviewer)
    lineage_decide(quote=duplicate, other=fourth, verdict="dismissed", user=reviewer)
    lineage_decide(quote=duplicate, other=survivor, verdict="confirmed", user=reviewer)

    services.quote_merge(
        survivor=survivor, duplicate=duplicate, user=reviewer, correction_note=MERGED
    )

    assert Decision.objects.of_pair(survivor.pk, third.pk).get().verdict == "dismissed"
    assert Decision.objects.of_pair(survivor.pk, fourth.pk).get().verdict == "confirmed"
    assert Decision.objects.count() == 2


def test_speakers_with_different_wikidata_items_are_not_merged():
    survivor, duplicate = SpeakerFactory(wikidata="Q1"), SpeakerFactory(wikidata="Q2")
    with pytest.raises(MergeNotAllowed, match="different Wikidata items"):
        services.speaker_merge(
            survivor=survivor, duplicate=duplicate, user=ReviewerFactory(), correction_note=MERGED
        )


# The admin --------------------------------------------------------------------------


def test_a_reviewer_merges_two_quotes_after_a_confirmation_page(reviewer_client):
    survivor = QuoteFactory(text=REMARK)
    duplicate = CitationFactory(quote__speaker=survivor.speaker, quote__text=REMARK).quote
    url = reverse("admin:quotes_quote_changelist")
    selection = {"action": "merge_quotes", "_selected_action": [survivor.pk, duplicate.pk]}
    page = reviewer_client.post(url, selection)
    assert "Merge two quotes" in page.content.decode()
    assert Quote.objects.count() == 2
    done = reviewer_client.post(
        url,
        {**selection, "confirm": "yes", "survivor": survivor.pk, "correction_note": MERGED},
        follow=True,
    )
    assert f"“{duplicate.key}” was merged into “{survivor.key}”" in done.content.decode()
    assert list(Quote.objects.all()) == [survivor]
    assert survivor.citations.count() == 1


def test_merging_needs_exactly_two_selected(reviewer_client):
    quotes = QuoteFactory.create_batch(3)
    response = reviewer_client.post(
        reverse("admin:quotes_quote_changelist"),
        {"action": "merge_quotes", "_selected_action": [q.pk for q in quotes]},
        follow=True,
    )
    assert "Select exactly two quotes to merge." in response.content.decode()


def test_a_reviewer_merges_two_speakers_in_the_admin(reviewer_client):
    survivor, duplicate = SpeakerFactory(), SpeakerFactory()
    QuoteFactory(speaker=duplicate)
    url = reverse("admin:quotes_speaker_changelist")
    selection = {"action": "merge_speakers", "_selected_action": [survivor.pk, duplicate.pk]}
    assert "Merge two speakers" in reviewer_client.post(url, selection).content.decode()
    reviewer_client.post(
        url, {**selection, "confirm": "yes", "survivor": survivor.pk, "correction_note": MERGED}
    )
    assert list(Speaker.objects.all()) == [survivor]
    assert survivor.quotes.count() == 1
    page = reviewer_client.get(reverse("admin:quotes_speaker_change", args=[survivor.pk]))
    assert duplicate.key in page.content.decode()  # shown as a merged key


def test_the_admin_asks_for_a_note_when_published_quotes_change(reviewer_client):
    survivor, duplicate = SpeakerFactory(name="Wang Yi"), SpeakerFactory(name="WANG Yi")
    quote = QuoteFactory(speaker=duplicate, status=Quote.Status.PUBLISHED)
    url = reverse("admin:quotes_speaker_changelist")
    selection = {"action": "merge_speakers", "_selected_action": [survivor.pk, duplicate.pk]}
    page = reviewer_client.post(url, {**selection, "confirm": "yes", "survivor": survivor.pk})
    assert page.status_code == 200  # the confirmation page again, with the error
    assert "This change alters what 1 published quote(s) show" in page.content.decode()
    assert 'name="correction_note"' in page.content.decode()
    assert Speaker.objects.count() == 2
    reviewer_client.post(
        url, {**selection, "confirm": "yes", "survivor": survivor.pk, "correction_note": MERGED}
    )
    quote.refresh_from_db()
    assert (quote.speaker, quote.corrections[-1]["note"]) == (survivor, MERGED)


def test_editors_are_not_offered_merges(editor_client):
    QuoteFactory()
    page = editor_client.get(reverse("admin:quotes_quote_changelist"))
    assert "merge_quotes" not in page.content.decode()
    assert "submit_for_review" in page.content.decode()


@pytest.mark.parametrize(
    ("said", "close"),
    [("2023", True), ("2023-11", True), ("2023-12-01", False), ("2022", False), ("2022-12", False)],
)
def test_dates_of_any_precision_are_compared_by_their_span(said, close):
    quote = QuoteFactory(text=REMARK, said="2023-10-14")
    other = QuoteFactory(speaker=quote.speaker, text=REMARK, said=said)
    assert (other in {s.quote for s in similar_to_quote(quote)}) is close


def test_the_candidates_of_the_similar_text_check_are_found_by_index():
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    quote = QuoteFactory(text=REMARK, said="2023-10-14")
    TranslationFactory(quote=quote, text=REMARK)
    with CaptureQueriesContext(connection) as queries:
        assert similar_quotes(texts=[REMARK], speaker_id=None, said="2023-10-14") != []
    check = next(q["sql"] for q in queries.captured_queries if "onrecord_passages" in q["sql"])
    with transaction.atomic(), connection.cursor() as cursor:
        # A table of a few rows is read whole; forbidding that shows the indexes can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {check}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan
    assert "quote_passages" in plan


def test_a_merge_that_changes_what_published_quotes_show_needs_a_note():
    reviewer = ReviewerFactory()
    survivor = SpeakerFactory(name="Wang Yi")
    duplicate = SpeakerFactory(name="WANG Yi")
    quote = QuoteFactory(speaker=duplicate, status=Quote.Status.PUBLISHED)
    with pytest.raises(ValidationError) as refused:
        services.speaker_merge(survivor=survivor, duplicate=duplicate, user=reviewer)
    assert quote.key in refused.value.message_dict["correction_note"][0]
    assert Speaker.objects.filter(pk=duplicate.pk).exists()
    services.speaker_merge(
        survivor=survivor, duplicate=duplicate, user=reviewer, correction_note=MERGED
    )
    quote.refresh_from_db()
    assert quote.speaker == survivor
    assert [c["note"] for c in quote.corrections] == [MERGED]
