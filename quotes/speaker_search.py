"""Fuzzy search of speakers by any of their names, for the API, the admin and the reader's
suggestions alike: "Poutine", "Vladimr" or "putin" find Vladimir Putin (pg_trgm over
unaccented names), and a name typed in another script or spelling than any stored finds
the speaker too ("Ван И" → Wang Yi, "Lawrow" → Lavrov, "Wang Yi" → a speaker stored only as
王毅): the query and the stored names are transliterated to Latin letters (anyascii; the
names' in ``name_latin``, derived when they are saved) and compared by how they sound
(``onrecord_name_key``, migration 0016: w → v, y → i, ou → u…)."""

from __future__ import annotations

from anyascii import anyascii
from django.contrib.postgres.search import (
    TrigramSimilarity,
    TrigramStrictWordSimilarity,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Func, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, Greatest, Lower

from quotes.models import Speaker, SpeakerName

SPEAKER_NAME_MATCH = 0.3


class Unaccent(Func):
    """The immutable unaccent wrapper created by migration 0004_search."""

    function = "onrecord_unaccent"
    output_field = TextField()


class NameKey(Func):
    """A name as it sounds across spellings (migration 0015's ``onrecord_name_key``)."""

    function = "onrecord_name_key"
    output_field = TextField()


def name_key_score(field: str, query: str) -> Func:
    """How well a name sounds like the query, both in Latin letters, 0 to 1 (as below)."""
    name, typed = NameKey(f"{field}_latin"), NameKey(Value(anyascii(query)))
    return (
        TrigramSimilarity(name, typed)
        + TrigramWordSimilarity(typed, name)
        + TrigramStrictWordSimilarity(typed, name)
    ) / 3.0


def fuzzy_name_score(field: str, query: str) -> Func:
    """How well a name matches a query typed with typos or without diacritics, 0 to 1: the
    mean of pg_trgm's similarity, word similarity and strict word similarity, so that the
    name's closest word, and then the closest whole name, win."""
    name = Unaccent(Lower(field))
    typed = Unaccent(Lower(Value(query)))
    return Greatest(
        (
            TrigramSimilarity(name, typed)
            + TrigramWordSimilarity(typed, name)
            + TrigramStrictWordSimilarity(typed, name)
        )
        / 3.0,
        name_key_score(field, query),
    )


def names_matching(queryset: QuerySet, query: str) -> QuerySet:
    typed = Unaccent(Lower(Value(query)))
    return queryset.alias(plain=Unaccent(Lower("name")), sound=NameKey("name_latin")).filter(
        Q(plain__trigram_word_similar=typed)
        | Q(plain__contains=typed)
        | Q(sound__trigram_word_similar=NameKey(Value(anyascii(query))))
    )


def fuzzy_search_threshold() -> None:
    """Let pg_trgm's ``<%`` operator (and so the indexes) accept names as far from the query
    as SPEAKER_NAME_MATCH, until the end of the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(SPEAKER_NAME_MATCH)],
        )


def speakers_matching(queryset: QuerySet, query: str) -> QuerySet:
    """Speakers with a name whose closest words match at least SPEAKER_NAME_MATCH
    (pg_trgm's word similarity, served by the trigram indexes on unaccented names: the
    caller sets ``pg_trgm.word_similarity_threshold`` in its transaction, see
    ``fuzzy_search_threshold``), or containing the query; best first (``score``)."""
    query = query.strip()
    if not query:
        return queryset
    other_names = (
        SpeakerName.objects.filter(speaker=OuterRef("pk"))
        .annotate(score=fuzzy_name_score("name", query))
        .order_by("-score")
        .values("score")[:1]
    )
    return (
        queryset.filter(
            Q(pk__in=names_matching(Speaker.objects.all(), query).values("pk"))
            | Q(pk__in=names_matching(SpeakerName.objects.all(), query).values("speaker_id"))
        )
        .annotate(
            score=Greatest(fuzzy_name_score("name", query), Coalesce(other_names, Value(0.0)))
        )
        .order_by("-score", "name", "key")
    )
