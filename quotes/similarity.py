"""Possible duplicates and misattributions: quotes on record with a similar text.

The texts and translations of the candidate are compared (pg_trgm) with the texts and
translations on record, so that the English version of a statement on record in Russian
is found. The same speaker's similar quote is a possible duplicate (``same_speaker``);
another speaker's is a possible misattribution (``other_speaker``). Only quotes said
within a month of each other count (undated ones always do). Trigram indexes on the
texts of quotes and translations (migration 0009) serve the search.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connection, models, transaction
from django.db.models.functions import Greatest
from django.db.models.lookups import Lookup

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


class _TrigramOperator(Lookup):
    """``lhs <operator> rhs`` with a pg_trgm operator that the trigram indexes serve."""

    operator = "%%"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} {self.operator} {rhs}", [*lhs_params, *rhs_params]


class _Similar(_TrigramOperator):
    operator = "%%"  # whole texts alike


class _WordSimilar(_TrigramOperator):
    operator = "%%>"  # the given text occurs, nearly, within the column's


def _matching(queryset: models.QuerySet, column: str, text: str) -> models.QuerySet:
    value = models.Value(text)
    # Both operators take the indexed column on their left, so the index serves them.
    found = queryset.order_by().filter(
        _Similar(models.F(column), value) | _WordSimilar(models.F(column), value)
    )
    return found.annotate(
        score=Greatest(
            TrigramSimilarity(column, text),
            TrigramWordSimilarity(text, column),
        )
    )


def _set_thresholds() -> None:
    # The operators' own thresholds; SET LOCAL lasts until the transaction ends.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true), "
            "set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(SIMILARITY_THRESHOLD)] * 2,
        )


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
    best: dict[int, float] = {}
    with transaction.atomic():
        _set_thresholds()
        for text in texts:
            rows = _matching(Quote.objects.all(), "text", text).values_list("pk", "score")
            rows = [
                *rows,
                *_matching(Translation.objects.all(), "text", text).values_list(
                    "quote_id", "score"
                ),
            ]
            for pk, score in rows:
                best[pk] = max(score, best.get(pk, 0))
    best.pop(exclude_pk, None)
    candidates = (Quote.objects.all() if among is None else among).filter(pk__in=best)
    period = to_reduced_date(said)
    found = [
        Similar(
            quote,
            round(best[quote.pk], 3),
            SAME_SPEAKER if quote.speaker_id == speaker_id else OTHER_SPEAKER,
        )
        for quote in candidates.select_related("speaker")
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
