"""The public record in the Popolo JSON format (https://www.popoloproject.com/specs/): the
speakers (``persons``) and organizations that published or retracted statements refer to,
their affiliations (``memberships``), the ``areas`` (countries) they refer to, the
occasions of those statements (``events``), and those statements as ``speeches`` (each with
its ``event_id``). A record no public statement refers to yet is left out.

One function, ``popolo_json``, makes the text for both ``export_popolo`` and
``/api/v1/popolo.json``. It is produced piece by piece, records read a chunk at a time in one
consistent snapshot, so memory stays constant however many speakers there are. Records come
in key order; ids are OnRecord's keys, or made of them (memberships:
``<speaker>/<organization>/<role>/<start>``), so that they are the same in every database
that holds the same records; a speech's id is the statement's permanent identifier (a
``tag:`` URI). Dates are ISO 8601 at their precision (``2023``, ``2023-10`` or
``2023-10-14``), as Popolo allows. What a speech tells of a statement (its retraction,
corrections, translations, first publication) is the public representation's
(``quotes.public``).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.db.models.functions import Collate
from django.utils.text import slugify
from django_countries import countries

from quotes import public
from quotes.interchange.exporter import consistent_snapshot
from quotes.models import (
    Affiliation,
    Occasion,
    OccasionAccount,
    OccasionParticipant,
    Organization,
    Quote,
    Speaker,
    SpeakerName,
)
from quotes.public import PublicCitation, PublicStatement

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
        # A parent that is not public yet is left out, as it is everywhere.
        "parent_id": record.parent.key if getattr(record, "parent_public", False) else None,
        "area_id": area_id(record.country.code) if record.country else None,
        "other_names": [{"name": alias} for alias in record.aliases],
        "identifiers": identifiers(record),
        "links": [{"url": record.url, "note": "website"}] if record.url else [],
    }
    return {**entry, **{name: value for name, value in optional.items() if value}}


def membership_id(affiliation: Affiliation) -> str:
    """An id made of what the affiliation is (speaker, organization, role, start), so that
    it is the same in every database holding it: never a database id."""
    start = str(affiliation.start) if affiliation.start else "undated"
    role = slugify(affiliation.role, allow_unicode=True) or "role"
    parts = [affiliation.speaker.key, affiliation.organization.key, role]
    return "/".join([*parts, start])


def memberships_with_ids(affiliations: Iterable[Affiliation]) -> Iterator[dict]:
    """Each affiliation as a membership; affiliations alike in all that makes their id
    (duplicates an editor has yet to merge) are numbered in export order: ``…/2``."""
    seen: dict[str, int] = {}
    speaker = None
    for affiliation in affiliations:
        if affiliation.speaker_id != speaker:  # ids repeat only within a speaker's
            seen, speaker = {}, affiliation.speaker_id
        entry = membership(affiliation)
        seen[entry["id"]] = count = seen.get(entry["id"], 0) + 1
        if count > 1:
            entry["id"] += f"/{count}"
        yield entry


def membership(affiliation: Affiliation) -> dict:
    entry = {
        "id": membership_id(affiliation),
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


def event(occasion: Occasion) -> dict:
    """An occasion as a Popolo ``Event``: its kind (``classification``), dates at their
    precision, place, the occasion it was part of (when public), its public speakers
    (``attendees``) and each party's account (``sources``); OnRecord's ``participants`` say
    whom each represented there."""
    country = countries.name(occasion.country.code) if occasion.country else ""
    participants = list(occasion.participants.all())
    optional = {
        "classification": occasion.kind,
        "start_date": str(occasion.start) if occasion.start else None,
        "end_date": str(occasion.end) if occasion.end else None,
        "location": ", ".join(part for part in (occasion.place, country) if part),
        "parent_id": occasion.parent.key if getattr(occasion, "parent_public", False) else None,
        "attendees": [{"id": p.speaker.key, "name": p.speaker.name} for p in participants],
        "sources": [_account_link(account) for account in occasion.accounts.all()],
        # OnRecord's, beside Popolo's:
        "area_id": area_id(occasion.country.code) if occasion.country else None,
        "participants": [_participant(p) for p in participants],
    }
    entry = {"id": occasion.key, "name": occasion.name}
    return {**entry, **{name: value for name, value in optional.items() if value}}


def _account_link(account: OccasionAccount) -> dict:
    """A party's account of the occasion as a Popolo link: its address (the archived copy
    when it has none), noted with whose account it is."""
    source = account.source
    note = f"{account.party}, {account.get_kind_display().lower()}: {source.title}"
    return {"url": source.url or source.archive_url, "note": note}


def _participant(participant: OccasionParticipant) -> dict:
    entry = {"person_id": participant.speaker.key}
    if participant.organization_id and participant.organization_public:
        entry["organization_id"] = participant.organization.key
    if participant.country:
        entry["area_id"] = area_id(participant.country.code)
    return entry


def speech(statement: PublicStatement, site_url: str) -> dict:
    """A public statement as a Popolo ``Speech``: ``creator_id`` (the person), ``role``,
    ``date`` (when said, at its precision), ``text`` (the speaker's own words, in their
    language) and ``sources`` (each citation's report, and its archived copy); OnRecord's
    own properties say what Popolo has no word for: the kind of quotation, the status, the
    retraction, the corrections, the translations (each labelled official or OnRecord's),
    the statements of the same claim under other names a reviewer confirmed (lineage)."""
    role = statement.role
    entry = {
        "id": statement.tag,
        "creator_id": statement.speaker.key,
        "role": role.title if role else None,
        "attribution_text": ", ".join(
            [statement.speaker.name, *([role.title, role.organization_name] if role else [])]
        ),
        "date": str(statement.said) if statement.said else None,
        "event_id": statement.occasion.key if statement.occasion else None,
        "text": statement.text,
        "created_at": _instant(statement.first_published),
        "updated_at": _instant(statement.updated),
        "sources": [link for citation in statement.citations for link in _links(citation)],
        # OnRecord's, beside Popolo's (its schemas allow further properties):
        "key": statement.key,
        "url": site_url + statement.path,
        "language": statement.language,
        "kind": statement.kind,
        "status": statement.status,
        "organization_id": role.organization_key if role else None,
        "first_published": _instant(statement.first_published),
        "retraction": (
            {
                "date": _day(statement.retraction.date),
                "reason": statement.retraction.reason,
            }
            if statement.retraction
            else None
        ),
        "corrections": [{"date": _day(c.date), "note": c.note} for c in statement.corrections],
        "translations": [
            {"language": t.language, "text": t.text, "official": t.official, "label": t.label}
            for t in statement.translations
        ],
        "topics": [{"id": key, "name": name} for key, name in statement.topics],
        "also_attributed_to": [
            {
                "key": other.key,
                "creator_id": other.speaker.key,
                "attribution_text": other.speaker.name,
                "date": str(other.said) if other.said else None,
            }
            for other in statement.also_attributed_to
        ],
    }
    return entry


def _links(citation: PublicCitation) -> list[dict]:
    title = citation.source_title or citation.publisher or citation.url
    links = [{"url": citation.url, "note": title}] if citation.url else []
    if citation.archive_url:
        links.append({"url": citation.archive_url, "note": f"{title} (archived copy)"})
    return links


def _instant(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _day(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _speeches(site_url: str) -> Iterator[dict]:
    """The public statements (published and retracted), in key order, as speeches."""
    quotes = Quote.objects.public().with_public_parts().order_by(Collate("key", "C"))
    for quote in quotes.iterator(chunk_size=CHUNK_SIZE):
        yield speech(public.statement(quote), site_url)


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


def _events(public_organizations: QuerySet, order) -> QuerySet:
    """The public occasions, with their public participants, in key order."""
    public_occasions = Occasion.objects.public()
    participants = (
        OccasionParticipant.objects.filter(speaker__in=Speaker.objects.public())
        .select_related("speaker", "organization")
        .annotate(
            organization_public=Exists(public_organizations.filter(pk=OuterRef("organization_id")))
        )
        .order_by(Collate("speaker__key", "C"))
    )
    accounts = (
        OccasionAccount.objects.select_related("source", "organization")
        .exclude(source__url="", source__archive_url="")
        .defer("source__full_text")
        .order_by(Collate("source__key", "C"))
    )
    return (
        public_occasions.select_related("parent")
        .annotate(parent_public=Exists(public_occasions.filter(pk=OuterRef("parent_id"))))
        .prefetch_related(Prefetch("participants", participants), Prefetch("accounts", accounts))
        .order_by(order)
    )


def popolo_json(site_url: str | None = None) -> Iterator[str]:
    """The Popolo export as pieces of one JSON object (UTF-8 text, non-ASCII kept).
    ``site_url``: the reader site's address, for the statements' pages (by default
    ``ONRECORD_SITE_URL``)."""
    site_url = (site_url or settings.ONRECORD_SITE_URL).rstrip("/")
    by_key = Collate("key", "C")
    with consistent_snapshot():
        # Only the public record: a speaker or organization is in once a published or
        # retracted statement refers to it (quotes.models.PublicRecordQuerySet).
        public_organizations = Organization.objects.public()
        persons = (
            Speaker.objects.public()
            .order_by(by_key)
            .prefetch_related(Prefetch("names", SpeakerName.objects.order_by("language", "name")))
        )
        organizations = (
            public_organizations.select_related("parent")
            .annotate(parent_public=Exists(public_organizations.filter(pk=OuterRef("parent_id"))))
            .order_by(by_key)
        )
        memberships = (
            Affiliation.objects.filter(speaker__in=Speaker.objects.public())
            .select_related("speaker", "organization")
            .order_by(
                Collate("speaker__key", "C"),
                "start",
                Collate("organization__key", "C"),
                "role",
                "pk",
            )
        )
        codes = sorted(
            {*public_organizations.exclude(country="").values_list("country", flat=True)}
        )
        events = _events(public_organizations, by_key)
        yield "{\n"
        yield from _array("persons", _records(persons, person))
        yield ",\n"
        yield from _array("organizations", _records(organizations, organization))
        yield ",\n"
        yield from _array("memberships", memberships_with_ids(memberships.iterator(CHUNK_SIZE)))
        yield ",\n"
        yield from _array("areas", (area(code) for code in codes))
        yield ",\n"
        yield from _array("events", _records(events, event))
        yield ",\n"
        yield from _array("speeches", _speeches(site_url))
        yield "\n}\n"
