"""The canonical form of each record: what the exporter writes and what the importer compares.

A record read from a file is brought to this form (defaults filled in, language tags and
dates in their standard spelling, empty optional fields dropped, unordered lists sorted);
a record in the database is written out in it. When the two are equal the import leaves
the record alone. Field order follows docs/interchange.md.
"""

from __future__ import annotations

import functools
from typing import Any

from quotes.dates import ReducedDate
from quotes.models import Organization, Quote, Source, Speaker
from quotes.validators import normalize_language_tag

EMPTY = (None, "", [])


def compact(record: dict) -> dict:
    """Drop the optional fields that hold nothing; ``False`` and ``0`` are kept."""
    return {name: value for name, value in record.items() if not _is_empty(value)}


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list) and len(value) == 0)


@functools.lru_cache(maxsize=4096)
def language(tag: str | None) -> str | None:
    return normalize_language_tag(tag) if tag else None


def date(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value if isinstance(value, ReducedDate) else ReducedDate.parse(value))


def name_order(item: dict) -> tuple:
    return item.get("language", ""), item["name"]


def affiliation_order(item: dict) -> tuple:
    return item.get("start", ""), item.get("end", "~"), item["organization"], item["role"]


# Records read from a file (already validated against the schema).


def organization_from_file(record: dict) -> dict:
    return compact(
        {
            "type": "organization",
            "key": record["key"],
            "name": record["name"],
            "kind": record.get("kind", Organization.Kind.OTHER),
            "country": record.get("country"),
            "parent": record.get("parent"),
            "aliases": list(record.get("aliases", [])),
            "wikidata": record.get("wikidata"),
            "url": record.get("url"),
        }
    )


def speaker_from_file(record: dict) -> dict:
    names = [
        compact({"name": item["name"], "language": language(item.get("language"))})
        for item in record.get("names", [])
    ]
    affiliations = [
        compact(
            {
                "organization": item["organization"],
                "role": item["role"],
                "start": date(item.get("start")),
                "end": date(item.get("end")),
            }
        )
        for item in record.get("affiliations", [])
    ]
    return compact(
        {
            "type": "speaker",
            "key": record["key"],
            "name": record["name"],
            "names": sorted(names, key=name_order),
            "country": record.get("country"),
            "wikidata": record.get("wikidata"),
            "description": record.get("description"),
            "affiliations": sorted(affiliations, key=affiliation_order),
        }
    )


def source_from_file(record: dict) -> dict:
    return compact(
        {
            "type": "source",
            "key": record["key"],
            "kind": record.get("kind", Source.Kind.NEWS_ARTICLE),
            "title": record["title"],
            "url": record.get("url"),
            "publisher": record.get("publisher"),
            "published": date(record.get("published")),
            "language": language(record.get("language")),
            "author": record.get("author"),
            "archive_url": record.get("archive_url"),
            "full_text": record.get("full_text"),
        }
    )


def quote_from_file(record: dict) -> dict:
    translations = [
        {
            "language": language(item["language"]),
            "text": item["text"],
            "official": item.get("official", False),
        }
        for item in record.get("translations", [])
    ]
    citations = [
        compact({"source": item["source"], "excerpt": item.get("excerpt")})
        for item in record.get("citations", [])
    ]
    role = record.get("role")
    if role:
        role = compact(
            {
                "organization": role["organization"],
                "role": role["role"],
                "start": date(role.get("start")),
            }
        )
    return compact(
        {
            "type": "quote",
            "key": record["key"],
            "speaker": record["speaker"],
            "text": record["text"],
            "language": language(record["language"]),
            "kind": record.get("kind", Quote.Kind.DIRECT),
            "said": date(record.get("said")),
            "context": record.get("context"),
            "topics": sorted(set(record.get("topics", []))),
            "translations": sorted(translations, key=lambda item: item["language"]),
            "citations": citations,
            "status": record.get("status", Quote.Status.DRAFT),
            "retraction_reason": record.get("retraction_reason"),
            "role": role,
        }
    )


FROM_FILE = {
    "organization": organization_from_file,
    "speaker": speaker_from_file,
    "source": source_from_file,
    "quote": quote_from_file,
}


# Records in the database, with the relations the exporter prefetches.


def organization_record(organization: Organization) -> dict:
    return compact(
        {
            "type": "organization",
            "key": organization.key,
            "name": organization.name,
            "kind": organization.kind,
            "country": organization.country.code,
            "parent": organization.parent.key if organization.parent_id else None,
            "aliases": list(organization.aliases),
            "wikidata": organization.wikidata,
            "url": organization.url,
        }
    )


def speaker_record(speaker: Speaker) -> dict:
    names = [compact({"name": n.name, "language": n.language}) for n in speaker.names.all()]
    affiliations = [
        compact(
            {
                "organization": a.organization.key,
                "role": a.role,
                "start": date(a.start),
                "end": date(a.end),
            }
        )
        for a in speaker.affiliations.all()
    ]
    return compact(
        {
            "type": "speaker",
            "key": speaker.key,
            "name": speaker.name,
            "names": sorted(names, key=name_order),
            "country": speaker.country.code,
            "wikidata": speaker.wikidata,
            "description": speaker.description,
            "affiliations": sorted(affiliations, key=affiliation_order),
        }
    )


def source_record(source: Source) -> dict:
    return compact(
        {
            "type": "source",
            "key": source.key,
            "kind": source.kind,
            "title": source.title,
            "url": source.url,
            "publisher": source.publisher,
            "published": date(source.published),
            "language": source.language,
            "author": source.author,
            "archive_url": source.archive_url,
            "full_text": source.full_text,
        }
    )


def quote_record(quote: Quote) -> dict:
    role = None
    if quote.role_id and quote.role_resolution == Quote.RoleResolution.EXPLICIT:
        role = compact(
            {
                "organization": quote.role.organization.key,
                "role": quote.role.role,
                "start": date(quote.role.start),
            }
        )
    translations = [
        {"language": t.language, "text": t.text, "official": t.official}
        for t in quote.translations.all()
    ]
    citations = [
        compact({"source": c.source.key, "excerpt": c.excerpt})
        for c in sorted(quote.citations.all(), key=lambda c: c.pk)
    ]
    return compact(
        {
            "type": "quote",
            "key": quote.key,
            "speaker": quote.speaker.key,
            "text": quote.text,
            "language": quote.language,
            "kind": quote.kind,
            "said": date(quote.said),
            "context": quote.context,
            "topics": sorted(topic.key for topic in quote.topics.all()),
            "translations": sorted(translations, key=lambda item: item["language"]),
            "citations": citations,
            "status": quote.status,
            "retraction_reason": quote.retraction_reason,
            "role": role,
        }
    )
