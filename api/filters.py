"""Query parameters of the list endpoints, as django-filter FilterSets.

Every parameter is validated by its form field; ``StrictFilterBackend`` turns an invalid
one into an HTTP 400 whose body names it (``{"said_after": ["..."]}``).
"""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_filters import rest_framework as filters
from django_filters.utils import label_for_filter
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import PermissionDenied

from api.params import translate_validation, validate_query_terms
from quotes.dates import ReducedDate
from quotes.models import (
    PUBLIC_STATUSES,
    Affiliation,
    Occasion,
    OccasionParticipant,
    Organization,
    Quote,
    Source,
    Speaker,
    Topic,
)
from quotes.permissions import may
from quotes.search import MAX_QUERY_LENGTH
from quotes.speaker_search import speakers_matching
from quotes.validators import KEY_PATTERN, LANGUAGE_SHAPE_PATTERN, validate_key
from search.backends import get_search_backend
from search.backends.base import ORDERINGS, Filters, SearchRequest, SearchResults

# Retracted quotes leave the default results; ``?status=retracted`` shows them to everyone,
# with the reason, so that clients can flag misattributed statements. Editors may ask for
# any status.

validate_country = RegexValidator(
    r"^[A-Za-z]{2}$", "Enter an ISO 3166-1 alpha-2 country code such as CN.", code="invalid"
)
validate_language = RegexValidator(
    LANGUAGE_SHAPE_PATTERN, "Enter a BCP 47 language tag such as en, zh or pt-BR.", "invalid"
)


def can_see_unpublished(user) -> bool:
    """The rule of ``QuoteQuerySet.visible_to``: editors see every status."""
    return bool(user and user.is_authenticated and may(user, "view"))


def label_filters(filterset_class: type[filters.FilterSet]) -> None:
    """Name the filters that are no model field (``q``, ``said_after``…) in the browsable
    API's filter form, where django-filter would label them "[invalid name]"."""
    for name, filter_ in filterset_class.base_filters.items():
        if filter_._label is not None:
            continue
        model = filterset_class._meta.model
        found = label_for_filter(model, filter_.field_name, filter_.lookup_expr, filter_.exclude)
        if "[invalid name]" in str(found):
            filter_.label = "Search" if name == "q" else name.replace("_", " ").capitalize()


class StrictFilterBackend(filters.DjangoFilterBackend):
    """Rejects invalid parameters with a 400 and leaves the FilterSet on the view, which
    needs it for what filtering found out (the compiled search query)."""

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is not None:
            label_filters(filterset_class)
        return filterset_class

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        view.filterset = filterset
        return filterset.qs


# What the filters accept, for the OpenAPI schema (and so for the fuzzer): an empty value is
# no filter. Key, country and language filters take the value as sent (no stripping), so
# that the schema's pattern and length say exactly what is accepted.
def optional_pattern(pattern: str, spaces: bool = False) -> str:
    space = r"\s*" if spaces else ""
    return rf"^{space}(" + pattern.removeprefix("^").removesuffix("$") + rf")?{space}$"


YEAR = r"(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
LEAP_YEAR = r"([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)"
MONTH_DAY = (
    r"((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    r"|02-(0[1-9]|1[0-9]|2[0-8]))"
)
REDUCED_DATE_PATTERN = optional_pattern(
    rf"{YEAR}(-(0[1-9]|1[0-2]))?|{YEAR}-{MONTH_DAY}|{LEAP_YEAR}-02-29", spaces=True
)
# At most MAX_QUERY_TERMS words (see api.params.validate_query_terms).
QUERY_PATTERN = r'^[\s"]*([^\s"\x00]+[\s"]+){0,63}[^\s"\x00]*$'


class ReducedDateField(forms.CharField):
    def to_python(self, value) -> ReducedDate | None:
        value = super().to_python(value)
        return ReducedDate.parse(value) if value else None


# No "example": Swagger UI's "Try it out" would fill it in, limiting every search tried there.
@extend_schema_field({"type": "string", "pattern": REDUCED_DATE_PATTERN})
class ReducedDateFilter(filters.Filter):
    field_class = ReducedDateField


