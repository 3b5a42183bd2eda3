"""Reads of lineage: the statements that carry a statement's claim, and its related ones."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
from django.db import models

from lineage import vectors
from lineage.models import Decision
from lineage.search import vectors_of_quote
from quotes import meaning, public
from quotes.dates import to_reduced_date
from quotes.models import Quote
from quotes.similarity import OTHER_SPEAKER, SAME_SPEAKER

THIS = "this"
NEIGHBOURS = 50
RELATED_WINDOW = datetime.timedelta(days=92)


@dataclass(frozen=True)
class LineageEntry:
    """One statement carrying the claim: its public representation, how close its meaning
    is (1 for the statement itself), whose it is (``this``, ``same_speaker``,
    ``other_speaker``), whether it is the first on record and whether a reviewer
    confirmed the link."""

    statement: public.PublicStatement
    score: float
    relation: str
    first: bool = False
    confirmed: bool = False


def quote_lineage(*, quote: Quote, among: models.QuerySet) -> list[LineageEntry]:
    """The statements of ``among`` with the claim of ``quote`` (itself included), in the
    order they were said (undated last): the nearest by meaning at the threshold or above
    and those a reviewer confirmed, without those a reviewer dismissed."""
    scores = _scores(quote)
    decisions = {
        (d.second_id if d.first_id == quote.pk else d.first_id): d.verdict
        for d in Decision.objects.involving(quote.pk)
    }
    confirmed = {pk for pk, verdict in decisions.items() if verdict == "confirmed"}
    for pk in confirmed - scores.keys():
        scores[pk] = _score_with(quote, pk)
    wanted = {pk for pk in scores if decisions.get(pk) != "dismissed"} | {quote.pk}
    found = among.with_public_parts().filter(pk__in=wanted)
    entries = [
        LineageEntry(
            public.statement(other),
            1.0 if other.pk == quote.pk else scores[other.pk],
            _relation(quote, other),
            confirmed=other.pk in confirmed,
        )
        for other in found
    ]
    return _first_marked(sorted(entries, key=_said_order))


def _scores(quote: Quote) -> dict[int, float]:
    if not vectors.replica().catch_up_and_count():
        return {}
    # Stored vectors only: a page does not load the model (a statement written within the
    # minute gets its lineage once the job has embedded it).
    mine = vectors_of_quote(quote.pk, embed_missing=False)
    if not len(mine):
        return {}
    best: dict[int, float] = {}
    for scores in vectors.nearest_quotes(mine, count=NEIGHBOURS):
        for pk, score in scores.items():
            if pk != quote.pk and score >= meaning.SAME_STATEMENT_THRESHOLD:
                best[pk] = max(best.get(pk, 0.0), score)
    return best


def _score_with(quote: Quote, other_id: int) -> float:
    mine = vectors_of_quote(quote.pk, embed_missing=False)
    theirs = vectors_of_quote(other_id, embed_missing=False)
    if not len(mine) or not len(theirs):
        return 0.0
    return round(float(np.clip((mine @ theirs.T).max(), -1.0, 1.0)), 3)


def _relation(quote: Quote, other: Quote) -> str:
    if other.pk == quote.pk:
        return THIS
    return SAME_SPEAKER if other.speaker_id == quote.speaker_id else OTHER_SPEAKER


def _said_order(entry: LineageEntry) -> tuple:
    said = to_reduced_date(entry.statement.said)
    return (said is None, said.start if said else datetime.date.max, entry.statement.key)


def _first_marked(entries: list[LineageEntry]) -> list[LineageEntry]:
    """The earliest dated statement is the first on record (none if none is dated)."""
    if len(entries) < 2 or entries[0].statement.said is None:
        return entries
    first = entries[0]
    marked = LineageEntry(first.statement, first.score, first.relation, True, first.confirmed)
    return [marked, *entries[1:]]


def related_statements(*, quote: Quote, among: models.QuerySet, limit: int = 5) -> list[Quote]:
    """The same speaker's statements on one of its topics, said within three months."""
    said = to_reduced_date(quote.said)
    topics = list(quote.topics.values_list("pk", flat=True))
    if said is None or not topics:
        return []
    return list(
        among.filter(
            speaker_id=quote.speaker_id,
            topics__in=topics,
            said_start__gte=said.start - RELATED_WINDOW,
            said_start__lte=said.end + RELATED_WINDOW,
        )
        .exclude(pk=quote.pk)
        .distinct()
        .order_by("said_start", "key")[:limit]
    )
