"""Lists of statements for the reader's pages and feeds, found exactly as the API's
``/api/v1/quotes/`` finds them: the same FilterSet (search, filters, ordering, statuses),
the same facets and the same highlights. Whatever changes underneath the API's search
changes here too; nothing here restates a filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import QueryDict
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError

from api.filters import QuoteFilterSet
from api.pagination import PageNumberPagination, PageParams
from api.params import validate_params
from quotes.models import Citation, Quote
from search.facets import quote_facets
from search.highlights import highlights

PAGE_SIZE = PageNumberPagination.page_size
FACET_LIMIT = 10
# The parameters that narrow a list: the API's, whatever they are.
FILTER_PARAMS = tuple(QuoteFilterSet.base_filters)


@dataclass
class Listing:
    """One page of matching statements, their count and facets, or what was wrong."""

    params: QueryDict
    errors: dict[str, list[str]] = field(default_factory=dict)
    page: Page | None = None
    count: int = 0
    facets: dict[str, list[dict]] = field(default_factory=dict)
    searched: bool = False

    @property
    def quotes(self) -> list[Quote]:
        return list(self.page.object_list) if self.page else []


def public_quotes() -> QuerySet:
    """What readers may see, with what a result shows; the FilterSet then keeps published
    statements unless ``status=retracted`` is asked for, as it does for the API's public."""
    return (
        Quote.objects.visible_to(None)
        .select_related("speaker", "role__organization")
        .prefetch_related(
            "topics",
            "translations",
            Prefetch("citations", Citation.objects.select_related("source")),
        )
    )


def filtered(params: Mapping[str, str], fixed: Mapping[str, str] | None = None) -> QuoteFilterSet:
    """The API's FilterSet over the public statements; ``fixed`` parameters (a speaker
    page's speaker) override those of the request."""
    data = QueryDict(mutable=True)
    for name in FILTER_PARAMS:
        value = params.get(name)
        if value not in (None, ""):
            data[name] = value
    data.update(fixed or {})
    return QuoteFilterSet(data=data, queryset=public_quotes(), request=None)


def quote_summary(fixed: Mapping[str, str], *, facet_limit: int) -> dict:
    """The count and facets of all the public statements that ``fixed`` selects (a
    speaker's, for the chart of their years and their topics)."""
    filterset = filtered({}, fixed)
    if not filterset.is_valid():
        raise ValueError(filterset.errors)
    return quote_facets(filterset.qs, limit=facet_limit)


def quote_listing(
    params: QueryDict,
    *,
    fixed: Mapping[str, str] | None = None,
    facet_limit: int = FACET_LIMIT,
) -> Listing:
    """The page of statements that ``params`` ask for (``page``, ``page_size`` as the API
    reads them), with the count and the facets of all matches, in a number of queries
    that does not grow with the number of matches."""
    filterset = filtered(params, fixed)
    listing = Listing(params=filterset.data)
    errors = {}
    try:
        if not filterset.is_valid():
            errors.update(filterset.errors)
    except PermissionDenied as refusal:  # a status only editors may ask for
        errors["status"] = [str(refusal.detail)]
    try:
        paging = validate_params(PageParams, params)
    except DRFValidationError as error:
        errors.update(error.detail)
    if errors:
        listing.errors = {name: [str(m) for m in messages] for name, messages in errors.items()}
        return listing
    queryset = filterset.qs
    summary = quote_facets(queryset, limit=facet_limit)
    listing.count, listing.facets = summary["count"], summary["facets"]
    size = min(paging.get("page_size") or PAGE_SIZE, PageNumberPagination.max_page_size)
    paginator = Paginator(queryset, size, allow_empty_first_page=True)
    paginator.count = listing.count  # counted with the facets already
    number = paging["page"]
    listing.page = paginator.get_page(paginator.num_pages if number == "last" else number)
    compiled = filterset.search_query
    listing.searched = compiled is not None
    if compiled is not None and not compiled.is_empty and listing.page.object_list:
        found = highlights([quote.pk for quote in listing.page.object_list], compiled)
        for quote in listing.page.object_list:
            quote.search_highlight = found.get(quote.pk)
    return listing
