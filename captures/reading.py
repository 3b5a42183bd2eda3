"""A source's text for readers: its latest capture's text (or the full text on record)
with each cited passage marked and anchored, as passages in their paragraph or, when
ONRECORD_CAPTURES_SHOW_WHOLE_TEXT is set, as the whole text."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass

from django.conf import settings

from captures.models import Capture
from quotes.excerpts import fold
from quotes.public import passage_anchor

PARAGRAPH_LIMIT = 1200  # characters of a paragraph shown either side of a passage


@dataclass(frozen=True)
class Passage:
    anchor: str
    quote_key: str
    before: str
    excerpt: str
    after: str
    truncated_before: bool = False
    truncated_after: bool = False


@dataclass(frozen=True)
class SourceText:
    captured_at: datetime.datetime | None  # None: the full text on record
    passages: tuple[Passage, ...]  # found, in the order of the text
    whole: tuple[Passage, ...]  # the whole text as runs, when shown whole; else empty
    missing: tuple[Passage, ...]  # the statements whose excerpt is not in the text
    address_now: AddressNow | None = None  # the page is gone since the text was captured


@dataclass(frozen=True)
class AddressNow:
    """What the source's address has answered since the capture shown: a page gone (404,
    410) or a different document (captures/documents.py), first seen ``since``."""

    since: datetime.datetime
    status: int | None
    replaced: bool


def source_text(source, cited: list[tuple[str, str]]) -> SourceText | None:
    """``cited``: (statement key, excerpt) of the statements readers may see."""
    capture = Capture.objects.of_the_document().filter(source=source).first()
    text = capture.text if capture else source.full_text
    if not text:
        return None
    read = text_read(text, cited, captured_at=capture.fetched_at if capture else None)
    return dataclasses.replace(read, address_now=address_now(source, capture))


def address_now(source, shown: Capture | None) -> AddressNow | None:
    """Whether the address no longer leads to the document since ``shown`` was captured:
    the first of the captures since that found it gone, when the latest one still does."""
    since = Capture.objects.checkable().filter(source=source)
    if shown is not None:
        since = since.filter(fetched_at__gt=shown.fetched_at)
    latest = since.first()  # newest first
    if latest is None or not latest.gone:
        return None
    first = since.order_by("fetched_at", "pk").first()
    return AddressNow(first.fetched_at, latest.status, latest.replaced)


def text_read(
    text: str,
    cited: list[tuple[str, str]],
    *,
    captured_at: datetime.datetime | None,
    whole: bool | None = None,
) -> SourceText:
    """``text`` with the passages of ``cited`` found in it, each in its paragraph; as runs
    of the whole text too when ``whole`` (by default: ``CAPTURES_SHOW_WHOLE_TEXT``)."""
    whole = settings.CAPTURES_SHOW_WHOLE_TEXT if whole is None else whole
    spans, missing = _spans(text, cited)
    passages = tuple(_in_paragraph(text, key, start, end) for key, start, end in spans)
    runs = _whole(text, spans) if whole else ()
    return SourceText(captured_at, passages, runs, tuple(missing))


def _spans(
    text: str, cited: list[tuple[str, str]]
) -> tuple[list[tuple[str, int, int]], list[Passage]]:
    """Where each excerpt occurs (statement key, start, end), in the text's order, and the
    statements whose excerpt does not occur."""
    folded = fold(text)
    spans: list[tuple[str, int, int]] = []
    missing: list[Passage] = []
    for key, excerpt in cited:
        span = folded.span_of(excerpt) if excerpt.strip() else None
        if span is None:
            missing.append(Passage(passage_anchor(key), key, "", "", ""))
        else:
            spans.append((key, *span))
    return sorted(spans, key=lambda item: item[1]), missing


def _in_paragraph(text: str, key: str, start: int, end: int) -> Passage:
    first = max(text.rfind("\n", 0, start) + 1, start - PARAGRAPH_LIMIT)
    last = text.find("\n", end)
    last = min(len(text) if last < 0 else last, end + PARAGRAPH_LIMIT)
    return Passage(
        anchor=passage_anchor(key),
        quote_key=key,
        before=text[first:start],
        excerpt=text[start:end],
        after=text[end:last],
        truncated_before=first > 0,
        truncated_after=last < len(text),
    )


def _whole(text: str, spans: list[tuple[str, int, int]]) -> tuple[Passage, ...]:
    """The text as runs: each passage with the plain text before it; overlapping passages
    after the first are left unmarked."""
    runs, at = [], 0
    for key, start, end in spans:
        if start < at:
            continue
        runs.append(Passage(passage_anchor(key), key, text[at:start], text[start:end], ""))
        at = end
    runs.append(Passage("", "", text[at:], "", ""))
    return tuple(runs)
