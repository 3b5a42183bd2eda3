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

from django.db.models import Prefetch
from django.db.models.functions import Collate

from quotes.interchange.exporter import consistent_snapshot
from quotes.models import Citation, Quote

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


def english_translation(quote: Quote) -> str:
    translations = {t.language: t.text for t in quote.translations.all()}
    if "en" in translations:
        return translations["en"]
    regional = sorted(tag for tag in translations if tag.startswith("en-"))
    return translations[regional[0]] if regional else ""


def quote_row(quote: Quote) -> list[str]:
    role = quote.role
    organization = role.organization if role else None
    citations = sorted(quote.citations.all(), key=lambda c: c.pk)
    source = citations[0].source if citations else None
    country = organization.country.code if organization else quote.speaker.country.code
    row = [
        quote.key,
        quote.speaker.name,
        role.role if role else "",
        organization.name if organization else "",
        country,
        str(quote.said) if quote.said else "",
        quote.language,
        quote.kind,
        quote.text,
        english_translation(quote),
        source.title if source else "",
        source.url if source else "",
        quote.status,
    ]
    return [_defused(value) for value in row]


def _defused(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def quote_rows(chunk_size: int = CHUNK_SIZE) -> Iterator[list[str]]:
    citations = Citation.objects.select_related("source").only(
        "quote_id", "source__title", "source__url"
    )
    queryset = (
        Quote.objects.order_by(Collate("key", "C"))
        .select_related("speaker", "role__organization")
        .prefetch_related("translations", Prefetch("citations", queryset=citations))
    )
    with consistent_snapshot():
        for quote in queryset.iterator(chunk_size=chunk_size):
            yield quote_row(quote)


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
