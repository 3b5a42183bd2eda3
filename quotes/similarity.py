"""Possible duplicates and misattributions: quotes on record with a similar text.

The texts and translations of the candidate are compared (pg_trgm) with the texts and
translations on record, so that the English version of a statement on record in Russian
is found. The same speaker's similar quote is a possible duplicate (``same_speaker``);
another speaker's is a possible misattribution (``other_speaker``). Only quotes said
within a month of each other count, and the speaker's undated ones.

The quotes compared are those whose text or translation shares a passage with the new
text: a run of three consecutive words (``onrecord_passages``, migration 0012), stored
with each text and indexed (GIN), so that the index finds the few quotes out of a million
that have words in common with it, of which those said around the date are scored. A
copy, an excerpt, a translation on record or a text reworded here and there shares
passages with it; a text with no three words in a row in common is not compared.

``similar_for_quotes`` is the rule: one query for any number of new quotes, the API's and
the admin's one quote as the importer's batch, each text scoring at most ``passage_cap()``
candidates (bench/bench_similar.py, bench/bench_import.py --similar, docs/performance.md).
"""

from __future__ import annotations

import contextlib
import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models, transaction

from quotes.dates import ReducedDate, to_reduced_date
from quotes.models import Quote

SIMILARITY_THRESHOLD = 0.3
DATE_WINDOW = datetime.timedelta(days=31)
SAME_SPEAKER, OTHER_SPEAKER = "same_speaker", "other_speaker"
TEXT, TRANSLATION, MEANING = "text", "translation", "meaning"
# Another speaker's text sharing words with the new one below this score is reported only
# if the two also mean the same (Wang Yi's and Ayman Safadi's different statements share
# "collective punishment"): a copy scores near 1.
WORDS_ALONE = 0.8


@dataclass(frozen=True)
class Similar:
    quote: Quote
    score: float
    relation: str  # SAME_SPEAKER or OTHER_SPEAKER
    language: str = ""  # of the statement found
    match: str = "text"  # TEXT, TRANSLATION or MEANING


@dataclass(frozen=True)
class NewQuote:
    """What the check needs of a quote to compare: its text and translations, its speaker,
    its date, and its own id if it is already written (it is not compared with itself)."""

    texts: Sequence[str]
    speaker_id: int | None
    said: ReducedDate | str | None
    pk: int | None = None


YEAR = datetime.timedelta(days=366)
MONTH = datetime.timedelta(days=31)

# The quotes q, and quote rows of translations, that may be the same statement as the
# probe p: said within the window of p's date by anyone (a date of month or year
# precision counts from its first day, so it is looked up that much earlier), and the
# speaker's undated quotes; for an undated probe, the speaker's quotes. ``_dates_close``
# then keeps those whose span is within the window.
_WINDOW = r"""(
    CASE WHEN p.first IS NULL THEN q.speaker_id = p.speaker_id
    ELSE q.said_start BETWEEN p.first AND p.last
        OR (q.said ~ '^[0-9]{4}-[0-9]{2}$' AND q.said_start >= p.first - %(month)s::integer
            AND q.said_start < p.first)
        OR (q.said ~ '^[0-9]{4}$' AND q.said_start >= p.first - %(year)s::integer
            AND q.said_start < p.first)
        OR (q.said_start IS NULL AND q.speaker_id = p.speaker_id)
    END
    AND q.id IS DISTINCT FROM p.quote_id
    AND (%(written_up_to)s::bigint IS NULL OR q.id <= %(written_up_to)s::bigint)
)"""
_QUERY = f"""
WITH p AS MATERIALIZED (
    SELECT n, text, onrecord_passages(text) AS passages, first, last, speaker_id, quote_id
    FROM unnest(%(n)s::integer[], %(text)s::text[], %(first)s::date[], %(last)s::date[],
                %(speaker)s::bigint[], %(quote)s::bigint[])
        AS probe(n, text, first, last, speaker_id, quote_id)
), candidates AS MATERIALIZED (  -- scored only once in the window, at most %(cap)s a text
    SELECT p.n, p.text AS probe, c.id, c.stored, c.match
    FROM p CROSS JOIN LATERAL (
        (SELECT q.id, q.text AS stored, 'text' AS match
         FROM quotes_quote q WHERE q.passages && p.passages AND {_WINDOW})
        UNION ALL
        (SELECT q.id, t.text, 'translation'
         FROM quotes_translation t JOIN quotes_quote q ON q.id = t.quote_id AND {_WINDOW}
         WHERE t.passages && p.passages)
        LIMIT %(cap)s
    ) c
), scored AS (
    SELECT n, id, match,
           greatest(similarity(stored, probe), word_similarity(probe, stored)) AS score
    FROM candidates
)
SELECT n, id, max(score), (array_agg(match ORDER BY score DESC, match))[1]
FROM scored WHERE score >= %(threshold)s GROUP BY n, id
"""


# A text made of common words shares passages with a great many quotes in its window (a
# generated import's texts shared them with thousands: 13 minutes a batch of 1,000). The
# work of a text is bounded by fetching and scoring at most this many candidates, those the
# index gives first (ONRECORD_SIMILAR_PASSAGE_CAP): a copy, excerpt or translation of real
# text shares its rare passages with the few quotes it repeats, far fewer than the cap, but
# a text past the cap may miss a similar quote among the candidates left out.
PASSAGE_CAP = 20


