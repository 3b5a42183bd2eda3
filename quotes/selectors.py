"""Reads the admin and the API share: history, versions, near-duplicates, merged keys."""

from __future__ import annotations

import datetime

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import models
from django.db.models.functions import Greatest

from quotes.dates import ReducedDate, to_reduced_date
from quotes.models import KeyRedirect, Quote, Speaker

SIMILARITY_THRESHOLD = 0.3
DATE_WINDOW = datetime.timedelta(days=31)
YEAR = datetime.timedelta(days=366)


def quote_similar(
    quote: Quote | None = None,
    *,
    text: str | None = None,
    speaker: Speaker | int | None = None,
    said: ReducedDate | str | None = None,
    limit: int = 10,
    among: models.QuerySet | None = None,
) -> list[tuple[Quote, float]]:
    """Possible duplicates, best first, with a score from 0 to 1.

    The same speaker, a similar text (pg_trgm: the better of whole-text similarity and
    of one text being contained in the other), and a date within a month of the other
    (undated quotes are kept, since they cannot be told apart by date). ``among``
    narrows the candidates, e.g. to the quotes a user may see.
    """
    text = text if text is not None else quote.text if quote else ""
    speaker = speaker if speaker is not None else quote.speaker_id if quote else None
    said = said if said is not None else quote.said if quote else None
    if not text.strip() or speaker is None:
        return []
    candidates = (
        (Quote.objects.all() if among is None else among)
        .filter(speaker=speaker)
        .annotate(
            score=Greatest(
                TrigramSimilarity("text", text),
                TrigramWordSimilarity(text, "text"),
                TrigramWordSimilarity(models.F("text"), models.Value(text)),
            )
        )
        .filter(score__gte=SIMILARITY_THRESHOLD)
        .select_related("speaker")
        .order_by("-score", "key")
    )
    if quote is not None and quote.pk:
        candidates = candidates.exclude(pk=quote.pk)
    period = to_reduced_date(said)
    if period is not None:
        # said_start is the first day of a date that may span up to a year: a coarse bound
        # here, the exact comparison below.
        candidates = candidates.filter(
            models.Q(said_start__isnull=True)
            | models.Q(
                said_start__gte=period.start - DATE_WINDOW - YEAR,
                said_start__lte=period.end + DATE_WINDOW,
            )
        )
    close = [c for c in candidates[: limit * 5] if _dates_close(period, to_reduced_date(c.said))]
    return [(candidate, round(candidate.score, 3)) for candidate in close[:limit]]


def _dates_close(one: ReducedDate | None, other: ReducedDate | None) -> bool:
    if one is None or other is None:
        return True
    return one.start - DATE_WINDOW <= other.end and other.start <= one.end + DATE_WINDOW


def quote_by_key(key: str) -> tuple[Quote | None, bool]:
    """The quote with ``key``, or the one a merged quote of that key went into.

    Returns (quote, redirected): the API answers a redirected key with a 301.
    """
    quote = Quote.objects.filter(key=key).first()
    if quote is not None:
        return quote, False
    redirect = KeyRedirect.objects.filter(kind=KeyRedirect.Kind.QUOTE, old_key=key).first()
    return (redirect.quote, True) if redirect else (None, False)


def speaker_by_key(key: str) -> tuple[Speaker | None, bool]:
    """Like ``quote_by_key``, for speakers."""
    speaker = Speaker.objects.filter(key=key).first()
    if speaker is not None:
        return speaker, False
    redirect = KeyRedirect.objects.filter(kind=KeyRedirect.Kind.SPEAKER, old_key=key).first()
    return (redirect.speaker, True) if redirect else (None, False)
