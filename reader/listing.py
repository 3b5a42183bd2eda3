"""Lists of statements for the reader's pages and feeds, found exactly as the API's
``/api/v1/quotes/`` finds them: the same FilterSet (search, filters, ordering, statuses),
the same facets and the same highlights. Whatever changes underneath the API's search
changes here too; nothing here restates a filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError

from api.filters import QuoteFilterSet
from api.pagination import PageNumberPagination, PageParams
from api.params import validate_params
from quotes import public
from quotes.models import Quote
from search.backends.base import Highlight

PAGE_SIZE = PageNumberPagination.page_size
FACET_LIMIT = 10
# Years counted for the histogram of matches (the year facet shows the latest FACET_LIMIT).
HISTOGRAM_YEARS = 200
# The parameters that narrow a list: the API's, whatever they are.
FILTER_PARAMS = tuple(QuoteFilterSet.base_filters)


@dataclass(frozen=True)
class Result:
    """A statement in a list, as its public representation states it: the speaker's own
    words first, in their language; where a search matched a translation, that translation
    after them with its label (official or OnRecord's), never alone."""

    statement: public.PublicStatement
    highlight: Highlight | None = None

    @property
    def text_html(self) -> str:
        """The original words with the matches marked, when the search matched them."""
        found = self.highlight
        return found.html if found is not None and found.field == "text" else ""

    @property
    def translation(self) -> public.PublicTranslation | None:
        """The translation shown under the original: the one the search matched, else the
        English one for a statement said in another language."""
        found = self.highlight
        if found is not None and found.field == "translation":
            for translation in self.statement.translations:
                if translation.language == found.language:
                    return translation
        return self.statement.translation_in("en")

    @property
    def translation_html(self) -> str:
        found = self.highlight
        matched = found is not None and found.field == "translation"
        return found.html if matched and self.translation else ""

    @property
    def context_html(self) -> str:
        """The occasion with the matches marked, when the search matched only there."""
        found = self.highlight
        return found.html if found is not None and found.field == "context" else ""


@dataclass
class Listing:
    """One page of matching statements, their count and facets, or what was wrong."""

    params: QueryDict
    errors: dict[str, list[str]] = field(default_factory=dict)
    page: Page | None = None
    count: int = 0
    facets: dict[str, list[dict]] = field(default_factory=dict)
    searched: bool = False
    years: list[dict] = field(default_factory=list)  # every year's count, latest first

    @property
    def quotes(self) -> list[Quote]:
        return list(self.page.object_list) if self.page else []

    @property
    def results(self) -> list[Result]:
        return [
            Result(public.statement(quote), getattr(quote, "search_highlight", None))
            for quote in self.quotes
        ]


def public_quotes() -> QuerySet:
    """What readers may see, with what a result shows; the FilterSet then keeps published
    statements unless ``status=retracted`` is asked for, as it does for the API's public."""
    return Quote.objects.visible_to(None).with_public_parts()


def filtered(
    params: Mapping[str, str],
    fixed: Mapping[str, str] | None = None,
    filterset_class: type[QuoteFilterSet] = QuoteFilterSet,
) -> QuoteFilterSet:
    """The API's FilterSet (or a subclass, the feeds') over the public statements; ``fixed``
    parameters (a speaker page's speaker) override those of the request."""
    data = QueryDict(mutable=True)
    for name in FILTER_PARAMS:
        value = params.get(name)
        if value not in (None, ""):
            data[name] = value
    data.update(fixed or {})
    return filterset_class(data=data, queryset=public_quotes(), request=None)


def quote_summary(fixed: Mapping[str, str], *, facet_limit: int) -> dict:
    """The count and facets of all the public statements that ``fixed`` selects (a
    speaker's, for the chart of their years and their topics)."""
    filterset = filtered({}, fixed)
    if not filterset.is_valid():
        raise ValueError(filterset.errors)
    return filterset.qs.facets(limit=facet_limit)


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
    summary = queryset.facets(limit=facet_limit, year_limit=HISTOGRAM_YEARS)
    listing.count, listing.facets = summary["count"], summary["facets"]
    listing.years = listing.facets["year"]
    listing.facets["year"] = listing.years[:facet_limit]
    size = min(paging.get("page_size") or PAGE_SIZE, PageNumberPagination.max_page_size)
    paginator = Paginator(queryset, size, allow_empty_first_page=True)
    paginator.count = listing.count  # counted with the facets already
    number = paging["page"]
    listing.page = paginator.get_page(paginator.num_pages if number == "last" else number)
    listing.searched = queryset.request.is_search
    if listing.searched and listing.page.object_list:
        found = queryset.highlights([quote.pk for quote in listing.page.object_list])
        for quote in listing.page.object_list:
            quote.search_highlight = found.get(quote.pk)
    return listing
