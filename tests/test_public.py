"""The public representation of a statement (quotes/public.py) and which records are public."""

import datetime

import pytest

from quotes import public, services
from quotes.models import Organization, Quote, Source, Speaker, Topic
from tests.factories import (
    AffiliationFactory,
    QuoteFactory,
    SpeakerFactory,
    quote_with_related,
)

pytestmark = pytest.mark.django_db


def represented(quote: Quote) -> public.PublicStatement:
    return public.statement(Quote.objects.with_public_parts().get(pk=quote.pk))


def test_the_permanent_identifier_survives_a_key_rename(reviewer):
    quote = quote_with_related()
    before = represented(quote)
    services.quote_update(
        quote=quote, user=reviewer, changes={"key": "renamed-statement"}, correction_note=""
    )
    after = represented(quote)
    assert after.key == "renamed-statement"
    assert after.tag == before.tag
    assert after.tag.startswith("tag:")
    assert str(quote.uid) in after.tag


def test_first_publication_is_dated_by_the_database_and_never_moves(reviewer):
    quote = QuoteFactory(status=Quote.Status.DRAFT)
    assert Quote.objects.get(pk=quote.pk).published_at is None
    Quote.objects.filter(pk=quote.pk).update(status=Quote.Status.PUBLISHED)
    first = Quote.objects.get(pk=quote.pk).published_at
    assert first is not None
    Quote.objects.filter(pk=quote.pk).update(status=Quote.Status.RETRACTED, retraction_reason="x")
    Quote.objects.filter(pk=quote.pk).update(status=Quote.Status.PUBLISHED)
    assert Quote.objects.get(pk=quote.pk).published_at == first


def test_a_retraction_is_stated_with_its_reason_and_date(reviewer):
    quote = quote_with_related()
    services.quote_retract(quote=quote, reason="Misattributed: the speaker was Y.", user=reviewer)
    shown = represented(quote)
    assert shown.retracted
    assert shown.retraction.reason == "Misattributed: the speaker was Y."
    assert shown.retraction.date == datetime.date.today()
    assert shown.updated >= shown.first_published


def test_a_correction_is_listed_with_its_date_and_moves_the_last_public_change(reviewer):
    quote = quote_with_related()
    before = represented(quote)
    services.quote_update(
        quote=quote,
        user=reviewer,
        changes={"text": "A corrected statement."},
        correction_note="The first words were misheard.",
    )
    shown = represented(quote)
    assert [(c.date, c.note) for c in shown.corrections] == [
        (datetime.date.today(), "The first words were misheard.")
    ]
    assert shown.updated > before.updated
    assert shown.first_published == before.first_published


def test_translations_are_labelled_official_or_onrecords_own():
    quote = quote_with_related(translations=("en",), language="zh", text="集体惩罚")
    quote.translations.update(official=False)
    shown = represented(quote)
    assert shown.text == "集体惩罚"
    assert shown.translation_in("en").label == "OnRecord's translation"
    assert shown.translation_in("zh") is None
    quote.translations.update(official=True)
    assert represented(quote).translation_in("en-GB").label == "official translation"


def test_records_are_public_once_a_public_statement_refers_to_them():
    draft = quote_with_related(status=Quote.Status.DRAFT)
    published = quote_with_related()
    unused = SpeakerFactory()
    AffiliationFactory(speaker=unused, start="2001")
    assert draft.speaker not in Speaker.objects.public()
    assert unused not in Speaker.objects.public()
    assert published.speaker in Speaker.objects.public()
    assert set(Topic.objects.public()) == set(published.topics.all())
    assert set(Source.objects.public()) == {c.source for c in published.citations.all()}
    assert published.role.organization in Organization.objects.public()
    assert draft.role.organization not in Organization.objects.public()
    draft.status = Quote.Status.RETRACTED
    draft.retraction_reason = "Withdrawn."
    draft.save()
    assert draft.speaker in Speaker.objects.public()


def test_editors_see_every_record_and_readers_the_public_ones(editor):
    from django.contrib.auth.models import AnonymousUser

    draft = quote_with_related(status=Quote.Status.DRAFT)
    assert draft.speaker in Speaker.objects.visible_to(editor)
    assert draft.speaker not in Speaker.objects.visible_to(AnonymousUser())
    assert draft not in Quote.objects.visible_to(AnonymousUser())
