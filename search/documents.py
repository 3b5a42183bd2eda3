"""Quotes as index documents, read from PostgreSQL in chunks of one query each."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import tantivy
from django.db import connection

from quotes.public import LAST_PUBLIC_CHANGE_SQL
from search import analysis
from search.index import CONTEXT_STEMMER

# One row per quote with everything its document needs. Starts with SELECT (no CTE) so that
# history tracking sees a read.
QUOTES_SQL = """
SELECT q.id, q.key, q.text, q.language, q.kind, q.said, q.said_start, q.context, q.status,
       q.created, q.updated, {last_public_change}, s.key, s.name, o.key, o.country,
       oc.key, oc.kind,
       ARRAY(SELECT n.name FROM quotes_speakername n WHERE n.speaker_id = q.speaker_id
             ORDER BY n.id),
       ARRAY(SELECT n.language FROM quotes_speakername n WHERE n.speaker_id = q.speaker_id
             ORDER BY n.id),
       ARRAY(SELECT t.language FROM quotes_translation t WHERE t.quote_id = q.id
             ORDER BY t.language, t.id),
       ARRAY(SELECT t.text FROM quotes_translation t WHERE t.quote_id = q.id
             ORDER BY t.language, t.id),
       ARRAY(SELECT tp.key FROM quotes_quote_topics qt
             JOIN quotes_topic tp ON tp.id = qt.topic_id WHERE qt.quote_id = q.id),
       ARRAY(SELECT DISTINCT so.key FROM quotes_citation c
             JOIN quotes_source so ON so.id = c.source_id WHERE c.quote_id = q.id)
FROM quotes_quote q
JOIN quotes_speaker s ON s.id = q.speaker_id
LEFT JOIN quotes_affiliation a ON a.id = q.role_id
LEFT JOIN quotes_organization o ON o.id = a.organization_id
LEFT JOIN quotes_occasion oc ON oc.id = q.occasion_id
WHERE {where}
ORDER BY q.id
"""
CHUNK = 2000


def quotes_sql(*, where: str) -> str:
    return QUOTES_SQL.format(where=where, last_public_change=LAST_PUBLIC_CHANGE_SQL)


EPOCH = datetime.date(1, 1, 1)
PRECISION = {4: 0, 7: 1, 10: 2}  # length of a reduced date -> year, month, day
UNDATED_LAST = 1 << 40


@dataclass
class QuoteRow:
    id: int
    key: str
    text: str
    language: str
    kind: str
    said: str | None
    said_start: datetime.date | None
    context: str
    status: str
    created: datetime.datetime
    updated: datetime.datetime
    changed: datetime.datetime  # the last public change (``quotes.public``)
    speaker_key: str
    speaker_name: str
    organization_key: str | None
    country: str | None
    occasion_key: str | None
    occasion_kind: str | None
    names: list[str] = field(default_factory=list)
    name_languages: list[str] = field(default_factory=list)
    translation_languages: list[str] = field(default_factory=list)
    translations: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def rows_by_id(ids: Iterable[int]) -> Iterator[QuoteRow]:
    """The quotes of ``ids`` that exist, a chunk at a time."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with connection.cursor() as cursor:
            cursor.execute(quotes_sql(where="q.id = ANY(%s)"), [chunk])
            rows = cursor.fetchall()
        yield from (QuoteRow(*row) for row in rows)


def all_rows() -> Iterator[QuoteRow]:
    """Every quote, in order of id, a chunk at a time (keyset pagination)."""
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(quotes_sql(where="q.id > %s") + " LIMIT %s", [last, CHUNK])
            rows = cursor.fetchall()
        if not rows:
            return
        yield from (QuoteRow(*row) for row in rows)
        last = rows[-1][0]


def said_order(row: QuoteRow) -> tuple[int, int] | None:
    """The order of a quote's date: the first day, then the precision ("2020" before
    "2020-01" before "2020-01-01", as the dates compare as text)."""
    if row.said_start is None or not row.said:
        return None
    days = (row.said_start - EPOCH).days
    return days, PRECISION.get(len(row.said), 2)


def micros(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def document(row: QuoteRow) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_unsigned("id", row.id)
    add_text(doc, "text", row.text, analysis.stemmer_of(row.language))
    for language, text in zip(row.translation_languages, row.translations, strict=True):
        add_text(doc, "translation", text, analysis.stemmer_of(language))
    add_text(doc, "name", row.speaker_name, None)
    for name, language in zip(row.names, row.name_languages, strict=True):
        add_text(doc, "name", name, analysis.stemmer_of(language))
    if row.context:
        add_text(doc, "context", row.context, CONTEXT_STEMMER)
    add_filters(doc, row)
    return doc


def add_text(doc: tantivy.Document, part: str, text: str, stemmer: str | None) -> None:
    words = analysis.words_only(text)
    doc.add_text(f"{part}_{analysis.PLAIN}", words)
    if stemmer:
        doc.add_text(f"{part}_{stemmer}", words)
    if words != text:
        doc.add_text(f"{part}_cjk", analysis.cjk_bigrams(text))
        doc.add_text(f"{part}_cjk1", analysis.cjk_characters(text))


def add_filters(doc: tantivy.Document, row: QuoteRow) -> None:
    doc.add_text("status", row.status)
    doc.add_text("kind", row.kind)
    doc.add_text("language", row.language)
    for prefix in language_prefixes(row.language):
        doc.add_text("language_match", prefix)
    doc.add_text("speaker", row.speaker_key)
    if row.organization_key:
        doc.add_text("organization", row.organization_key)
    if row.country:
        doc.add_text("country", row.country.upper())
    if row.occasion_key:
        doc.add_text("occasion", row.occasion_key)
        doc.add_text("occasion_kind", row.occasion_kind)
    for topic in row.topics:
        doc.add_text("topic", topic)
    for source in row.sources:
        doc.add_text("source", source)
    order = said_order(row)
    if order is None:
        doc.add_integer("said_asc", UNDATED_LAST)
        doc.add_integer("said_desc", -1)
    else:
        days, precision = order
        doc.add_text("year", row.said[:4])
        doc.add_integer("said_start", days)
        doc.add_integer("said_asc", days * 4 + precision)
        doc.add_integer("said_desc", days * 4 + precision)
    doc.add_integer("created", micros(row.created))
    doc.add_integer("updated", micros(row.updated))
    doc.add_integer("changed", micros(row.changed))


def language_prefixes(tag: str) -> list[str]:
    """ "zh-Hant-TW" -> zh, zh-hant, zh-hant-tw: what the language filter matches."""
    parts = tag.lower().split("-")
    return ["-".join(parts[: n + 1]) for n in range(len(parts))]


def days_of(date: datetime.date) -> int:
    return (date - EPOCH).days
