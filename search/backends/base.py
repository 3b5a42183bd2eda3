"""The search interface, in the manner of Wagtail's search backends: a neutral request in
(``SearchRequest``: the query language's text, the filters, an ordering), lazy results out
(``SearchResults``: ``count()``, slices of quotes with their ``rank``, the ids for a
download, facets and highlights), and ``update``/``refresh`` for whatever feeds the index.
Callers (the API, the reader, alerts, downloads) know only this module; each backend is a
module of its own, and tests/test_search_backends.py runs one suite against each.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from array import array
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear

# The orders a client may ask for; None-free names, the same for every backend.
ORDERINGS = ("relevance", "-said", "said", "created", "-created", "updated", "-updated")
# Orders of the site's own lists, not offered to the API's clients: the feeds' last public
# change first.
SITE_ORDERINGS = ("-changed",)
# Pages reach at most this far into the results: deeper ones cost more than they serve.
MAX_RESULTS = 10_000
FACETS = ("speaker", "country", "year", "topic", "language", "kind", "occasion_kind")


@dataclass
class Highlight:
    """The passage of a quote a text search matched: ``html`` with the words marked, the
    ``field`` it is from (text, translation, context) and its language."""

    html: str
    field: str
    language: str


class PageTooDeep(Exception):
    """A page beyond the first MAX_RESULTS results."""


@dataclass
class Filters:
    """The list's filters, validated (api/filters.py); None or empty: no condition."""

    statuses: list[str]
    speaker: str | None = None
    organization: str | None = None
    country: str | None = None
    topic: str | None = None
    language: str | None = None
    kind: str | None = None
    source: str | None = None
    occasion: str | None = None
    occasion_kind: str | None = None
    said_from: datetime.date | None = None
    said_until: datetime.date | None = None

    def as_q(self) -> Q:
        """The same conditions for the database (backends that filter there)."""
        condition = Q(status__in=self.statuses)
        for name, lookup in FILTER_LOOKUPS.items():
            if getattr(self, name):
                condition &= Q(**{lookup: getattr(self, name)})
        if self.language:
            tag = self.language.lower()
            condition &= Q(language__iexact=tag) | Q(language__istartswith=f"{tag}-")
        if self.said_from:
            condition &= Q(said_start__gte=self.said_from)
        if self.said_until:
            condition &= Q(said_start__lte=self.said_until)
        return condition


FILTER_LOOKUPS = {
    "speaker": "speaker__key",
    "organization": "role__organization__key",
    "country": "role__organization__country__iexact",
    "topic": "topics__key",
    "kind": "kind",
    "source": "citations__source__key",
    "occasion": "occasion__key",
    "occasion_kind": "occasion__kind",
}


@dataclass(frozen=True)
class SearchRequest:
    """What is asked: ``text`` in the query language (quotes/search.py; empty: no text
    search, every quote the filters keep), the filters, and one of ORDERINGS or
    SITE_ORDERINGS."""

    filters: Filters
    text: str = ""
    ordering: str = "-said"

    @property
    def is_search(self) -> bool:
        return bool(self.text.strip())


class SearchResults(ABC):
    """The quotes a request finds, in its order, as Django's Paginator pages through a
    list: ``count()`` and slices of ``queryset``'s quotes (relevance in ``rank``)."""

    request: SearchRequest

    @abstractmethod
    def count(self) -> int: ...

    def __len__(self) -> int:
        return self.count()

    @abstractmethod
    def __getitem__(self, item: slice) -> list: ...

    @abstractmethod
    def ids(self, limit: int) -> tuple[array, array | None]:
        """The ids of the first ``limit`` quotes found, in order, and their ranks when
        ordered by relevance (else None)."""

    def bucket_counts(self, *, limit: int, year_limit: int) -> dict[str, list[tuple]]:
        """For each of FACETS, (value, count) of the quotes found, most frequent first
        (years: latest first). This one asks the database about the ids found; a backend
        with its own aggregations overrides it."""
        ids, _ = self.ids(MAX_RESULTS)
        from quotes.models import Quote

        found = Quote.objects.filter(pk__in=list(ids))
        fields = {
            "speaker": "speaker__key",
            "country": "role__organization__country",
            "topic": "topics__key",
            "language": "language",
            "kind": "kind",
            "occasion_kind": "occasion__kind",
        }
        buckets = {}
        for name, path in fields.items():
            rows = found.exclude(**{f"{path}__isnull": True}).exclude(**{path: ""})
            rows = rows.values(path).annotate(n=Count("pk", distinct=True)).order_by("-n", path)
            buckets[name] = [(row[path], row["n"]) for row in rows[: limit + 20]]
        years = found.exclude(said_start=None).annotate(year=ExtractYear("said_start"))
        years = years.values("year").annotate(n=Count("pk")).order_by("-year")[:year_limit]
        buckets["year"] = [(row["year"], row["n"]) for row in years]
        return buckets

    def facets(self, *, limit: int = 20, year_limit: int = 0) -> dict:
        """The number found and each facet's ``limit`` most frequent values, labelled."""
        from search.facets import labelled

        year_limit = year_limit or limit
        buckets = self.bucket_counts(limit=limit, year_limit=year_limit)
        return {"count": self.count(), "facets": labelled(buckets, limit, year_limit)}

    def highlights(self, quote_ids: Iterable[int]) -> dict[int, Highlight]:
        """For each quote, the passage the text search matched, marked; a backend that does
        not match words marks none."""
        return {}


class SearchBackend(ABC):
    """One kind of index of the quotes."""

    @abstractmethod
    def search(self, request: SearchRequest, queryset: QuerySet) -> SearchResults:
        """The quotes of ``queryset`` that ``request`` finds (lazy: nothing runs until the
        results are counted or sliced)."""

    def percolate(
        self, quote_ids: Iterable[int], requests: Iterable[tuple[Hashable, SearchRequest]]
    ) -> dict[Hashable, set[int]]:
        """Which of these quotes each request finds ("percolation", for alerts): for each
        (key, request), the ids found, when it finds any. This one searches for each
        request among the quotes; a backend that can index a few quotes apart overrides it."""
        from quotes.models import Quote

        ids = list(quote_ids)
        among = Quote.objects.filter(pk__in=ids)
        result = {}
        for key, request in requests:
            found = set(self.search(request, among).ids(len(ids) or 1)[0]) & set(ids)
            if found:
                result[key] = found
        return result

    @abstractmethod
    def update(self, quote_ids: Iterable[int]) -> int:
        """Bring these quotes' entries to their current state now (deleted ones go)."""

    @abstractmethod
    def refresh(self) -> int:
        """Apply every change committed (and this transaction's) that the index has not."""
