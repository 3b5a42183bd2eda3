"""Quotes as CSV for spreadsheet users: one row per quote, the same columns for the
``export_quotes_csv`` command and the API's ``?format=csv`` downloads.

The file is UTF-8 with a byte order mark, which is how Excel and LibreOffice recognise UTF-8
in a CSV file; fields are quoted by the csv module (commas, double quotes and line breaks
inside a text are safe) and rows end with CR LF as RFC 4180 asks. A cell that a spreadsheet
would run as a formula (starting with =, +, -, @, a tab or a carriage return) gets a leading
apostrophe, as OWASP recommends against CSV injection.

Rows are built a chunk of quotes at a time: the quotes' ids come in the caller's order
(any queryset: every quote by key, or a search with its filters), and each chunk's columns,
translations, topics and citations are read with one query each, so memory and the number
of queries per chunk stay constant however many quotes there are.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from django.db.models import QuerySet
from django.db.models.functions import Collate

from quotes.interchange.exporter import chunked, consistent_snapshot
from quotes.models import Citation, Quote, Translation

BOM = "\ufeff"
CHUNK_SIZE = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where a quote's page is on the reader site, below the site's address.
QUOTE_PAGE = "/quotes/{key}/"

QUOTE_FIELDS = (
    "id",
    "key",
    "speaker__key",
    "speaker__name",
    "speaker__country",
    "role__role",
    "role__organization__name",
    "role__organization__country",
    "said",
    "language",
    "kind",
    "text",
    "context",
    "status",
    "retraction_reason",
    "corrections",
)


@dataclass
class QuoteParts:
    """What a chunk of quotes has besides its own columns, by quote id."""

    translations: dict[int, list[dict]]
    topics: dict[int, list[str]]
    citations: dict[int, list[dict]]


def _by_quote(rows: Iterable[dict]) -> dict[int, list[dict]]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row["quote_id"]].append(row)
    return grouped


def quote_parts(ids: list[int]) -> QuoteParts:
    translations = Translation.objects.filter(quote_id__in=ids).order_by("quote_id", "language")
    topics = Quote.topics.through.objects.filter(quote_id__in=ids)
    citations = Citation.objects.filter(quote_id__in=ids).order_by("quote_id", "pk")
    topic_names = defaultdict(list)
    for row in topics.order_by("quote_id", "topic__name").values("quote_id", "topic__name"):
        topic_names[row["quote_id"]].append(row["topic__name"])
    return QuoteParts(
        translations=_by_quote(translations.values("quote_id", "language", "text", "official")),
        topics=topic_names,
        citations=_by_quote(
            citations.values(
                "quote_id",
                "excerpt",
                "verified_at",
                "source__title",
                "source__publisher",
                "source__published",
                "source__url",
                "source__archive_url",
            )
        ),
    )


def english_translation(translations: list[dict]) -> str:
    """The English translation: "en", else the first regional "en-…"."""
    english = [t for t in translations if t["language"] == "en" or t["language"][:3] == "en-"]
    english.sort(key=lambda t: (t["language"] != "en", t["language"]))
    return english[0]["text"] if english else ""


def translations_cell(translations: list[dict]) -> str:
    """Every translation, one paragraph each: "fr: text", or "fr (official): text"."""
    return "\n\n".join(
        f"{t['language']}{' (official)' if t['official'] else ''}: {t['text']}"
        for t in translations
    )


def citation_text(citation: dict) -> str:
    """A source and its excerpt: "Title, Publisher, 2023-10-20, URL (archived: URL),
    verified" and the excerpt on the next line."""
    described = [
        citation["source__title"],
        citation["source__publisher"],
        str(citation["source__published"] or ""),
        citation["source__url"],
    ]
    line = ", ".join(part for part in described if part)
    if citation["source__archive_url"]:
        line += f" (archived: {citation['source__archive_url']})"
    line += ", verified by a reviewer" if citation["verified_at"] else ", not verified yet"
    return f"{line}\n“{citation['excerpt']}”" if citation["excerpt"] else line


def country(row: dict) -> str:
    """The country of the role's organization, or the speaker's when no role is known."""
    if row["role__role"] is not None:
        return row["role__organization__country"] or ""
    return row["speaker__country"] or ""


def corrections_cell(row: dict) -> str:
    """The public corrections, oldest first, one line each: "2024-01-31: note"."""
    return "\n".join(f"{c['date']}: {c['note']}" for c in row["corrections"] or [])


