"""Speakers, organizations and their affiliations in the Popolo JSON format
(https://www.popoloproject.com/specs/): ``persons``, ``organizations``, ``memberships`` and
the ``areas`` (countries) they refer to.

One function, ``popolo_json``, makes the text for both ``export_popolo`` and
``/api/v1/popolo.json``. It is produced piece by piece, records read a chunk at a time in one
consistent snapshot, so memory stays constant however many speakers there are. Records come
in key order; ids are OnRecord's keys (memberships: ``membership-<number>``), dates are ISO
8601 at their precision (``2023``, ``2023-10`` or ``2023-10-14``), as Popolo allows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Collate
from django_countries import countries

from quotes.interchange.exporter import consistent_snapshot
from quotes.models import Affiliation, Organization, Speaker, SpeakerName

CHUNK_SIZE = 2000
WIKIDATA_SCHEME = "wikidata"


def area_id(country: str) -> str:
    return f"country:{country.lower()}"


def identifiers(record: Speaker | Organization) -> list[dict]:
    if not record.wikidata:
        return []
    return [{"scheme": WIKIDATA_SCHEME, "identifier": record.wikidata}]


def person(speaker: Speaker) -> dict:
    entry = {"id": speaker.key, "name": speaker.name}
    other_names = []
    for name in speaker.names.all():
        other_names.append(
            {"name": name.name, **({"lang": name.language} if name.language else {})}
        )
    optional = {
        "other_names": other_names,
        "identifiers": identifiers(speaker),
        "summary": speaker.description,
        "national_identity": speaker.country.code if speaker.country else "",
    }
    if speaker.wikidata:
        optional["links"] = [
            {"url": f"https://www.wikidata.org/wiki/{speaker.wikidata}", "note": "Wikidata"}
        ]
    return {**entry, **{name: value for name, value in optional.items() if value}}


def organization(record: Organization) -> dict:
    entry = {"id": record.key, "name": record.name, "classification": record.kind}
    optional = {
        "parent_id": record.parent.key if record.parent_id else None,
        "area_id": area_id(record.country.code) if record.country else None,
        "other_names": [{"name": alias} for alias in record.aliases],
        "identifiers": identifiers(record),
        "links": [{"url": record.url, "note": "website"}] if record.url else [],
    }
    return {**entry, **{name: value for name, value in optional.items() if value}}


def membership(affiliation: Affiliation) -> dict:
    entry = {
        "id": f"membership-{affiliation.pk}",
        "person_id": affiliation.speaker.key,
        "organization_id": affiliation.organization.key,
        "role": affiliation.role,
    }
    if affiliation.start:
        entry["start_date"] = str(affiliation.start)
    if affiliation.end:
        entry["end_date"] = str(affiliation.end)
    return entry


def area(code: str) -> dict:
    return {
        "id": area_id(code),
        "name": countries.name(code) or code,
        "classification": "country",
        "identifiers": [{"scheme": "iso_3166_1", "identifier": code}],
    }


def _records(queryset: QuerySet, shape) -> Iterator[dict]:
    for record in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield shape(record)


def _array(name: str, records: Iterator[dict]) -> Iterator[str]:
    yield f'"{name}": ['
    separator = "\n  "
    for record in records:
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ",\n  "
    yield "\n]"


def popolo_json() -> Iterator[str]:
    """The Popolo export as pieces of one JSON object (UTF-8 text, non-ASCII kept)."""
    by_key = Collate("key", "C")
    with consistent_snapshot():
        persons = Speaker.objects.order_by(by_key).prefetch_related(
            Prefetch("names", SpeakerName.objects.order_by("language", "name"))
        )
        organizations = Organization.objects.select_related("parent").order_by(by_key)
        memberships = Affiliation.objects.select_related("speaker", "organization").order_by(
            Collate("speaker__key", "C"), "start", "pk"
        )
        codes = sorted(
            {*Organization.objects.exclude(country="").values_list("country", flat=True)}
        )
        yield "{\n"
        yield from _array("persons", _records(persons, person))
        yield ",\n"
        yield from _array("organizations", _records(organizations, organization))
        yield ",\n"
        yield from _array("memberships", _records(memberships, membership))
        yield ",\n"
        yield from _array("areas", (area(code) for code in codes))
        yield "\n}\n"
