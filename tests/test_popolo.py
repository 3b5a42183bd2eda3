"""The Popolo export: export_popolo and /api/v1/popolo.json."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories import (
    AffiliationFactory,
    OrganizationFactory,
    SpeakerFactory,
    SpeakerNameFactory,
)

pytestmark = pytest.mark.django_db


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
    assert document["organizations"] == [
        {
            "id": "prc-gov",
            "name": "State Council",
            "classification": "ministry",
            "area_id": "country:cn",
        },
        {
            "id": "prc-mfa",
            "name": "Ministry of Foreign Affairs",
            "classification": "ministry",
            "parent_id": "prc-gov",
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
    assert first["id"] != second["id"]
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
    assert document == {"persons": [], "organizations": [], "memberships": [], "areas": []}


def test_people_come_in_key_order_with_their_memberships(client):
    for key in ("b-speaker", "a-speaker", "C-speaker"):
        AffiliationFactory(speaker=SpeakerFactory(key=key))
    document = exported()
    assert [p["id"] for p in document["persons"]] == ["C-speaker", "a-speaker", "b-speaker"]
    memberships = [m["person_id"] for m in document["memberships"]]
    assert memberships == ["C-speaker", "a-speaker", "b-speaker"]
