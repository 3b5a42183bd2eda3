"""Invariants the database enforces, whatever writes the rows."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from quotes.models import Affiliation, Organization, Quote, Source, Speaker
from tests.factories import (
    AffiliationFactory,
    CitationFactory,
    OrganizationFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db


def refused(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except DatabaseError:
        return True
    return False


@pytest.mark.parametrize(
    ("start", "end", "allowed"),
    [
        ("1993-05", "1993-04", False),
        ("1993", "1992-12", False),
        ("1993-05-10", "1993-05-09", False),
        ("1993-05", "1993", True),
        ("1993", "1993-01-01", True),
        ("1993-05-10", "1993-05-10", True),
        (None, "1990", True),
        ("1990", None, True),
    ],
)
def test_affiliation_end_not_before_start(start, end, allowed):
    speaker, org = SpeakerFactory(), OrganizationFactory()
    created = not refused(
        lambda: Affiliation.objects.create(
            speaker=speaker, organization=org, role="Envoy", start=start, end=end
        )
    )
    assert created is allowed


def test_duplicate_keys_are_refused():
    speaker = SpeakerFactory(key="wang-yi")
    assert refused(lambda: Speaker.objects.create(key="wang-yi", name="Someone else"))
    OrganizationFactory(key="un")
    assert refused(lambda: Organization.objects.create(key="un", name="UN"))
    QuoteFactory(key="q1", speaker=speaker)
    assert refused(lambda: QuoteFactory(key="q1", speaker=speaker))


@pytest.mark.parametrize("country", ["ZZZ", "1A", "u-"])
def test_bad_country_is_refused(country):
    assert refused(lambda: OrganizationFactory(country=country))
    assert refused(lambda: SpeakerFactory(country=country))


def test_an_unassigned_country_code_fails_validation():
    with pytest.raises(ValidationError) as excinfo:
        OrganizationFactory.build(country="XX").full_clean()
    assert "country" in excinfo.value.message_dict


@pytest.mark.parametrize("wikidata", ["42", "Q", "Q0123", "P31"])
def test_bad_wikidata_id_is_refused(wikidata):
    assert refused(lambda: OrganizationFactory(wikidata=wikidata))
    assert refused(lambda: SpeakerFactory(wikidata=wikidata))


def test_good_country_and_wikidata_are_accepted():
    OrganizationFactory(country="CN", wikidata="Q1191264")
    assert SpeakerFactory(country="", wikidata="").pk


def test_source_url_is_unique_only_when_set():
    SourceFactory(url="https://example.org/a")
    assert refused(lambda: SourceFactory(url="https://example.org/a"))
    SourceFactory(url="")
    SourceFactory(url="")
    assert Source.objects.filter(url="").count() == 2


def test_quote_language_must_look_like_a_language_tag():
    assert refused(lambda: QuoteFactory(language="english language"))
    assert QuoteFactory(language="pt-BR").pk


def test_a_retracted_quote_needs_a_reason():
    assert refused(lambda: QuoteFactory(status=Quote.Status.RETRACTED, retraction_reason=""))
    assert QuoteFactory(status=Quote.Status.RETRACTED, retraction_reason="Misattributed").pk


def test_one_citation_per_quote_and_source():
    citation = CitationFactory()
    assert refused(lambda: CitationFactory(quote=citation.quote, source=citation.source))


def test_an_organization_is_not_its_own_parent():
    org = OrganizationFactory()
    org.parent = org
    assert refused(org.save)


def test_readable_str_everywhere():
    affiliation = AffiliationFactory(
        speaker__name="Madeleine Albright",
        organization__name="United States Mission to the United Nations",
        role="Ambassador",
        start="1993-01-27",
        end="1997-01-21",
    )
    assert str(affiliation) == (
        "Madeleine Albright: Ambassador, United States Mission to the United Nations "
        "(1993-01-27 – 1997-01-21)"
    )
    quote = QuoteFactory(speaker=affiliation.speaker, said="1996", text="Short.")
    assert str(quote) == "Madeleine Albright, 1996: “Short.”"
    assert str(SourceFactory(title="T", publisher="P", published="2023-10")) == "T, P, 2023-10"
