"""The role a speaker held when speaking, resolved from dated affiliations."""

import pytest

from quotes import services
from quotes.models import Quote
from quotes.roles import resolve_role
from tests.admin_forms import admin_form_data
from tests.factories import (
    SYSTEM,
    AffiliationFactory,
    OrganizationFactory,
    QuoteFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def albright():
    speaker = SpeakerFactory(key="madeleine-albright", name="Madeleine Albright")
    un_mission = AffiliationFactory(
        speaker=speaker,
        organization=OrganizationFactory(name="US Mission to the UN"),
        role="United States Ambassador to the United Nations",
        start="1993-01-27",
        end="1997-01-21",
    )
    state = AffiliationFactory(
        speaker=speaker,
        organization=OrganizationFactory(name="US Department of State"),
        role="Secretary of State",
        start="1997-01-23",
        end="2001-01-20",
    )
    return speaker, un_mission, state


def save_quote(speaker, said, **kwargs) -> Quote:
    quote = QuoteFactory.build(speaker=speaker, said=said, **kwargs)
    return services.quote_save(quote=quote, user=SYSTEM)


def test_albright_in_1996_was_ambassador_to_the_un(albright):
    speaker, un_mission, _ = albright
    quote = save_quote(speaker, "1996")
    assert quote.role == un_mission
    assert quote.role_resolution == Quote.RoleResolution.RESOLVED


def test_albright_in_1998_was_secretary_of_state(albright):
    speaker, _, state = albright
    assert save_quote(speaker, "1998-03-02").role == state


def test_churchill_in_1946_was_leader_of_the_opposition():
    churchill = SpeakerFactory(name="Winston Churchill")
    AffiliationFactory(
        speaker=churchill, role="Prime Minister", start="1940-05-10", end="1945-07-26"
    )
    opposition = AffiliationFactory(
        speaker=churchill, role="Leader of the Opposition", start="1945-07-26", end="1951-10-26"
    )
    AffiliationFactory(
        speaker=churchill, role="Prime Minister", start="1951-10-26", end="1955-04-05"
    )
    assert save_quote(churchill, "1946-03-05").role == opposition


def test_a_year_spanning_two_roles_is_left_for_the_editor(albright):
    speaker, _, _ = albright
    quote = save_quote(speaker, "1997")
    assert quote.role is None
    assert quote.role_resolution == Quote.RoleResolution.AMBIGUOUS
    outcome = resolve_role("1997", speaker.affiliations.all())
    assert "too coarse" in outcome.explanation
    assert len(outcome.candidates) == 2


def test_overlapping_affiliations_are_never_chosen_arbitrarily():
    speaker = SpeakerFactory()
    AffiliationFactory(speaker=speaker, role="Foreign Minister", start="2013")
    AffiliationFactory(speaker=speaker, role="Politburo member", start="2022-10")
    quote = save_quote(speaker, "2023-10-14")
    assert quote.role is None
    assert quote.role_resolution == Quote.RoleResolution.AMBIGUOUS
    assert (
        "2 affiliations overlap"
        in resolve_role("2023-10-14", speaker.affiliations.all()).explanation
    )


def test_no_covering_affiliation_and_no_date():
    speaker = SpeakerFactory()
    AffiliationFactory(speaker=speaker, start="2001", end="2004")
    assert save_quote(speaker, "1990").role_resolution == Quote.RoleResolution.NONE
    assert save_quote(speaker, None).role_resolution == Quote.RoleResolution.NONE


def test_an_editor_choice_is_kept_and_survives_affiliation_edits(albright):
    speaker, un_mission, state = albright
    quote = QuoteFactory.build(speaker=speaker, said="1997")
    services.quote_save(quote=quote, chosen_role=state, user=SYSTEM)
    assert quote.role_resolution == Quote.RoleResolution.EXPLICIT
    un_mission.end = "1998"
    services.affiliation_save(affiliation=un_mission, user=SYSTEM)
    quote.refresh_from_db()
    assert quote.role == state


def test_editing_an_affiliation_re_resolves_the_quotes_it_affects(albright):
    speaker, _un_mission, state = albright
    quote = save_quote(speaker, "1997-01-22")
    assert quote.role_resolution == Quote.RoleResolution.NONE  # the day between the two roles
    state.start = "1997-01-22"
    services.affiliation_save(
        affiliation=state, user=SYSTEM, correction_note="Her role on that day was corrected."
    )
    quote.refresh_from_db()
    assert quote.role == state
    assert quote.role_resolution == Quote.RoleResolution.RESOLVED


def test_deleting_an_affiliation_re_resolves(albright):
    speaker, un_mission, _ = albright
    quote = save_quote(speaker, "1996")
    services.affiliation_delete(
        affiliation=un_mission, user=SYSTEM, correction_note="That role was not hers."
    )
    quote.refresh_from_db()
    assert quote.role is None
    assert quote.role_resolution == Quote.RoleResolution.NONE


def test_generated_keys_are_readable_and_unique(albright):
    speaker, _, _ = albright
    first = save_quote(speaker, "1996-02-24", key="")
    second = save_quote(speaker, "1996-02-24", key="")
    assert first.key == "madeleine-albright-1996-02-24"
    assert second.key == "madeleine-albright-1996-02-24-2"


def test_an_affiliation_edited_in_the_speaker_admin_re_resolves_quotes(editor_client, albright):
    speaker, un_mission, _ = albright
    quote = save_quote(speaker, "1997-01-22")
    assert quote.role is None
    url = f"/admin/quotes/speaker/{speaker.pk}/change/"
    data = admin_form_data(editor_client.get(url))
    prefix = next(
        name.removesuffix("-id")
        for name, value in data.items()
        if name.startswith("affiliations-") and name.endswith("-id") and value == un_mission.pk
    )
    data[f"{prefix}-end"] = "1997-01-22"
    data["correction_note"] = "Her role on that day was corrected."
    response = editor_client.post(url, data)
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.role == un_mission
    assert quote.role_resolution == Quote.RoleResolution.RESOLVED