# One column definition for every CSV of quotes: the header and how each cell is made from
# the quote's row, its parts and the reader site's address.
COLUMNS = {
    "key": lambda row, parts, site: row["key"],
    "url": lambda row, parts, site: site + QUOTE_PAGE.format(key=row["key"]),
    "speaker": lambda row, parts, site: row["speaker__name"],
    "speaker_key": lambda row, parts, site: row["speaker__key"],
    "role": lambda row, parts, site: row["role__role"] or "",
    "organization": lambda row, parts, site: row["role__organization__name"] or "",
    "country": lambda row, parts, site: country(row),
    "said": lambda row, parts, site: str(row["said"] or ""),
    "language": lambda row, parts, site: row["language"],
    "kind": lambda row, parts, site: row["kind"],
    "text": lambda row, parts, site: row["text"],
    "english_translation": lambda row, parts, site: english_translation(
        parts.translations.get(row["id"], [])
    ),
    "translations": lambda row, parts, site: translations_cell(
        parts.translations.get(row["id"], [])
    ),
    "context": lambda row, parts, site: row["context"],
    "topics": lambda row, parts, site: "; ".join(parts.topics.get(row["id"], [])),
    "source_title": lambda row, parts, site: first_citation(parts, row, "source__title"),
    "source_url": lambda row, parts, site: first_citation(parts, row, "source__url"),
    "sources": lambda row, parts, site: "\n\n".join(
        citation_text(c) for c in parts.citations.get(row["id"], [])
    ),
    "status": lambda row, parts, site: row["status"],
    "retraction_reason": lambda row, parts, site: row["retraction_reason"],
    "corrections": lambda row, parts, site: corrections_cell(row),
}
HEADER = list(COLUMNS)


def first_citation(parts: QuoteParts, row: dict, field: str) -> str:
    citations = parts.citations.get(row["id"])
    return citations[0][field] if citations else ""


def _defused(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def rows_for_ids(
    ids: list[int], site_url: str = "", among: QuerySet | None = None
) -> Iterator[list[str]]:
    """The rows of the quotes of ``ids`` (those of them in ``among``, by default every quote),
    in that order, with 5 queries."""
    quotes = (Quote.objects.all() if among is None else among).filter(pk__in=ids)
    found = {row["id"]: row for row in quotes.prefetch_related(None).values(*QUOTE_FIELDS)}
    parts = quote_parts(ids)
    for pk in ids:
        if pk in found:
            yield [_defused(cell(found[pk], parts, site_url)) for cell in COLUMNS.values()]


def quote_id_chunks(
    queryset: QuerySet, *, chunk_size: int = CHUNK_SIZE, limit: int | None = None
) -> Iterator[list[int]]:
    """The ids of the quotes of ``queryset`` (at most ``limit``), in its order, a chunk at
    a time: read from one server-side cursor, never all in memory."""
    ids = queryset.prefetch_related(None).values_list("pk", flat=True)
    if limit is not None:
        ids = ids[:limit]
    return chunked(ids.iterator(chunk_size=chunk_size), chunk_size)


def quote_rows(
    queryset: QuerySet | None = None,
    *,
    site_url: str = "",
    chunk_size: int = CHUNK_SIZE,
    limit: int | None = None,
) -> Iterator[list[str]]:
    """One row per quote of ``queryset`` (default: every quote, by key), in its order.

    The caller reads them in a consistent snapshot (see ``consistent_snapshot``) if the
    rows must agree with each other."""
    if queryset is None:
        queryset = Quote.objects.order_by(Collate("key", "C"))
    for chunk in quote_id_chunks(queryset, chunk_size=chunk_size, limit=limit):
        yield from rows_for_ids(chunk, site_url)


class Echo:
    """A file-like object whose ``write`` returns what it was given, so that the csv module
    can format one row at a time for a streamed response."""

    def write(self, value: str) -> str:
        return value


def csv_line(row: list[str]) -> str:
    """One row as CSV text ending in CR LF."""
    return csv.writer(Echo()).writerow(row)


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    """The BOM with the header, then each row, as CSV text ending in CR LF."""
    writer = csv.writer(Echo())
    yield BOM + writer.writerow(HEADER)
    for row in rows:
        yield writer.writerow(row)


def write_quotes_csv(out: IO[str], *, site_url: str = "") -> int:
    """Write the BOM, the header and one row per quote to a text stream; return the rows."""
    count = 0
    with consistent_snapshot():
        for line in csv_lines(quote_rows(site_url=site_url)):
            out.write(line)
            count += 1
    return count - 1
