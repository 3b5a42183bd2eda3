"""Writes: editors only, validated like the admin, through the services."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from quotes.models import Affiliation, Organization, Quote, Source, Speaker, Topic, Translation
from quotes.services.records import save_unique
from tests.factories import (
    AffiliationFactory,
    CitationFactory,
    OrganizationFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
QUOTES = "/api/v1/quotes/"


@pytest.fixture
def wang_yi():
    speaker = SpeakerFactory(key="wang-yi", name="Wang Yi", country="CN")
    mfa = OrganizationFactory(key="prc-mfa", country="CN")
    AffiliationFactory(
        speaker=speaker,
        organization=mfa,
        role="Minister of Foreign Affairs",
        start="2013-03-16",
        end="2022-12-30",
    )
    AffiliationFactory(
        speaker=speaker, organization=mfa, role="Minister of Foreign Affairs", start="2023-07-25"
    )
    AffiliationFactory(
        speaker=speaker,
        organization__key="cpc",
        role="Director of the Foreign Affairs Office",
        start="2022-12-31",
    )
    SourceFactory(key="article")
    TopicFactory(key="gaza")
    return speaker


def quote_payload(**overrides) -> dict:
    return {
        "speaker": "wang-yi",
        "text": "以方行为已超出自卫范畴。",
        "language": "zh",
        "kind": "partial",
        "said": "2023-10-14",
        "context": "Phone call",
        "topics": ["gaza"],
        "translations": [{"language": "en", "text": "Israel's actions went beyond self-defense."}],
        "citations": [{"source": "article", "excerpt": "went beyond self-defense"}],
        "status": "review",
        **overrides,
    }


# Who may write.


@pytest.mark.usefixtures("wang_yi")
def test_anonymous_writes_are_refused(api_client):
    QuoteFactory(key="existing")
    assert api_client.post(QUOTES, quote_payload(), format="json").status_code == 401
    assert api_client.patch(f"{QUOTES}existing/", {"text": "x"}, format="json").status_code == 401
    assert api_client.delete(f"{QUOTES}existing/").status_code == 401
    assert api_client.post("/api/v1/speakers/", {"key": "x", "name": "X"}).status_code == 401
    assert Quote.objects.count() == 1


@pytest.mark.usefixtures("wang_yi")
def test_users_outside_the_editors_group_are_refused(api_client):
    user = UserFactory()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert api_client.get(QUOTES).status_code == 200
    assert api_client.post(QUOTES, quote_payload(), format="json").status_code == 403


def test_bad_tokens_are_401(api_client):
    for token in ["nonsense", "0" * 40, "a\x00b"]:
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert api_client.get(QUOTES).status_code == 401


@pytest.mark.usefixtures("wang_yi")
def test_editors_write_with_a_session_too(editor_client):
    client = APIClient(enforce_csrf_checks=True)
    client.cookies = editor_client.cookies
    assert client.post(QUOTES, quote_payload(), format="json").status_code == 403  # no CSRF
    client.get("/admin/")
    token = client.cookies["csrftoken"].value
    response = client.post(QUOTES, quote_payload(), format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


# Quotes.


def test_editor_creates_a_quote_with_everything(editor_api, editor, wang_yi):
    response = editor_api.post(QUOTES, quote_payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["key"] == "wang-yi-2023-10-14"
    # Two of his roles cover that day: the choice is left to an editor.
    assert body["role"] is None
    assert body["role_resolution"] == "ambiguous"
    assert [topic["key"] for topic in body["topics"]] == ["gaza"]
    assert body["translations"][0]["language"] == "en"
    assert body["citations"][0]["source"]["key"] == "article"
    quote = Quote.objects.get(key="wang-yi-2023-10-14")
    assert quote.created_by == editor
    assert editor_api.get(QUOTES, {"q": "self-defense"}).json()["count"] == 1


def test_explicit_role(editor_api, wang_yi):
    role = {"organization": "cpc", "title": "Director of the Foreign Affairs Office"}
    response = editor_api.post(QUOTES, quote_payload(role=role), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["role"]["organization"]["key"] == "cpc"
    assert response.json()["role_resolution"] == "explicit"

    # Two affiliations with the same title there: the one covering the date is taken.
    response = editor_api.post(
        QUOTES,
        quote_payload(key="newer", role={"organization": "prc-mfa"}, allow_similar=True),
        format="json",
    )
    assert response.json()["role"]["start"] == "2023-07-25"
    response = editor_api.post(
        QUOTES,
        quote_payload(
            key="older", said="2015", role={"organization": "prc-mfa"}, allow_similar=True
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["role"]["start"] == "2013-03-16"

    unknown = editor_api.post(
        QUOTES,
        quote_payload(key="x", role={"organization": "kremlin"}, allow_similar=True),
        format="json",
    )
    assert unknown.status_code == 400
    assert "role" in unknown.json()


def test_partial_update_keeps_what_is_not_sent(editor_api, wang_yi):
    editor_api.post(QUOTES, quote_payload(key="q"), format="json")
    response = editor_api.patch(f"{QUOTES}q/", {"context": "A phone call."}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["context"] == "A phone call."
    assert len(body["translations"]) == 1
    assert body["topics"][0]["key"] == "gaza"

    response = editor_api.patch(
        f"{QUOTES}q/",
        {"translations": [{"language": "fr", "text": "Les actes d'Israël.", "official": True}]},
        format="json",
    )
    assert [t["language"] for t in response.json()["translations"]] == ["fr"]
    assert Translation.objects.filter(quote__key="q").count() == 1
    assert editor_api.get(QUOTES, {"q": "actes"}).json()["count"] == 1
    assert editor_api.get(QUOTES, {"q": "self-defense"}).json()["count"] == 0


def test_full_update_and_delete(editor_api, wang_yi):
    editor_api.post(QUOTES, quote_payload(key="q"), format="json")
    response = editor_api.put(
        f"{QUOTES}q/", quote_payload(key="q", text="新的文本。", translations=[]), format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["text"] == "新的文本。"
    assert response.json()["translations"] == []
    assert editor_api.delete(f"{QUOTES}q/").status_code == 204
    assert not Quote.objects.filter(key="q").exists()


@pytest.mark.usefixtures("wang_yi")
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"language": "klingon!"}, "language"),
        ({"said": "2023-13-45"}, "said"),
        ({"speaker": "nobody"}, "speaker"),
        ({"text": ""}, "text"),
        ({"kind": "verbatim"}, "kind"),
        ({"topics": ["no-such-topic"]}, "topics"),
        ({"status": "retracted"}, "status"),
        ({"status": "published"}, "status"),
        ({"key": "bad key"}, "key"),
        ({"text": "nul\x00byte"}, "text"),
        (
            {"translations": [{"language": "en", "text": "a"}, {"language": "en", "text": "b"}]},
            "translations",
        ),
        ({"translations": [{"language": "xx-!!", "text": "a"}]}, "translations"),
        ({"citations": [{"source": "nowhere", "excerpt": ""}]}, "citations"),
    ],
)
def test_invalid_quotes_are_400_and_nothing_is_written(editor_api, overrides, field):
    response = editor_api.post(QUOTES, quote_payload(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Quote.objects.count() == 0


@pytest.mark.usefixtures("wang_yi")
def test_duplicate_keys_are_refused(editor_api):
    assert editor_api.post(QUOTES, quote_payload(key="q"), format="json").status_code == 201
    response = editor_api.post(QUOTES, quote_payload(key="q"), format="json")
    assert response.status_code == 400
    assert "key" in response.json()


# Speakers, organizations, sources.


def test_speaker_with_names_and_affiliations(editor_api):
    OrganizationFactory(key="state")
    OrganizationFactory(key="usun")
    payload = {
        "key": "albright",
        "name": "Madeleine Albright",
        "country": "us",
        "names": [{"name": "Marie Jana Korbelová", "language": "cs"}],
        "affiliations": [
            {"organization": "usun", "title": "Ambassador", "start": "1993", "end": "1997-01"},
            {"organization": "state", "title": "Secretary of State", "start": "1997-01-23"},
        ],
    }
    response = editor_api.post("/api/v1/speakers/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["country"] == "US"
    assert len(response.json()["affiliations"]) == 2
    quote = QuoteFactory(key="q", speaker=Speaker.objects.get(key="albright"), said="1996")

    # Ending the ambassadorship earlier re-resolves the quote's role.
    payload["affiliations"][0]["end"] = "1995"
    response = editor_api.put("/api/v1/speakers/albright/", payload, format="json")
    assert response.status_code == 200, response.content
    quote.refresh_from_db()
    assert quote.role is None
    assert Affiliation.objects.filter(speaker__key="albright").count() == 2
    assert editor_api.get("/api/v1/speakers/", {"q": "Korbelova"}).json()["count"] == 1

    payload["affiliations"][0]["end"] = "1990"
    response = editor_api.put("/api/v1/speakers/albright/", payload, format="json")
    assert response.status_code == 400
    assert "affiliations" in response.json()


def test_replacing_an_affiliation_re_resolves_quotes_to_the_new_one(editor_api):
    # The view reads the speaker with its affiliations prefetched; the replaced one, once
    # deleted, must not stay in that list for the quotes' roles (it was a 500).
    speaker = SpeakerFactory(key="albright")
    ambassador = AffiliationFactory(
        speaker=speaker, organization__key="usun", role="Ambassador", start="1993", end="1997"
    )
    resolved = Quote.RoleResolution.RESOLVED
    quote = QuoteFactory(
        key="q", speaker=speaker, said="1995", role=ambassador, role_resolution=resolved
    )
    payload = {
        "key": "albright",
        "name": speaker.name,
        "affiliations": [
            {
                "organization": "usun",
                "title": "Ambassador to the UN",
                "start": "1993",
                "end": "1997",
            }
        ],
        "correction_note": "Her title was “Ambassador to the UN”.",
    }
    response = editor_api.put("/api/v1/speakers/albright/", payload, format="json")
    assert response.status_code == 200, response.content
    quote.refresh_from_db()
    assert quote.role == Affiliation.objects.get(speaker=speaker)
    assert (quote.role.role, quote.role_resolution) == ("Ambassador to the UN", resolved)

    payload["affiliations"] = []
    response = editor_api.put("/api/v1/speakers/albright/", payload, format="json")
    assert response.status_code == 200, response.content
    quote.refresh_from_db()
    assert (quote.role, quote.role_resolution) == (None, Quote.RoleResolution.NONE)


def test_organizations_and_sources_validate_like_the_admin(editor_api):
    bad = editor_api.post(
        "/api/v1/organizations/",
        {"key": "x", "name": "X", "country": "XX", "wikidata": "42"},
        format="json",
    )
    assert bad.status_code == 400
    assert {"country", "wikidata"} <= set(bad.json())
    good = editor_api.post(
        "/api/v1/organizations/",
        {"key": "un", "name": "United Nations", "kind": "intergovernmental", "aliases": ["UN"]},
        format="json",
    )
    assert good.status_code == 201, good.content
    assert Organization.objects.get(key="un").aliases == ["UN"]

    source = {"key": "s", "title": "T", "url": "https://example.org/x", "published": "2023-02"}
    assert editor_api.post("/api/v1/sources/", source, format="json").status_code == 201
    again = editor_api.post("/api/v1/sources/", {**source, "key": "s2"}, format="json")
    assert again.status_code == 400
    assert "url" in again.json()
    assert str(Source.objects.get(key="s").published) == "2023-02"


def test_deleting_what_is_still_used_is_a_conflict(editor_api):
    quote = QuoteFactory(speaker__key="used")
    response = editor_api.delete("/api/v1/speakers/used/")
    assert response.status_code == 409
    assert "quotes" in response.json()["detail"]
    quote.delete()
    assert editor_api.delete("/api/v1/speakers/used/").status_code == 204


# Accounts.


def test_create_editor_prints_a_token_that_works(capsys):
    call_command("create_editor", "reporter")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    SpeakerFactory(key="s")
    response = client.post(
        QUOTES, {"speaker": "s", "text": "Hello.", "language": "en"}, format="json"
    )
    assert response.status_code == 201, response.content

    call_command("create_editor", "reporter")
    assert capsys.readouterr().out.strip().splitlines()[-1] == token
    user = Token.objects.get(key=token).user
    assert user.is_staff
    assert user.groups.filter(name="Editors").exists()


def test_create_editor_makes_an_existing_user_an_editor(capsys):
    user = UserFactory(username="existing")
    call_command("create_editor", "existing")
    assert Token.objects.get(user=user).key == capsys.readouterr().out.strip().splitlines()[-1]
    assert user.groups.filter(name="Editors").exists()


def test_create_editor_makes_a_reviewer_whose_token_publishes(capsys):
    call_command("create_editor", "checker", "--reviewer")
    output = capsys.readouterr().out.strip().splitlines()
    assert output[0] == "Created the reviewer checker."
    user = Token.objects.get(key=output[-1]).user
    assert set(user.groups.values_list("name", flat=True)) == {"Editors", "Reviewers"}
    assert user.is_staff
    quote = CitationFactory(quote__status=Quote.Status.REVIEW, excerpt="As said.").quote
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {output[-1]}")
    response = client.patch(f"{QUOTES}{quote.key}/", {"status": "published"}, format="json")
    assert response.status_code == 200, response.content


def test_create_editor_without_reviewer_makes_a_reviewer_an_editor_again(capsys):
    call_command("create_editor", "checker", "--reviewer")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    call_command("create_editor", "checker", "--reviewer")
    output = capsys.readouterr().out.strip().splitlines()
    assert (output[0], output[-1]) == ("checker is a reviewer.", token)
    call_command("create_editor", "checker")
    output = capsys.readouterr().out.strip().splitlines()
    assert (output[0], output[-1]) == ("checker is an editor, no longer a reviewer.", token)
    user = Token.objects.get(key=token).user
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]


def test_create_editor_refuses_an_invalid_user_name():
    with pytest.raises(CommandError, match="is not a valid user name"):
        call_command("create_editor", "no spaces/allowed", "--reviewer")
    assert not get_user_model().objects.exists()


def test_a_key_taken_by_a_concurrent_write_is_a_400_naming_it():
    # full_clean found the key free; another transaction took it before the insert.
    TopicFactory(key="gaza")
    late = Topic(key="gaza", name="Gaza")
    with pytest.raises(ValidationError) as refused:
        save_unique(late)
    assert "key" in refused.value.message_dict
    assert Topic.objects.filter(key="gaza").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"names": [{"language": "ru"}]}, "names"),
        ({"affiliations": [{"organization": "usun"}]}, "affiliations"),
    ],
)
def test_a_patch_gives_the_items_of_a_list_whole(editor_api, body, field):
    # A PATCH replaces the list: an item without its required fields was a 500 (KeyError).
    SpeakerFactory(key="albright")
    OrganizationFactory(key="usun")
    response = editor_api.patch("/api/v1/speakers/albright/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