@extend_schema_field({"type": "string", "pattern": optional_pattern(KEY_PATTERN), "maxLength": 200})
class KeyFilter(filters.CharFilter):
    """A record's key; an unknown key simply matches nothing."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("validators", [validate_key])
        kwargs.setdefault("strip", False)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "pattern": optional_pattern("[A-Za-z]{2}")})
class CountryFilter(filters.CharFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("validators", [validate_country])
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 code, such as CN or RU.")
        kwargs.setdefault("strip", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        return super().filter(qs, value.upper() if value else value)


@extend_schema_field(
    {
        "type": "string",
        # LANGUAGE_SHAPE_PATTERN, with as many subtags as 35 characters can hold
        "pattern": optional_pattern(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8}){0,3}"),
        "maxLength": 35,
    }
)
class LanguageFilter(filters.CharFilter):
    """A BCP 47 tag; ``zh`` also matches ``zh-Hant``, ``pt`` matches ``pt-BR``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 35)
        kwargs.setdefault("validators", [validate_language])
        kwargs.setdefault("help_text", "BCP 47 tag; a language also matches its variants.")
        kwargs.setdefault("strip", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        name = self.field_name
        return qs.filter(
            Q(**{f"{name}__iexact": value}) | Q(**{f"{name}__istartswith": value + "-"})
        )


@extend_schema_field({"type": "string", "maxLength": MAX_QUERY_LENGTH, "pattern": QUERY_PATTERN})
class SearchQueryFilter(filters.CharFilter):
    """A full-text search of at most MAX_QUERY_LENGTH characters and 64 terms."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_QUERY_LENGTH)
        kwargs.setdefault("validators", [validate_query_terms])
        kwargs.setdefault("strip", False)
        super().__init__(*args, **kwargs)


class QuoteFilterSet(filters.FilterSet):
    """The quote list's parameters. The search backend applies them (``filter_queryset``
    returns its ``SearchResults``); the FilterSet validates them, names each in the API's
    schema and turns them into a neutral ``SearchRequest``."""

    ORDERINGS = ORDERINGS

    q = SearchQueryFilter(
        field_name="text",
        label="Search",
        help_text='Full-text search: words, "quoted phrases", -excluded, OR (at most 64 terms).',
    )
    speaker = KeyFilter(field_name="speaker__key", help_text="Speaker key.")
    organization = KeyFilter(
        field_name="role__organization__key",
        help_text="Key of the organization of the role held when speaking.",
    )
    country = CountryFilter(field_name="role__organization__country")
    topic = KeyFilter(field_name="topics__key", help_text="Topic key.")
    language = LanguageFilter(field_name="language")
    kind = filters.ChoiceFilter(choices=Quote.Kind.choices)
    said_after = ReducedDateFilter(
        field_name="said",
        label="Said after",
        help_text="Said on or after (YYYY, YYYY-MM or YYYY-MM-DD).",
    )
    said_before = ReducedDateFilter(
        field_name="said",
        label="Said before",
        help_text="Said on or before (YYYY, YYYY-MM or YYYY-MM-DD).",
    )
    source = KeyFilter(field_name="citations__source__key", help_text="Source key.")
    occasion = KeyFilter(field_name="occasion__key", help_text="Occasion key.")
    occasion_kind = filters.ChoiceFilter(
        choices=Occasion.Kind.choices,
        field_name="occasion__kind",
        help_text="The kind of the occasion at which it was said.",
    )
    status = filters.ChoiceFilter(
        choices=Quote.Status.choices,
        help_text="published or retracted for everyone; draft and review for editors only. "
        "Without it, retracted quotes are left out.",
    )
    ordering = filters.ChoiceFilter(
        choices=[(name, name) for name in ORDERINGS],
        field_name="said",
        help_text="relevance (the default with q; without q, the default order), -said (the "
        "default without q), said, "
        "created, -created, updated, -updated.",
    )

    class Meta:
        model = Quote
        fields: list[str] = []

    def is_valid(self) -> bool:
        """Whether the parameters are well-formed; a status the client may not see is an
        HTTP 403 (PermissionDenied), since the same request is valid for an editor."""
        valid = super().is_valid()
        status = self.form.cleaned_data.get("status") if valid else None
        if status and status not in PUBLIC_STATUSES and not self.sees_unpublished():
            raise PermissionDenied(
                f"Only editors may filter on status {status}; use published or retracted."
            )
        return valid

    def sees_unpublished(self) -> bool:
        return can_see_unpublished(getattr(self.request, "user", None))

    def filter_queryset(self, queryset: QuerySet) -> SearchResults:
        """The quotes of ``queryset`` that the search and filters find, from the backend."""
        return get_search_backend().search(self.search_request(), queryset)

    def search_request(self) -> SearchRequest:
        """The validated parameters as a neutral request (also for alerts' saved searches,
        alerts/targets.py)."""
        data = self.form.cleaned_data
        after, before = data.get("said_after"), data.get("said_before")
        found = Filters(
            statuses=self.statuses(),
            speaker=data.get("speaker") or None,
            organization=data.get("organization") or None,
            country=data.get("country") or None,
            topic=data.get("topic") or None,
            language=data.get("language") or None,
            kind=data.get("kind") or None,
            source=data.get("source") or None,
            occasion=data.get("occasion") or None,
            occasion_kind=data.get("occasion_kind") or None,
            said_from=after.start if after else None,
            said_until=before.end if before else None,
        )
        text = (data.get("q") or "").strip()
        return SearchRequest(filters=found, text=text, ordering=self.ordering_name(text))

    def statuses(self) -> list[str]:
        """``status``, or without it everything but retracted quotes for editors and
        published quotes for everyone else."""
        if self.form.cleaned_data.get("status"):
            return [self.form.cleaned_data["status"]]
        if can_see_unpublished(getattr(self.request, "user", None)):
            return [s for s in Quote.Status.values if s != Quote.Status.RETRACTED]
        return [Quote.Status.PUBLISHED]

    def ordering_name(self, text: str) -> str:
        """The ordering asked for; relevance without a search (q) is the default order."""
        requested = self.form.cleaned_data.get("ordering")
        searching = bool(text)
        if requested and (requested != "relevance" or searching):
            return requested
        return "relevance" if searching else "-said"


class SpeakerFilterSet(filters.FilterSet):
    q = filters.CharFilter(
        method="filter_q",
        max_length=200,
        help_text="Fuzzy name search over every name, alias and script; best match first.",
    )
    organization = KeyFilter(method="filter_organization", help_text="Organization key.")
    country = CountryFilter(field_name="country")

    class Meta:
        model = Speaker
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return speakers_matching(queryset, value)

    def filter_organization(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Exists(Affiliation.objects.filter(speaker=OuterRef("pk"), organization__key=value))
        )


class OrganizationFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", max_length=200, help_text="Name or alias.")
    kind = filters.ChoiceFilter(choices=Organization.Kind.choices)
    country = CountryFilter(field_name="country")
    parent = KeyFilter(field_name="parent__key", help_text="Parent organization key.")

    class Meta:
        model = Organization
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(name__unaccent__icontains=value) | Q(aliases__icontains=value) | Q(key=value)
        )


class SourceFilterSet(filters.FilterSet):
    q = filters.CharFilter(
        method="filter_q", max_length=200, help_text="Title, publisher or author."
    )
    kind = filters.ChoiceFilter(choices=Source.Kind.choices)
    language = LanguageFilter(field_name="language")
    publisher = filters.CharFilter(lookup_expr="iexact", max_length=300)

    class Meta:
        model = Source
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(title__unaccent__icontains=value)
            | Q(publisher__unaccent__icontains=value)
            | Q(author__unaccent__icontains=value)
        )


class OccasionFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", max_length=200, help_text="Name or place.")
    kind = filters.ChoiceFilter(choices=Occasion.Kind.choices)
    participant = KeyFilter(method="filter_participant", help_text="Speaker key.")
    country = CountryFilter(field_name="country")
    start_after = ReducedDateFilter(
        method="filter_start",
        label="Start after",
        help_text="Started on or after (YYYY, YYYY-MM or YYYY-MM-DD).",
    )
    start_before = ReducedDateFilter(
        method="filter_start",
        label="Start before",
        help_text="Started on or before (YYYY, YYYY-MM or YYYY-MM-DD).",
    )

    class Meta:
        model = Occasion
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(name__unaccent__icontains=value) | Q(place__unaccent__icontains=value) | Q(key=value)
        )

    def filter_participant(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        taking_part = OccasionParticipant.objects.filter(
            occasion=OuterRef("pk"), speaker__key=value
        )
        return queryset.filter(Exists(taking_part))

    def filter_start(self, queryset: QuerySet, name: str, value: ReducedDate | None) -> QuerySet:
        if value is None:
            return queryset
        if name == "start_after":
            return queryset.started_between(after=value)
        return queryset.started_between(before=value)


class TopicFilterSet(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="unaccent__icontains", max_length=200)

    class Meta:
        model = Topic
        fields: list[str] = []
