"""Exporting the database in the interchange format, in dependency order and in bounded memory.

Organizations come first, each after its parent; then speakers, sources, topics, occasions
(each after its parent) and quotes, each type in key order (byte order, whatever the
database's collation); then the reviewers' lineage decisions, by their pairs of quote keys.
Records are read with ``.iterator(chunk_size=...)`` and their relations prefetched one chunk
at a time, so memory stays constant however large the database is. The output is
deterministic: exporting, importing into an empty database and exporting again gives the
same bytes.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Collate

from quotes.interchange import RECORD_TYPES
from quotes.interchange.canonical import (
    QUOTE_COLUMNS,
    compact,
    occasion_record,
    organization_record,
    quote_lists,
    quote_record,
    source_record,
    speaker_record,
    topic_record,
)
from quotes.interchange.decisions import decisions
from quotes.models import (
    Affiliation,
    Occasion,
    OccasionAccount,
    OccasionParticipant,
    Organization,
    Quote,
    Source,
    Speaker,
    Topic,
)

CHUNK_SIZE = 2000

# Organizations by depth in the hierarchy, then key: every parent before its children.
# An organization caught in a cycle (which the importer refuses) comes last.
IN_DEPENDENCY_ORDER = """
WITH RECURSIVE tree(id, depth) AS (
    SELECT id, 0 FROM {table} WHERE parent_id IS NULL
    UNION ALL
    SELECT child.id, tree.depth + 1
    FROM {table} child JOIN tree ON child.parent_id = tree.id
)
SELECT record.id
FROM {table} record LEFT JOIN tree ON tree.id = record.id
ORDER BY tree.depth NULLS LAST, record.key COLLATE "C"
"""
ORGANIZATIONS_IN_DEPENDENCY_ORDER = IN_DEPENDENCY_ORDER.format(table="quotes_organization")
# Occasions likewise: each after the occasion it was part of.
OCCASIONS_IN_DEPENDENCY_ORDER = IN_DEPENDENCY_ORDER.format(table="quotes_occasion")


# Characters that str.splitlines() and some JSON readers take for line breaks; escaped so
# that a line of the file ends only at "\n", whatever reads it.
LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def dumps(record: dict) -> str:
    """One line of the format: the record as JSON, non-ASCII characters kept, and a newline."""
    line = json.dumps(record, ensure_ascii=False)
    for character, escaped in LINE_BREAKS.items():
        if character in line:
            line = line.replace(character, escaped)
    return line + "\n"


@contextlib.contextmanager
def consistent_snapshot() -> Iterator[None]:
    """Read everything as of one moment, so that a dump never refers to a record created
    after its type was exported. Inside a transaction already begun, that transaction's
    view is used."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def export_lines(
    types: Iterable[str] = RECORD_TYPES, chunk_size: int = CHUNK_SIZE
) -> Iterator[str]:
    with consistent_snapshot():
        for kind in RECORD_TYPES:
            if kind in types:
                for record in EXPORTERS[kind](chunk_size):
                    yield dumps(record)


def by_key(queryset: QuerySet) -> QuerySet:
    return queryset.order_by(Collate("key", "C"))


def organizations(chunk_size: int, *, public_only: bool = False) -> Iterator[dict]:
    """Every organization, or only the public ones (``public_only``): then a parent that is
    not public is left out of its child's record, as every public output leaves it out."""
    records = Organization.objects.select_related("parent").prefetch_related("old_keys")
    public = Organization.objects.public() if public_only else Organization.objects.none()
    public_ids = set(public.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(ORGANIZATIONS_IN_DEPENDENCY_ORDER)
        while rows := cursor.fetchmany(chunk_size):
            ids = [row[0] for row in rows if not public_only or row[0] in public_ids]
            found = records.in_bulk(ids)
            for pk in ids:
                record = organization_record(found[pk])
                if public_only and found[pk].parent_id not in public_ids:
                    record.pop("parent", None)
                yield record


def speakers(chunk_size: int, *, public_only: bool = False) -> Iterator[dict]:
    affiliations = Affiliation.objects.select_related("organization")
    queryset = by_key(_among(Speaker, public_only)).prefetch_related(
        "names", Prefetch("affiliations", queryset=affiliations), "old_keys"
    )
    for speaker in queryset.iterator(chunk_size=chunk_size):
        yield speaker_record(speaker)


def sources(chunk_size: int, *, public_only: bool = False) -> Iterator[dict]:
    queryset = by_key(_among(Source, public_only)).prefetch_related("old_keys")
    for source in queryset.iterator(chunk_size=chunk_size):
        yield source_record(source)


def occasions(chunk_size: int, *, public_only: bool = False) -> Iterator[dict]:
    """Every occasion, or only the public ones (``public_only``): then what is not public
    is left out of the record, as every public output leaves it out: a parent, a
    participant who is no public speaker, an organization a participant represented."""
    participants = OccasionParticipant.objects.select_related("speaker", "organization")
    accounts = OccasionAccount.objects.select_related("source", "organization")
    records = Occasion.objects.select_related("parent").prefetch_related(
        "old_keys",
        Prefetch("participants", queryset=participants.order_by("pk")),
        Prefetch("accounts", queryset=accounts.order_by("pk")),
    )
    public = _public_keys(public_only)
    with connection.cursor() as cursor:
        cursor.execute(OCCASIONS_IN_DEPENDENCY_ORDER)
        while rows := cursor.fetchmany(chunk_size):
            ids = [row[0] for row in rows]
            found = records.in_bulk(ids)
            for pk in ids:
                record = occasion_record(found[pk])
                if not public_only:
                    yield record
                elif record["key"] in public["occasion"]:
                    yield _public_occasion(record, public)


def _public_keys(public_only: bool) -> dict[str, set[str]]:
    """The keys of the public occasions, speakers and organizations (none unless asked)."""
    models = {"occasion": Occasion, "speaker": Speaker, "organization": Organization}
    return {
        kind: set(model.objects.public().values_list("key", flat=True)) if public_only else set()
        for kind, model in models.items()
    }


def _public_occasion(record: dict, public: dict[str, set[str]]) -> dict:
    participants = [
        {n: v for n, v in item.items() if n != "organization" or v in public["organization"]}
        for item in record.get("participants", [])
        if item["speaker"] in public["speaker"]
    ]
    kept = {**record, "participants": participants}
    if record.get("parent") not in public["occasion"]:
        kept.pop("parent", None)
    return compact(kept)


def topics(chunk_size: int, *, public_only: bool = False) -> Iterator[dict]:
    for topic in by_key(_among(Topic, public_only)).iterator(chunk_size=chunk_size):
        yield topic_record(topic)


def _among(model, public_only: bool) -> QuerySet:
    return model.objects.public() if public_only else model.objects.all()


def chunked(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def quotes(chunk_size: int, *, public_only: bool = False) -> Iterator[dict]:
    """Every quote, or only the public ones (published, and retracted with the reason)."""
    queryset = by_key(_among(Quote, public_only)).values(*QUOTE_COLUMNS)
    for chunk in chunked(queryset.iterator(chunk_size=chunk_size), chunk_size):
        lists = quote_lists([row["id"] for row in chunk])
        for row in chunk:
            yield quote_record(row, lists)


# Each record type's exporter, in the order of RECORD_TYPES; each takes ``public_only``.
EXPORTERS = {
    "organization": organizations,
    "speaker": speakers,
    "source": sources,
    "topic": topics,
    "occasion": occasions,
    "quote": quotes,
    "decision": decisions,
}