def passage_cap() -> int:
    return getattr(settings, "ONRECORD_SIMILAR_PASSAGE_CAP", PASSAGE_CAP)


# PostgreSQL cannot estimate how many rows share a passage with a column of another table
# (it guesses 0.5% of the table, 5,000 of a million quotes): it would join the quotes of
# the translations found by reading every quote into a hash table, and compile the query
# (JIT), 0.3 s alone. The index lookups it takes for a costlier plan are the fast one.
_BY_INDEX = {"enable_hashjoin": "off", "enable_mergejoin": "off", "jit": "off"}


@contextlib.contextmanager
def _planned_by_index(cursor) -> Iterator[None]:
    """Plan the check's query by its indexes, then restore the settings (which the caller's
    transaction, an import's, keeps otherwise)."""
    cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in _BY_INDEX))
    before = dict(zip(_BY_INDEX, cursor.fetchone(), strict=True))
    settings = ", ".join("set_config(%s, %s, true)" for _ in _BY_INDEX)
    cursor.execute(f"SELECT {settings}", [v for item in _BY_INDEX.items() for v in item])
    # Restored only after success: a failed query (a statement timeout) aborts the
    # transaction, whose rollback undoes the settings, and any query there would fail too.
    yield
    cursor.execute(f"SELECT {settings}", [v for item in before.items() for v in item])


def similar_for_quotes(
    quotes: Sequence[NewQuote],
    *,
    written_up_to: int | None = None,
    among: models.QuerySet | None = None,
    limit: int = 10,
) -> list[list[Similar]]:
    """For each of ``quotes``, the quotes on record with a text or translation similar to
    one of its texts, or of the same meaning in any language, best first. ``written_up_to``
    leaves out the quotes with a greater id (those an import writes); ``among`` limits what
    is shown."""
    periods = [to_reduced_date(quote.said) for quote in quotes]
    words = _scores_by_words(quotes, periods, written_up_to)
    by_meaning = _meaning(quotes, written_up_to)
    found_quotes = (Quote.objects.all() if among is None else among).filter(
        pk__in={pk for _, pk, _, _ in words} | {pk for found in by_meaning.scores for pk in found}
    )
    by_pk = {quote.pk: quote for quote in found_quotes.select_related("speaker")}
    found: list[dict[int, Similar]] = [{} for _ in quotes]
    for n, pk, score, match in words:
        quote, new = by_pk.get(pk), quotes[n]
        if quote is None or not _dates_close(periods[n], to_reduced_date(quote.said)):
            continue
        if (n, pk) in by_meaning.dismissed:
            continue
        relation = SAME_SPEAKER if quote.speaker_id == new.speaker_id else OTHER_SPEAKER
        if relation == OTHER_SPEAKER and score < WORDS_ALONE and not by_meaning.agrees(n, pk):
            continue  # a phrase in common, not the same statement (docs/lineage.md)
        found[n][pk] = Similar(quote, round(score, 3), relation, quote.language, match)
    for n, scores in enumerate(by_meaning.scores):
        for pk, score in scores.items():
            quote = by_pk.get(pk)
            if quote is None or pk in found[n] or pk == quotes[n].pk:
                continue
            same = quote.speaker_id == quotes[n].speaker_id
            if same and not _dates_close(periods[n], to_reduced_date(quote.said)):
                continue  # the same speaker saying it again is a repetition, not a duplicate
            relation = SAME_SPEAKER if same else OTHER_SPEAKER
            found[n][pk] = Similar(quote, score, relation, quote.language, MEANING)
    return [_best(list(similar.values()), limit) for similar in found]


def _best(similar: list[Similar], limit: int) -> list[Similar]:
    similar.sort(key=lambda s: (-s.score, s.relation != SAME_SPEAKER, s.quote.key))
    return similar[:limit]


def _scores_by_words(
    quotes: Sequence[NewQuote], periods: list, written_up_to: int | None
) -> list[tuple[int, int, float, str]]:
    """(probe, quote id, score, match) of the quotes sharing passages with a probe's texts,
    within the date window: one query for them all."""
    rows: dict[str, list] = defaultdict(list)
    for n, (quote, period) in enumerate(zip(quotes, periods, strict=True)):
        for text in dict.fromkeys(quote.texts):
            if not text or not text.strip():
                continue
            rows["n"].append(n)
            rows["text"].append(text)
            rows["first"].append(period.start - DATE_WINDOW if period else None)
            rows["last"].append(period.end + DATE_WINDOW if period else None)
            rows["speaker"].append(quote.speaker_id)
            rows["quote"].append(quote.pk)
    if not rows:
        return []
    params = {
        **rows,
        "month": MONTH.days,
        "year": YEAR.days,
        "written_up_to": written_up_to,
        "threshold": SIMILARITY_THRESHOLD,
        "cap": passage_cap(),
    }
    with transaction.atomic(), connection.cursor() as cursor, _planned_by_index(cursor):
        cursor.execute(_QUERY, params)
        return cursor.fetchall()


def _meaning(quotes: Sequence[NewQuote], written_up_to: int | None):
    from lineage.search import same_meaning  # lineage's models build on quotes'

    return same_meaning(
        [[text for text in quote.texts if text and text.strip()] for quote in quotes],
        exclude=[quote.pk for quote in quotes],
        written_up_to=written_up_to,
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
    quote = NewQuote(texts=list(texts), speaker_id=speaker_id, said=said, pk=exclude_pk)
    return similar_for_quotes([quote], among=among, limit=limit)[0]


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
