"""Quotes as CSV for spreadsheet users: one row per quote, the same columns for the
``export_quotes_csv`` command and the API's ``?format=csv`` downloads; and, for programs,
``TABLES`` of the quotes' multi-valued parts (a row per translation, citation, topic,
correction or other attribution) and values without the formula guard (``formula_guard=False``).

The file is UTF-8 with a byte order mark, which is how Excel and LibreOffice recognise UTF-8
in a CSV file; fields are quoted by the csv module (commas, double quotes and line breaks
inside a text are safe) and rows end with CR LF as RFC 4180 asks. A cell that a spreadsheet
would run as a formula (starting with =, +, -, @, a tab or a carriage return) gets a leading
apostrophe, as OWASP recommends against CSV injection.

Rows are built a chunk of quotes at a time: the quotes' ids come in the caller's order
(any queryset: every quote by key, or a search with its filters), and each chunk's quotes
are read with their parts in a fixed number of queries and rendered from their public
representation (``quotes.public``: labelled translations, corrections, retraction, first
publication), as every output renders them, so memory and the number of queries per chunk
stay constant however many quotes there are.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from django.db.models import QuerySet
from django.db.models.functions import Collate

from quotes import public
from quotes.interchange.exporter import chunked, consistent_snapshot
from quotes.models import Quote
from quotes.public import PublicCitation, PublicRetraction, PublicStatement

BOM = "\ufeff"
CHUNK_SIZE = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where a quote's page is on the reader site, below the site's address.
QUOTE_PAGE = "/quotes/{key}/"


def english_translation(statement: PublicStatement) -> str:
    """The English translation: "en", else the first regional "en-…" (official first)."""
    english = [t for t in statement.translations if t.language == "en" or t.language[:3] == "en-"]
    english.sort(key=lambda t: (t.language != "en", not t.official, t.language))
    return english[0].text if english else ""


def translations_cell(statement: PublicStatement) -> str:
    """Every translation, one paragraph each, labelled as every output labels it:
    "fr (official translation): text", "en (OnRecord's translation): text"."""
    return "\n\n".join(f"{t.language} ({t.label}): {t.text}" for t in statement.translations)


def citation_text(citation: PublicCitation) -> str:
    """A source and its excerpt: "Title, Publisher, 2023-10-20, URL (archived: URL),
    verified" and the excerpt on the next line."""
    described = [
        citation.source_title,
        citation.publisher,
        str(citation.source_published or ""),
        citation.url,
    ]
    line = ", ".join(part for part in described if part)
    if citation.archive_url:
        line += f" (archived: {citation.archive_url})"
    line += ", verified by a reviewer" if citation.verified else ", not verified yet"
    return f"{line}\n“{citation.excerpt}”" if citation.excerpt else line


def country(statement: PublicStatement) -> str:
    """The country of the role's organization, or the speaker's when no role is known."""
    if statement.role is not None:
        return statement.role.organization_country
    return statement.speaker.country


def corrections_cell(statement: PublicStatement) -> str:
    """The public corrections, oldest first, one line each: "2024-01-31: note"."""
    return "\n".join(f"{c.date.isoformat()}: {c.note}" for c in statement.corrections)


def attributions_cell(statement: PublicStatement) -> str:
    """The statements of the same claim under other speakers' names that a reviewer
    confirmed (lineage), one line each: "Name (statement key, said)"."""
    return "\n".join(
        f"{other.speaker.name} ({', '.join(filter(None, [other.key, str(other.said or '')]))})"
        for other in statement.also_attributed_to
    )


def first_citation(statement: PublicStatement, field: str) -> str:
    return getattr(statement.citations[0], field) if statement.citations else ""


def _day(value: datetime.date | None) -> str:
    return "" if value is None else value.isoformat()


def _moment(value: datetime.datetime | None) -> str:
    return "" if value is None else value.isoformat()


def _role(statement: PublicStatement, field: str) -> str:
    return getattr(statement.role, field) if statement.role else ""


def _retraction(statement: PublicStatement) -> PublicRetraction:
    return statement.retraction or NOT_RETRACTED


NOT_RETRACTED = PublicRetraction(None, "")

