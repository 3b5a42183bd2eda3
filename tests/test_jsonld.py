"""The JSON-LD of statement, speaker and organization pages, read as machines read it and
checked against the schema.org vocabulary (tests/data/schemaorg-current-https.jsonld, the
vocabulary's release file): every type and property exists, and each property is used on a
type of its domain and, for typed values, with a type of its range."""

import functools
import json
import re
from pathlib import Path

import pytest

from quotes import services
from quotes.models import Quote
from tests.factories import OrganizationFactory
from tests.reader_data import TEXT, TRANSLATION, reading_room

pytestmark = pytest.mark.django_db
VOCABULARY = Path(__file__).parent / "data" / "schemaorg-current-https.jsonld"
SCHEMA = "schema:"
STATEMENT = "/quotes/wang-yi-2023-10-14/"


@pytest.fixture
def room():
    return reading_room()


def ids(value) -> list[str]:
    items = value if isinstance(value, list) else [value] if value else []
    return [item["@id"] for item in items]


@functools.cache
def vocabulary() -> tuple[dict[str, set[str]], dict[str, tuple[set[str], set[str]]]]:
    """Classes with their direct superclasses, and properties with (domains, ranges)."""
    classes, properties = {}, {}
    for node in json.loads(VOCABULARY.read_text())["@graph"]:
        types = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        if "rdfs:Class" in types:
            classes[node["@id"]] = set(ids(node.get("rdfs:subClassOf")))
        if "rdf:Property" in types:
            domains = set(ids(node.get("schema:domainIncludes")))
            properties[node["@id"]] = (domains, set(ids(node.get("schema:rangeIncludes"))))
    return classes, properties


def ancestors(name: str) -> set[str]:
    classes, _ = vocabulary()
    found, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(classes.get(current, ()))
    return found


def problems(node, path: str = "$") -> list[str]:
    """What in ``node`` the schema.org vocabulary does not allow."""
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in problems(item, f"{path}[{i}]")]
    if not isinstance(node, dict):
        return []
    classes, properties = vocabulary()
    found = []
    kind = node.get("@type")
    if kind and SCHEMA + kind not in classes:
        found.append(f"{path}: no type {kind}")
    for name, value in node.items():
        if name.startswith("@"):
            continue
        if SCHEMA + name not in properties:
            found.append(f"{path}.{name}: no property {name}")
            continue
        domains, ranges = properties[SCHEMA + name]
        if kind and not ancestors(SCHEMA + kind) & domains:
            found.append(f"{path}.{name}: not a property of {kind}")
        for item in value if isinstance(value, list) else [value]:
            typed = isinstance(item, dict) and item.get("@type")
            if typed and not ancestors(SCHEMA + item["@type"]) & ranges:
                found.append(f"{path}.{name}: {item['@type']} is not in its range")
        found += problems(value, f"{path}.{name}")
    return found


def json_ld(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_the_checker_finds_what_schema_org_does_not_allow():
    assert problems({"@type": "Quotation", "spokenByCharacter": {"@type": "Person"}}) == []
    assert problems({"@type": "Quotation", "speaker": "x"}) == ["$.speaker: no property speaker"]
    assert problems({"@type": "Person", "creativeWorkStatus": "x"}) == [
        "$.creativeWorkStatus: not a property of Person"
    ]
    assert problems({"@type": "Quotation", "creator": {"@type": "Place"}}) == [
        "$.creator: Place is not in its range"
    ]
    assert problems({"@type": "Quote"}) == ["$: no type Quote"]


def test_defect_9_a_statement_names_its_speaker_as_creator_with_its_identifier(client, room):
    data = json_ld(client, STATEMENT)
    assert problems(data) == []
    room["quote"].refresh_from_db()
    assert data["identifier"].endswith(f":statement:{room['quote'].uid}")
    assert data["identifier"].startswith("tag:")
    assert data["creator"]["@type"] == "Person"
    assert data["creator"]["sameAs"] == "https://www.wikidata.org/wiki/Q16250"
    assert data["creativeWorkStatus"] == "Published"
    assert (data["text"], data["inLanguage"]) == (TEXT, "zh")
    assert data["workTranslation"] == [
        {
            "@type": "Quotation",
            "text": TRANSLATION,
            "inLanguage": "en",
            "name": "OnRecord's translation",
            "translationOfWork": {"@id": "http://testserver" + STATEMENT},
            "translator": {"@type": "Organization", "name": "OnRecord"},
        }
    ]
    assert data["citation"][0]["archivedAt"] == "https://archive.example.org/gaza"
    assert "correction" not in data


def test_defect_9_a_retracted_statement_says_so_with_its_reason(client, room, reviewer):
    services.quote_retract(quote=room["quote"], reason="misattributed: a spokesman", user=reviewer)
    data = json_ld(client, STATEMENT)
    assert problems(data) == []
    assert data["creativeWorkStatus"] == "Retracted"
    assert data["correction"][-1]["text"] == "Retracted: misattributed: a spokesman"
    assert data["correction"][-1]["@type"] == "CorrectionComment"


def test_defect_9_each_correction_is_stated_with_its_date(client, room, reviewer):
    quote = room["quote"]
    services.quote_update(
        quote=quote,
        user=reviewer,
        changes={"said": "2023-10-15"},
        correction_note="The call was on 15 October.",
    )
    quote.refresh_from_db()
    data = json_ld(client, STATEMENT)
    assert problems(data) == []
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "datePublished": quote.corrections[0]["date"],
            "text": "The call was on 15 October.",
        }
    ]
    assert data["dateModified"] == quote.corrected_at.isoformat()
    assert data["datePublished"] == quote.published_at.isoformat()


def test_defect_9_a_speaker_page_describes_a_person(client, room):
    data = json_ld(client, "/speakers/wang-yi/")
    assert problems(data) == []
    assert data["@type"] == "Person"
    assert data["name"] == "Wang Yi"
    assert data["sameAs"] == "https://www.wikidata.org/wiki/Q16250"
    assert data["alternateName"] == ["王毅"]
    assert [org["name"] for org in data["affiliation"]] == ["Ministry of Foreign Affairs of China"]


def test_defect_9_an_organization_page_describes_an_organization(client, room):
    ministry = room["quote"].role.organization
    ministry.parent = OrganizationFactory(key="state-council", name="State Council")
    ministry.wikidata = "Q1048565"
    ministry.save()
    data = json_ld(client, "/organizations/mfa-china/")
    assert problems(data) == []
    assert data["@type"] == "Organization"
    assert data["sameAs"] == ["https://www.wikidata.org/wiki/Q1048565"]
    assert data["parentOrganization"]["name"] == "State Council"


def test_an_editors_preview_of_a_draft_is_no_published_work(editor_client, room):
    Quote.objects.filter(pk=room["quote"].pk).update(status=Quote.Status.DRAFT)
    data = json_ld(editor_client, STATEMENT)
    assert data["creativeWorkStatus"] == "Draft"
    assert "datePublished" in data  # it was published once: the first publication stays
