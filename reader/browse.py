"""The reader's ways in besides the search box: speakers from A to Z, topics,
organizations, sources and occasions, each a paginated list of public records only (the records'
``public()``) with the number of public statements of each."""

from __future__ import annotations

import string

from django import forms
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce, Left, Upper
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from django_countries import countries

from quotes.models import Affiliation, Occasion, Organization, Quote, Source, Speaker, Topic
from quotes.speaker_search import Unaccent
from quotes.validators import KEY_PATTERN
from reader.links import query_string

PAGE_SIZE = 50
LETTERS = tuple(string.ascii_uppercase)
OTHER = "#"  # names that start with anything but A–Z


def public_statement_count(path: str) -> Coalesce:
    """How many public statements refer to the row through ``path`` (``speaker``,
    ``topics``, ``citations__source``, ``role__organization``)."""
    counted = (
        Quote.objects.public()
        .filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class BrowseForm(forms.Form):
    """The parameters every list takes: the page."""

    page = forms.IntegerField(required=False, min_value=1)


class SpeakerBrowseForm(BrowseForm):
    letter = forms.ChoiceField(required=False, choices=[(c, c) for c in (*LETTERS, OTHER)])
    country = forms.RegexField(
        required=False,
        regex=r"^[A-Za-z]{2}$",
        error_messages={"invalid": "Enter an ISO 3166-1 alpha-2 country code such as CN."},
    )
    organization = forms.RegexField(
        required=False,
        regex=KEY_PATTERN,
        error_messages={"invalid": "Enter an organization's key, such as mfa-china."},
    )


class BadParameters(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def read_params(form_class: type[BrowseForm], request: HttpRequest) -> dict:
    """The cleaned parameters, or BadParameters naming each wrong or unknown one."""
    form = form_class(request.GET)
    errors = {name: list(messages) for name, messages in form.errors.items()}
    for name in request.GET:
        if name not in form.fields:
            errors[name] = ["This list takes no such parameter."]
    if errors:
        raise BadParameters(errors)
    return {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}


def paginate(queryset: QuerySet, number: int | None) -> Page:
    paginator = Paginator(queryset, PAGE_SIZE, allow_empty_first_page=True)
    try:
        return paginator.page(number or 1)
    except (EmptyPage, PageNotAnInteger) as error:
        raise BadParameters({"page": [f"There are {paginator.num_pages} pages."]}) from error


def page_links(page: Page, params: dict) -> dict:
    """Links to the previous and next pages, keeping the other parameters."""
    kept = {name: str(value) for name, value in params.items() if name != "page"}
    return {
        "number": page.number,
        "pages": page.paginator.num_pages,
        "previous": query_string(kept, page=str(page.number - 1)) if page.has_previous() else "",
        "next": query_string(kept, page=str(page.number + 1)) if page.has_next() else "",
    }


def browse_page(
    request: HttpRequest,
    template: str,
    form_class: type[BrowseForm],
    records,
    context: dict | None = None,
) -> HttpResponse:
    """A page of ``records(params)``, or a 400 page naming the bad parameters."""
    context = dict(context or {})
    try:
        params = read_params(form_class, request)
        page = paginate(records(params), params.get("page"))
    except BadParameters as bad:
        context["errors"] = bad.errors
        return render(request, template, context, status=400)
    context.update(page=page, params=params, page_links=page_links(page, params))
    return render(request, template, context)


def initial(column: str) -> Upper:
    return Upper(Left(Unaccent(column), 1))


def public_speakers(params: dict) -> QuerySet:
    """Public speakers by name, with their public statements' count and current roles."""
    speakers = Speaker.objects.public()
    letter = params.get("letter")
    if letter == OTHER:
        speakers = speakers.annotate(initial=initial("name")).exclude(initial__in=LETTERS)
    elif letter:
        speakers = speakers.annotate(initial=initial("name")).filter(initial=letter)
    if params.get("country"):
        speakers = speakers.filter(country=params["country"].upper())
    if params.get("organization"):
        speakers = speakers.filter(affiliations__organization__key=params["organization"])
    current = Affiliation.objects.filter(end__isnull=True).select_related("organization")
    return (
        speakers.distinct()
        .annotate(statements=public_statement_count("speaker"))
        .prefetch_related(Prefetch("affiliations", current.order_by("start", "pk"), "current"))
        .order_by("name", "key")
    )


def letter_links(params: dict) -> list[dict]:
    """A–Z (and # for other initials): a link for each letter with public speakers."""
    taken = set(
        Speaker.objects.public()
        .annotate(initial=initial("name"))
        .values_list("initial", flat=True)
        .distinct()
    )
    others = bool(taken - set(LETTERS))
    kept = {k: str(v) for k, v in params.items() if k not in ("page", "letter")}
    return [
        {
            "letter": letter,
            "current": params.get("letter") == letter,
            "url": query_string(kept, letter=letter)
            if letter in taken or (letter == OTHER and others)
            else "",
        }
        for letter in (*LETTERS, OTHER)
    ]


@require_safe
def speakers(request: HttpRequest) -> HttpResponse:
    public = Speaker.objects.public()
    codes = sorted(set(public.exclude(country="").values_list("country", flat=True)))
    context = {
        "countries": sorted(
            ((code, countries.name(code) or code) for code in codes), key=lambda item: item[1]
        ),
        "organizations": Organization.objects.public().order_by("name", "key"),
        "letters": letter_links(request.GET.dict()),
        "all_url": reverse("reader:speakers")
        + query_string({k: v for k, v in request.GET.items() if k in ("country", "organization")}),
    }
    return browse_page(
        request, "reader/browse/speakers.html", SpeakerBrowseForm, public_speakers, context
    )


def counted(records: QuerySet, path: str, *order: str):
    """The records of a list without filters, each with its public statements' count."""
    return lambda params: records.annotate(statements=public_statement_count(path)).order_by(*order)


@require_safe
def topics(request: HttpRequest) -> HttpResponse:
    records = counted(Topic.objects.public(), "topics", "name", "key")
    return browse_page(request, "reader/browse/topics.html", BrowseForm, records)


@require_safe
def organizations(request: HttpRequest) -> HttpResponse:
    records = counted(Organization.objects.public(), "role__organization", "name", "key")
    return browse_page(request, "reader/browse/organizations.html", BrowseForm, records)


@require_safe
def sources(request: HttpRequest) -> HttpResponse:
    public = Source.objects.public().defer("full_text")
    records = counted(public, "citations__source", "-published", "title", "key")
    return browse_page(request, "reader/browse/sources.html", BrowseForm, records)


@require_safe
def occasions(request: HttpRequest) -> HttpResponse:
    records = counted(Occasion.objects.public(), "occasion", "-start", "name", "key")
    return browse_page(request, "reader/browse/occasions.html", BrowseForm, records)
