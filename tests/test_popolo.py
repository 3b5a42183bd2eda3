"""The Popolo export: export_popolo and /api/v1/popolo.json."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft3Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

from lineage.services import lineage_decide
from quotes.models import Affiliation, Quote
from tests.factories import (
    AffiliationFactory,
    CitationFactory,
    OccasionAccountFactory,
    OccasionFactory,
    OccasionParticipantFactory,
    OrganizationFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    SpeakerNameFactory,
    TopicFactory,
    TranslationFactory,
)

# The Popolo JSON Schemas (draft 03), as the specification publishes them.
SCHEMAS = Path(__file__).resolve().parent / "data" / "popolo"
SCHEMA_OF = {
    "persons": "person",
    "organizations": "organization",
    "memberships": "membership",
    "areas": "area",
    "events": "event",
    "speeches": "speech",
}

pytestmark = pytest.mark.django_db
READOUT = "https://www.mfa.example/readout"


@pytest.fixture
def wang_yi():
    ministry = OrganizationFactory(
        key="prc-mfa",
        name="Ministry of Foreign Affairs",
        country="CN",
        aliases=["MFA"],
        wikidata="Q1069577",
        url="https://www.fmprc.gov.cn/",
        parent=OrganizationFactory(key="prc-gov", name="State Council", country="CN"),
    )
    speaker = SpeakerFactory(
        key="wang-yi", name="Wang Yi", country="CN", wikidata="Q57488", description="Diplomat"
    )
    SpeakerNameFactory(speaker=speaker, name="王毅", language="zh")
    AffiliationFactory(
        speaker=speaker, organization=ministry, role="Minister", start="2013-03", end="2022-12-30"
    )
    AffiliationFactory(speaker=speaker, organization=ministry, role="Minister", start="2023-07-25")
    QuoteFactory(key="wang-yi-2014", speaker=speaker, said="2014")  # public from now on
    return speaker


def exported() -> dict:
    out = StringIO()
    call_command("export_popolo", stdout=out)
    return json.loads(out.getvalue())


def test_speakers_organizations_and_affiliations_as_popolo(wang_yi):
    document = exported()
    assert document["persons"] == [
        {
            "id": "wang-yi",
            "name": "Wang Yi",
            "other_names": [{"name": "王毅", "lang": "zh"}],
            "identifiers": [{"scheme": "wikidata", "identifier": "Q57488"}],
            "summary": "Diplomat",
            "national_identity": "CN",
            "links": [{"url": "https://www.wikidata.org/wiki/Q57488", "note": "Wikidata"}],
        }
    ]
    # The State Council is only the ministry's parent: no public statement refers to it yet.
    assert document["organizations"] == [
        {
            "id": "prc-mfa",
            "name": "Ministry of Foreign Affairs",
            "classification": "ministry",
            "area_id": "country:cn",
            "other_names": [{"name": "MFA"}],
            "identifiers": [{"scheme": "wikidata", "identifier": "Q1069577"}],
            "links": [{"url": "https://www.fmprc.gov.cn/", "note": "website"}],
        },
    ]
    first, second = document["memberships"]
    assert {key: first[key] for key in first if key != "id"} == {
        "person_id": "wang-yi",
        "organization_id": "prc-mfa",
        "role": "Minister",
        "start_date": "2013-03",
        "end_date": "2022-12-30",
    }
    assert (second["start_date"], "end_date" in second) == ("2023-07-25", False)
    assert first["id"] == "wang-yi/prc-mfa/minister/2013-03"
    assert second["id"] == "wang-yi/prc-mfa/minister/2023-07-25"
    assert document["areas"] == [
        {
            "id": "country:cn",
            "name": "China",
            "classification": "country",
            "identifiers": [{"scheme": "iso_3166_1", "identifier": "CN"}],
        }
    ]


def test_the_api_serves_the_same_document_as_the_command(client, wang_yi):
    response = client.get("/api/v1/popolo.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(b"".join(response.streaming_content)) == exported()


def test_an_empty_database_is_an_empty_document(tmp_path):
    target = tmp_path / "popolo.json"
    call_command("export_popolo", str(target))
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document == {
        "persons": [],
        "organizations": [],
        "memberships": [],
        "areas": [],
        "events": [],
        "speeches": [],
    }


def test_people_come_in_key_order_with_their_memberships(client):
    for key in ("b-speaker", "a-speaker", "C-speaker"):
        speaker = SpeakerFactory(key=key)
        AffiliationFactory(speaker=speaker)
        QuoteFactory(speaker=speaker)
    document = exported()
    assert [p["id"] for p in document["persons"]] == ["C-speaker", "a-speaker", "b-speaker"]
    memberships = [m["person_id"] for m in document["memberships"]]
    assert memberships == ["C-speaker", "a-speaker", "b-speaker"]


def popolo_validators() -> dict[str, Draft3Validator]:
    schemas = {path.stem: json.loads(path.read_text()) for path in SCHEMAS.glob("*.json")}
    registry = Registry().with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT3))
        for schema in schemas.values()
    )
    return {
        collection: Draft3Validator(schemas[name], registry=registry)
        for collection, name in SCHEMA_OF.items()
    }


@pytest.fixture
def statements(wang_yi):
    """A published statement with everything a speech tells, a retracted one, a draft."""
    role = wang_yi.affiliations.get(start="2023-07-25")
    published = QuoteFactory(
        key="wang-yi-2023-10-14",
        speaker=wang_yi,
        language="zh",
        kind=Quote.Kind.PARTIAL,
        text="停止对加沙民众的集体惩罚",
        role=role,
        role_resolution=Quote.RoleResolution.RESOLVED,
        corrections=[{"date": "2024-01-31", "note": "The date was corrected."}],
    )
    published.topics.set([TopicFactory(key="gaza", name="Gaza")])
    TranslationFactory(quote=published, language="en", text="stop the collective punishment")
    TranslationFactory(quote=published, language="fr", text="cessez", official=True)
    source = SourceFactory(
        key="report",
        title="China and Russia on Gaza",
        url="https://news.example.org/gaza",
        archive_url="https://archive.example.org/gaza",
    )
    CitationFactory(quote=published, source=source)
    published.occasion = OccasionFactory(
        key="call-2023-10-14", name="Phone call", start="2023-10-14", country="SA"
    )
    published.save()
    OccasionParticipantFactory(occasion=published.occasion, speaker=wang_yi, country="CN")
    OccasionAccountFactory(
        occasion=published.occasion,
        source=SourceFactory(key="mfa-readout", title="Wang Yi Speaks with Faisal", url=READOUT),
        country="CN",
    )
    retracted = QuoteFactory(
        key="wang-yi-retracted",
        speaker=wang_yi,
        said="2023",
        status=Quote.Status.RETRACTED,
        retraction_reason="Misattributed: the spokesperson said it.",
    )
    QuoteFactory(key="wang-yi-draft", speaker=wang_yi, status=Quote.Status.DRAFT)
    published.refresh_from_db()
    retracted.refresh_from_db()
    return published, retracted


def test_issue17_defect_12_membership_ids_are_the_same_in_another_database(wang_yi):
    before = [m["id"] for m in exported()["memberships"]]
    # Another database holds the same affiliations under other database ids.
    rows = list(Affiliation.objects.values("speaker", "organization", "role", "start", "end"))
    Affiliation.objects.all().delete()
    for row in reversed(rows):
        AffiliationFactory(
            speaker_id=row["speaker"],
            organization_id=row["organization"],
            **{key: row[key] for key in ("role", "start", "end")},
        )
    assert [m["id"] for m in exported()["memberships"]] == before
    assert before == ["wang-yi/prc-mfa/minister/2013-03", "wang-yi/prc-mfa/minister/2023-07-25"]


def test_alike_affiliations_get_numbered_ids(wang_yi):
    ministry = wang_yi.affiliations.first().organization
    AffiliationFactory(speaker=wang_yi, organization=ministry, role="Minister", start=None)
    AffiliationFactory(speaker=wang_yi, organization=ministry, role="Minister", start=None)
    ids = [m["id"] for m in exported()["memberships"]]
    assert len(set(ids)) == len(ids) == 4
    assert "wang-yi/prc-mfa/minister/undated/2" in ids


def test_issue17_defect_12_statements_are_exported_as_popolo_speeches(statements, settings):
    published, retracted = statements
    speeches = {s["key"]: s for s in exported()["speeches"]}
    assert set(speeches) == {"wang-yi-2014", "wang-yi-2023-10-14", "wang-yi-retracted"}
    speech = speeches["wang-yi-2023-10-14"]
    assert speech["id"] == f"tag:{settings.ONRECORD_TAG_AUTHORITY}:statement:{published.uid}"
    assert speech["creator_id"] == "wang-yi"
    assert speech["role"] == "Minister"
    assert speech["attribution_text"] == "Wang Yi, Minister, Ministry of Foreign Affairs"
    assert speech["organization_id"] == "prc-mfa"
    assert speech["date"] == "2023-10-14"
    assert speech["text"] == "停止对加沙民众的集体惩罚"
    assert speech["language"] == "zh"
    assert speech["kind"] == "partial"
    assert speech["sources"] == [
        {"url": "https://news.example.org/gaza", "note": "China and Russia on Gaza"},
        {
            "url": "https://archive.example.org/gaza",
            "note": "China and Russia on Gaza (archived copy)",
        },
    ]
    assert speech["created_at"] == published.published_at.isoformat()
    assert speech["first_published"] == speech["created_at"]
    assert speech["corrections"] == [{"date": "2024-01-31", "note": "The date was corrected."}]
    assert speech["translations"] == [
        {"language": "fr", "text": "cessez", "official": True, "label": "official translation"},
        {
            "language": "en",
            "text": "stop the collective punishment",
            "official": False,
            "label": "OnRecord's translation",
        },
    ]
    assert speech["topics"] == [{"id": "gaza", "name": "Gaza"}]
    assert speech["retraction"] is None
    assert speech["url"].endswith("/quotes/wang-yi-2023-10-14/")
    withdrawn = speeches["wang-yi-retracted"]
    assert withdrawn["status"] == "retracted"
    assert withdrawn["retraction"] == {
        "date": retracted.retracted_at.date().isoformat(),
        "reason": "Misattributed: the spokesperson said it.",
    }
    assert withdrawn["date"] == "2023"
    assert withdrawn["role"] is None


def test_a_speech_names_the_other_speakers_a_reviewer_confirmed(statements, reviewer):
    published, _ = statements
    other = QuoteFactory(
        key="said-by-another", speaker__key="somebody-else", speaker__name="Somebody Else"
    )
    lineage_decide(quote=published, other=other, verdict="confirmed", user=reviewer)
    document = exported()
    speeches = {s["key"]: s for s in document["speeches"]}
    assert speeches["wang-yi-2023-10-14"]["also_attributed_to"] == [
        {
            "key": "said-by-another",
            "creator_id": "somebody-else",
            "attribution_text": "Somebody Else",
            "date": str(other.said),
        }
    ]
    assert speeches["said-by-another"]["also_attributed_to"][0]["creator_id"] == "wang-yi"
    assert speeches["wang-yi-2014"]["also_attributed_to"] == []
    assert "somebody-else" in {person["id"] for person in document["persons"]}


def test_the_export_is_valid_against_the_popolo_schemas(statements):
    document = exported()
    validators = popolo_validators()
    assert set(document) == set(validators)
    for collection, records in document.items():
        assert records, collection
        for record in records:
            errors = [error.message for error in validators[collection].iter_errors(record)]
            assert errors == [], (collection, record)


def test_the_popolo_schemas_catch_a_malformed_record():
    validators = popolo_validators()
    assert list(validators["speeches"].iter_errors({"creator_id": 7, "sources": [{"note": "x"}]}))
    assert list(validators["memberships"].iter_errors({"start_date": "14 October 2023"}))


def test_only_the_public_record_is_exported(wang_yi):
    """A speaker, and the organizations of their affiliations, enter Popolo with their first
    published or retracted statement: a draft's speaker is nobody's business yet."""
    newcomer = SpeakerFactory(key="misspelt-newcomer")
    AffiliationFactory(speaker=newcomer, organization=OrganizationFactory(key="new-office"))
    QuoteFactory(speaker=newcomer, status=Quote.Status.DRAFT)
    document = exported()
    assert [p["id"] for p in document["persons"]] == ["wang-yi"]
    assert "new-office" not in {o["id"] for o in document["organizations"]}
    assert {m["person_id"] for m in document["memberships"]} == {"wang-yi"}
    QuoteFactory(speaker=newcomer, status=Quote.Status.RETRACTED, retraction_reason="Wrong.")
    document = exported()
    assert [p["id"] for p in document["persons"]] == ["misspelt-newcomer", "wang-yi"]
    assert "new-office" in {o["id"] for o in document["organizations"]}


def test_occasions_are_events_and_speeches_name_theirs(statements):
    hidden = OccasionFactory(key="unreferred-meeting")
    OccasionParticipantFactory(occasion=hidden)
    document = exported()
    assert document["events"] == [
        {
            "id": "call-2023-10-14",
            "name": "Phone call",
            "classification": "call",
            "start_date": "2023-10-14",
            "location": "Saudi Arabia",
            "attendees": [{"id": "wang-yi", "name": "Wang Yi"}],
            "sources": [
                {"url": READOUT, "note": "China, official readout: Wang Yi Speaks with Faisal"}
            ],
            "area_id": "country:sa",
            "participants": [{"person_id": "wang-yi", "area_id": "country:cn"}],
        }
    ]
    event_ids = {speech["key"]: speech.get("event_id") for speech in document["speeches"]}
    assert event_ids == {
        "wang-yi-2014": None,
        "wang-yi-2023-10-14": "call-2023-10-14",
        "wang-yi-retracted": None,
    }