# One column definition for every CSV of quotes: the header and how each cell is made from
# the statement's public representation (quotes.public) and the reader site's address.
COLUMNS: dict[str, Callable[[PublicStatement, str], str]] = {
    "key": lambda s, site: s.key,
    "url": lambda s, site: site + QUOTE_PAGE.format(key=s.key),
    "speaker": lambda s, site: s.speaker.name,
    "speaker_key": lambda s, site: s.speaker.key,
    "role": lambda s, site: _role(s, "title"),
    "organization": lambda s, site: _role(s, "organization_name"),
    "country": lambda s, site: country(s),
    "said": lambda s, site: str(s.said or ""),
    "language": lambda s, site: s.language,
    "kind": lambda s, site: s.kind,
    "text": lambda s, site: s.text,
    "english_translation": lambda s, site: english_translation(s),
    "translations": lambda s, site: translations_cell(s),
    "occasion": lambda s, site: s.occasion.name if s.occasion else "",
    "occasion_key": lambda s, site: s.occasion.key if s.occasion else "",
    "context": lambda s, site: s.context,
    "topics": lambda s, site: "; ".join(name for _, name in s.topics),
    "source_title": lambda s, site: first_citation(s, "source_title"),
    "source_url": lambda s, site: first_citation(s, "url"),
    "sources": lambda s, site: "\n\n".join(citation_text(c) for c in s.citations),
    "status": lambda s, site: s.status,
    "retraction_reason": lambda s, site: _retraction(s).reason,
    "corrections": lambda s, site: corrections_cell(s),
    "uid": lambda s, site: str(s.uid),
    "first_published": lambda s, site: _moment(s.first_published),
    "retraction_date": lambda s, site: _day(_retraction(s).date),
    "also_attributed_to": lambda s, site: attributions_cell(s),
}
HEADER = list(COLUMNS)


def _defused(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _as_is(value: str) -> str:
    return value


@dataclass(frozen=True)
class Table:
    """A CSV of the quotes' data: its header, and the rows each quote gives (one for the
    quotes table, one per translation, citation, topic or correction for the others, which
    name their quote in ``quote_key``: what a program joins on, without splitting cells)."""

    header: list[str]
    rows: Callable[[PublicStatement, str], Iterator[list[str]]]


def _quote_row(statement: PublicStatement, site: str) -> Iterator[list[str]]:
    yield [cell(statement, site) for cell in COLUMNS.values()]


def _translation_rows(statement: PublicStatement, site: str) -> Iterator[list[str]]:
    for t in statement.translations:
        official = "true" if t.official else "false"
        yield [statement.key, t.language, official, t.label, t.text]


def _citation_rows(statement: PublicStatement, site: str) -> Iterator[list[str]]:
    for position, c in enumerate(statement.citations, start=1):
        yield [
            statement.key,
            str(position),
            c.source_key,
            c.source_title,
            c.publisher,
            str(c.source_published or ""),
            c.url,
            c.archive_url,
            c.excerpt,
            "true" if c.verified else "false",
            _moment(c.verified_at),
        ]


def _topic_rows(statement: PublicStatement, site: str) -> Iterator[list[str]]:
    for key, name in statement.topics:
        yield [statement.key, key, name]


def _correction_rows(statement: PublicStatement, site: str) -> Iterator[list[str]]:
    for correction in statement.corrections:
        yield [statement.key, correction.date.isoformat(), correction.note]


def _attribution_rows(statement: PublicStatement, site: str) -> Iterator[list[str]]:
    for other in statement.also_attributed_to:
        yield [
            statement.key,
            other.key,
            other.speaker.key,
            other.speaker.name,
            str(other.said or ""),
        ]


# ``table`` of the API's CSV downloads (docs/api.md): the quotes, one row each (the default,
# the columns of export_quotes_csv), or one of their multi-valued parts, a row per value.
TABLES = {
    "quotes": Table(HEADER, _quote_row),
    "translations": Table(
        ["quote_key", "language", "official", "label", "text"], _translation_rows
    ),
    "citations": Table(
        [
            "quote_key",
            "position",
            "source_key",
            "source_title",
            "source_publisher",
            "source_published",
            "source_url",
            "source_archive_url",
            "excerpt",
            "verified",
            "verified_at",
        ],
        _citation_rows,
    ),
    "topics": Table(["quote_key", "topic_key", "topic_name"], _topic_rows),
    "corrections": Table(["quote_key", "date", "note"], _correction_rows),
    "attributions": Table(
        ["quote_key", "other_key", "other_speaker_key", "other_speaker", "other_said"],
        _attribution_rows,
    ),
}


def rows_for_ids(
    ids: list[int],
    site_url: str = "",
    among: QuerySet | None = None,
    *,
    table: str = "quotes",
    formula_guard: bool = True,
) -> Iterator[list[str]]:
    """The rows of ``table`` for the quotes of ``ids`` (those of them in ``among``, by
    default every quote), in that order, rendered from their public representation in 5
    queries. ``formula_guard``: cells that a spreadsheet would run as formulas get a leading
    apostrophe; without it, values as they are, for programs."""
    quotes = (Quote.objects.all() if among is None else among).filter(pk__in=ids)
    found = {q.pk: public.statement(q) for q in quotes.prefetch_related(None).with_public_parts()}
    shape = _defused if formula_guard else _as_is
    rows_of = TABLES[table].rows
    for pk in ids:
        if pk in found:
            for cells in rows_of(found[pk], site_url):
                yield [shape(cell) for cell in cells]


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


def csv_lines(rows: Iterable[list[str]], header: list[str] = HEADER) -> Iterator[str]:
    """The BOM with the header, then each row, as CSV text ending in CR LF."""
    writer = csv.writer(Echo())
    yield BOM + writer.writerow(header)
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
