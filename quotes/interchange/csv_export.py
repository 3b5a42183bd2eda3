"""Quotes as CSV for spreadsheet users: one row per quote.

The file is UTF-8 with a byte order mark, which is how Excel and LibreOffice recognise UTF-8
in a CSV file; fields are quoted by the csv module (commas, double quotes and line breaks
inside a text are safe) and rows end with CR LF as RFC 4180 asks. A cell that a spreadsheet
would run as a formula (starting with =, +, -, @, a tab or a carriage return) gets a leading
apostrophe, as OWASP recommends against CSV injection.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

from django.db.models import Q
from django.db.models.functions import Collate

from quotes.interchange.exporter import chunked, consistent_snapshot
from quotes.models import Citation, Quote, Translation

BOM = "\ufeff"
CHUNK_SIZE = 2000
HEADER = [
    "key",
    "speaker",
    "role",
    "organization",
    "country",
    "said",
    "language",
    "kind",
    "text",
    "english_translation",
    "source_title",
    "source_url",
    "status",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


COLUMNS = (
    "id",
    "key",
    "speaker__name",
    "speaker__country",
    "role__role",
    "role__organization__name",
    "role__organization__country",
    "said",
    "language",
    "kind",
    "text",
    "status",
)


def english_translations(ids: list[int]) -> dict[int, str]:
    """The English translation of each quote: "en", else the first regional "en-…"."""
    found = {}
    translations = Translation.objects.filter(Q(language="en") | Q(language__startswith="en-"))
    rows = translations.filter(quote_id__in=ids).order_by("quote_id", "language")
    for quote_id, language, text in rows.values_list("quote_id", "language", "text"):
        if quote_id not in found or language == "en":
            found[quote_id] = text
    return found


def first_sources(ids: list[int]) -> dict[int, tuple[str, str]]:
    """The first (main) source of each quote: its title and URL."""
    citations = Citation.objects.filter(quote_id__in=ids).order_by("quote_id", "pk")
    rows = citations.distinct("quote_id").values_list("quote_id", "source__title", "source__url")
    return {quote_id: (title, url) for quote_id, title, url in rows}


def quote_row(row: dict, english: dict[int, str], sources: dict[int, tuple[str, str]]) -> list:
    has_role = row["role__role"] is not None
    country = row["role__organization__country"] if has_role else row["speaker__country"]
    title, url = sources.get(row["id"], ("", ""))
    values = [
        row["key"],
        row["speaker__name"],
        row["role__role"] or "",
        row["role__organization__name"] or "",
        country or "",
        str(row["said"]) if row["said"] else "",
        row["language"],
        row["kind"],
        row["text"],
        english.get(row["id"], ""),
        title,
        url,
        row["status"],
    ]
    return [_defused(value) for value in values]


def _defused(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def quote_rows(chunk_size: int = CHUNK_SIZE) -> Iterator[list[str]]:
    queryset = Quote.objects.order_by(Collate("key", "C")).values(*COLUMNS)
    with consistent_snapshot():
        for chunk in chunked(queryset.iterator(chunk_size=chunk_size), chunk_size):
            ids = [row["id"] for row in chunk]
            english, sources = english_translations(ids), first_sources(ids)
            for row in chunk:
                yield quote_row(row, english, sources)


def write_quotes_csv(out: IO[str]) -> int:
    """Write the BOM, the header and one row per quote to a text stream; return the rows."""
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(HEADER)
    count = 0
    for row in quote_rows():
        writer.writerow(row)
        count += 1
    return count
