"""The canonical form of each record: what the exporter writes and what the importer compares.

A record read from a file is brought to this form (defaults filled in, language tags and
dates in their standard spelling, empty optional fields dropped, unordered lists sorted);
a record in the database is written out in it. When the two are equal the import leaves
the record alone. Field order follows docs/interchange.md.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from quotes.dates import ReducedDate
from quotes.models import (
    Citation,
    KeyRedirect,
    Occasion,
    OccasionAccount,
    Organization,
    Quote,
    Source,
    Speaker,
    Topic,
    Translation,
)
from quotes.validators import normalize_language_tag


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


def instant(value: datetime.datetime | str | None) -> str | None:
    """A moment in its one spelling: UTC, ISO 8601, ``Z`` (microseconds only when some)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


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
            "old_keys": sorted(set(record.get("old_keys", []))),
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
            "old_keys": sorted(set(record.get("old_keys", []))),
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
            "old_keys": sorted(set(record.get("old_keys", []))),
        }
    )


def topic_from_file(record: dict) -> dict:
    return {"type": "topic", "key": record["key"], "name": record["name"]}


def citation_from_file(item: dict) -> dict:
    verified_at = instant(item.get("verified_at"))
    return compact(
        {
            "source": item["source"],
            "excerpt": item.get("excerpt"),
            "verified_at": verified_at,
            "verified_by": item.get("verified_by") if verified_at else None,
        }
    )


def participant_order(item: dict) -> str:
    return item["speaker"]


def account_order(item: dict) -> str:
    return item["source"]


def occasion_from_file(record: dict) -> dict:
    accounts = [
        compact(
            {
                "source": item["source"],
                "kind": item.get("kind", OccasionAccount.Kind.READOUT),
                "organization": item.get("organization"),
                "country": item.get("country"),
            }
        )
        for item in record.get("accounts", [])
    ]
    participants = [
        compact(
            {
                "speaker": item["speaker"],
                "organization": item.get("organization"),
                "country": item.get("country"),
            }
        )
        for item in record.get("participants", [])
    ]
    return compact(
        {
            "type": "occasion",
            "key": record["key"],
            "name": record["name"],
            "kind": record["kind"],
            "start": date(record.get("start")),
            "end": date(record.get("end")),
            "place": record.get("place"),
            "country": record.get("country"),
            "parent": record.get("parent"),
            "participants": sorted(participants, key=participant_order),
            "accounts": sorted(accounts, key=account_order),
            "old_keys": sorted(set(record.get("old_keys", []))),
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
    citations = [citation_from_file(item) for item in record.get("citations", [])]
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
            "occasion": record.get("occasion"),
            "context": record.get("context"),
            "topics": sorted(set(record.get("topics", []))),
            "translations": sorted(translations, key=lambda item: item["language"]),
            "citations": citations,
            "status": record.get("status", Quote.Status.DRAFT),
            "retraction_reason": record.get("retraction_reason"),
            "role": role,
            "corrections": [
                {"date": item["date"], "note": item["note"]}
                for item in record.get("corrections", [])
            ],
            "uid": record["uid"].lower() if record.get("uid") else None,
            "published_at": instant(record.get("published_at")),
            "corrected_at": instant(record.get("corrected_at")),
            "retracted_at": instant(record.get("retracted_at")),
            "old_keys": sorted(set(record.get("old_keys", []))),
        }
    )


FROM_FILE = {
    "organization": organization_from_file,
    "speaker": speaker_from_file,
    "source": source_from_file,
    "topic": topic_from_file,
    "occasion": occasion_from_file,
    "quote": quote_from_file,
}


# Records in the database, with the relations the exporter prefetches.


def old_keys(record) -> list[str]:
    """A record's old keys (``prefetch_related("old_keys")`` spares a query each)."""
    return sorted(redirect.old_key for redirect in record.old_keys.all())


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
            "old_keys": old_keys(organization),
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
            "old_keys": old_keys(speaker),
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
            "old_keys": old_keys(source),
        }
    )


def topic_record(topic: Topic) -> dict:
    return {"type": "topic", "key": topic.key, "name": topic.name}


