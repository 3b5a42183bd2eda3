"""Possible duplicates and misattributions: quotes on record with a similar text.

The texts and translations of the candidate are compared (pg_trgm) with the texts and
translations on record, so that the English version of a statement on record in Russian
is found. The same speaker's similar quote is a possible duplicate (``same_speaker``);
another speaker's is a possible misattribution (``other_speaker``). Only quotes said
within a month of each other count, and the speaker's undated ones.

The date window, not the words, finds the candidates: indexes on the first day of the
date (``said_start``, with partial ones for month and year precision) give the few
thousand quotes said around that time out of a million, whose texts are then scored.
Trigram indexes do not serve this well: a sentence has a hundred or more trigrams, and
the common ones are in most rows (bench/bench_similar.py, docs/performance.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import models
from django.db.models.functions import Greatest

from quotes.dates import ReducedDate, to_reduced_date
from quotes.models import Quote, Translation

SIMILARITY_THRESHOLD = 0.3
DATE_WINDOW = datetime.timedelta(days=31)
SAME_SPEAKER, OTHER_SPEAKER = "same_speaker", "other_speaker"


@dataclass(frozen=True)
class Similar:
    quote: Quote
    score: float
    relation: str  # SAME_SPEAKER or OTHER_SPEAKER


YEAR = datetime.timedelta(days=366)
MONTH = datetime.timedelta(days=31)
# Dates of month and year precision, as the partial indexes of Quote.Meta select them.
MONTH_ONLY, YEAR_ONLY = r"^[0-9]{4}-[0-9]{2}$", r"^[0-9]{4}$"


def _candidates(speaker_id: int | None, period: ReducedDate | None) -> models.QuerySet:
    """The quotes that may be the same statement, found by index: said within the window
    of ``period`` by anyone (``said_start``, and partial indexes for dates of month and
    year precision, whose span starts earlier), and the speaker's undated quotes. Without
    a period, the speaker's quotes."""
    if period is None:
        return Quote.objects.filter(speaker_id=speaker_id) if speaker_id else Quote.objects.none()
    first, last = period.start - DATE_WINDOW, period.end + DATE_WINDOW
    window = (
        models.Q(said_start__gte=first, said_start__lte=last)
        | models.Q(said_start__gte=first - MONTH, said_start__lt=first, said__regex=MONTH_ONLY)
        | models.Q(said_start__gte=first - YEAR, said_start__lt=first, said__regex=YEAR_ONLY)
    )
    if speaker_id:
        window |= models.Q(speaker_id=speaker_id, said_start__isnull=True)
    return Quote.objects.filter(window)


def _scored(queryset: models.QuerySet, text: str) -> models.QuerySet:
    """``queryset`` with the ``score`` of its ``text`` against ``text``: the better of
    whole-text similarity and of ``text`` occurring in it, at least the threshold."""
    score = Greatest(TrigramSimilarity("text", text), TrigramWordSimilarity(text, "text"))
    return queryset.order_by().annotate(score=score).filter(score__gte=SIMILARITY_THRESHOLD)


def similar_quotes(
    *,
    texts: Iterable[str],
    speaker_id: int | None,
    said: ReducedDate | str | None,
    exclude_pk: int | None = None,
    among: models.QuerySet | None = None,
    limit: int = 10,
) -> list[Similar]:
    """Quotes with a text or translation similar to one of ``texts``, best first."""
    texts = [text for text in dict.fromkeys(texts) if text and text.strip()]
    if not texts:
        return []
    period = to_reduced_date(said)
    candidates = _candidates(speaker_id, period)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    best: dict[int, float] = {}
    for text in texts:
        rows = [
            *_scored(candidates, text).values_list("pk", "score"),
            *_scored(
                Translation.objects.filter(quote__in=candidates.values("pk")), text
            ).values_list("quote_id", "score"),
        ]
        for pk, score in rows:
            best[pk] = max(score, best.get(pk, 0))
    found_quotes = (Quote.objects.all() if among is None else among).filter(pk__in=best)
    found = [
        Similar(
            quote,
            round(best[quote.pk], 3),
            SAME_SPEAKER if quote.speaker_id == speaker_id else OTHER_SPEAKER,
        )
        for quote in found_quotes.select_related("speaker")
        if _dates_close(period, to_reduced_date(quote.said))
    ]
    found.sort(key=lambda s: (-s.score, s.relation != SAME_SPEAKER, s.quote.key))
    return found[:limit]


def similar_to_quote(
    quote: Quote, *, among: models.QuerySet | None = None, limit: int = 10
) -> list[Similar]:
    """Quotes similar to a quote on record (its text and its translations)."""
    texts = [quote.text, *quote.translations.values_list("text", flat=True)]
    return similar_quotes(
        texts=texts,
        speaker_id=quote.speaker_id,
        said=quote.said,
        exclude_pk=quote.pk,
        among=among,
        limit=limit,
    )


def _dates_close(one: ReducedDate | None, other: ReducedDate | None) -> bool:
    if one is None or other is None:
        return True
    return one.start - DATE_WINDOW <= other.end and other.start <= one.end + DATE_WINDOW