def occasion_record(occasion: Occasion) -> dict:
    """An occasion, read with its parent, participants (with their speakers and
    organizations), accounts (with their sources and organizations) and old keys."""
    accounts = [
        compact(
            {
                "source": a.source.key,
                "kind": a.kind,
                "organization": a.organization.key if a.organization_id else None,
                "country": a.country.code,
            }
        )
        for a in occasion.accounts.all()
    ]
    participants = [
        compact(
            {
                "speaker": p.speaker.key,
                "organization": p.organization.key if p.organization_id else None,
                "country": p.country.code,
            }
        )
        for p in occasion.participants.all()
    ]
    return compact(
        {
            "type": "occasion",
            "key": occasion.key,
            "name": occasion.name,
            "kind": occasion.kind,
            "start": date(occasion.start),
            "end": date(occasion.end),
            "place": occasion.place,
            "country": occasion.country.code,
            "parent": occasion.parent.key if occasion.parent_id else None,
            "participants": sorted(participants, key=participant_order),
            "accounts": sorted(accounts, key=account_order),
            "old_keys": old_keys(occasion),
        }
    )


# Quotes are many: they are read as plain rows, with their lists fetched per chunk of quotes,
# which is several times faster than model instances with prefetch_related.
QUOTE_COLUMNS = (
    "id",
    "key",
    "speaker__key",
    "text",
    "language",
    "kind",
    "said",
    "occasion__key",
    "context",
    "status",
    "retraction_reason",
    "role_id",
    "role_resolution",
    "role__organization__key",
    "role__role",
    "role__start",
    "corrections",
    "uid",
    "published_at",
    "corrected_at",
    "retracted_at",
)
# The public dates a record may leave out: the database keeps its own (see quote_record).
DATABASE_KEPT = ("uid", "published_at", "corrected_at", "retracted_at")


@dataclass
class QuoteLists:
    """The topics, translations and citations of some quotes, by quote id, in record form."""

    topics: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    translations: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))
    citations: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))
    old_keys: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


def quote_lists(ids: list[int]) -> QuoteLists:
    lists = QuoteLists()
    topic_links = Quote.topics.through.objects.filter(quote_id__in=ids)
    for quote_id, key in topic_links.values_list("quote_id", "topic__key"):
        lists.topics[quote_id].append(key)
    translations = Translation.objects.filter(quote_id__in=ids).order_by()
    for quote_id, language, text, official in translations.values_list(
        "quote_id", "language", "text", "official"
    ):
        lists.translations[quote_id].append(
            {"language": language, "text": text, "official": official}
        )
    citations = Citation.objects.filter(quote_id__in=ids).order_by("pk")
    for quote_id, source, excerpt, verified_at, username, kept_name in citations.values_list(
        "quote_id",
        "source__key",
        "excerpt",
        "verified_at",
        "verified_by__username",
        "verified_by_name",
    ):
        lists.citations[quote_id].append(
            compact(
                {
                    "source": source,
                    "excerpt": excerpt,
                    "verified_at": instant(verified_at),
                    "verified_by": (username or kept_name) if verified_at else None,
                }
            )
        )
    redirects = KeyRedirect.objects.filter(quote_id__in=ids).order_by("old_key")
    for quote_id, old_key in redirects.values_list("quote_id", "old_key"):
        lists.old_keys[quote_id].append(old_key)
    return lists


def quote_record(row: dict, lists: QuoteLists) -> dict:
    """The record of a quote read as a row of ``QUOTE_COLUMNS``."""
    role = None
    if row["role_id"] and row["role_resolution"] == Quote.RoleResolution.EXPLICIT:
        role = compact(
            {
                "organization": row["role__organization__key"],
                "role": row["role__role"],
                "start": date(row["role__start"]),
            }
        )
    quote_id = row["id"]
    return compact(
        {
            "type": "quote",
            "key": row["key"],
            "speaker": row["speaker__key"],
            "text": row["text"],
            "language": row["language"],
            "kind": row["kind"],
            "said": date(row["said"]),
            "occasion": row["occasion__key"],
            "context": row["context"],
            "topics": sorted(lists.topics.get(quote_id, [])),
            "translations": sorted(
                lists.translations.get(quote_id, []), key=lambda item: item["language"]
            ),
            "citations": lists.citations.get(quote_id, []),
            "status": row["status"],
            "retraction_reason": row["retraction_reason"],
            "role": role,
            "corrections": list(row["corrections"] or []),
            "uid": str(row["uid"]),
            "published_at": instant(row["published_at"]),
            "corrected_at": instant(row["corrected_at"]),
            "retracted_at": instant(row["retracted_at"]),
            "old_keys": lists.old_keys.get(quote_id, []),
        }
    )
