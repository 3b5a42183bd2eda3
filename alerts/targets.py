"""What an alert watches, parsed from a sign-up: a search of /api/v1/quotes/, or one public
speaker, topic, organization or statement. Errors name the parameter at fault."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from alerts.models import TARGETS
from quotes.models import PUBLIC_STATUSES, Organization, Quote, Speaker, Topic
from quotes.selectors import record_by_key
from quotes.validators import validate_key
from search.backends.base import Filters, SearchRequest

MODELS: dict[str, type[Model]] = {
    "speaker": Speaker,
    "topic": Topic,
    "organization": Organization,
    "quote": Quote,
}
# Parameters of the list that do not narrow it.
NOT_CRITERIA = ("ordering", "page", "page_size", "format")
# The filters of stored criteria that are dates.
DATES = ("said_from", "said_until")


def parse_target(data: dict[str, Any]) -> dict[str, Any]:
    """The one target of ``data`` (exactly one of TARGETS), as Alert fields."""
    given = [name for name in TARGETS if data.get(name) not in (None, "")]
    if len(given) != 1:
        names = ", ".join(TARGETS)
        message = f"Give exactly one of {names}" + (
            f" (given: {', '.join(given)})." if given else "."
        )
        raise ValidationError({given[1] if len(given) > 1 else "search": [message]})
    name = given[0]
    value = data[name]
    if name == "search":
        return parse_search(value)
    return {name: public_record(name, value)}


def parse_search(value: Any) -> dict[str, Any]:
    """Parameters of /api/v1/quotes/, validated by its FilterSet, as Alert fields: the
    parameters given (``search``) and the criteria parsed from them (``criteria``)."""
    if not isinstance(value, dict):
        raise ValidationError({"search": ["Give an object of /api/v1/quotes/ parameters."]})
    allowed = set(quote_filterset().base_filters) - set(NOT_CRITERIA)
    for name, item in value.items():
        if name not in allowed:
            raise ValidationError({f"search.{name}": ["Not a search parameter."]})
        if not isinstance(item, str):
            raise ValidationError({f"search.{name}": ["Give a string."]})
    kept = {name: item for name, item in value.items() if item != ""}
    filterset = quote_filterset()(data=kept, queryset=Quote.objects.none())
    if not filterset.form.is_valid():
        raise ValidationError(
            {f"search.{name}": list(errors) for name, errors in filterset.form.errors.items()}
        )
    status = filterset.form.cleaned_data.get("status")
    if status and status not in PUBLIC_STATUSES:
        raise ValidationError({"search.status": ["Only published or retracted statements."]})
    return {"search": kept, "criteria": stored(filterset)}


def public_record(name: str, key: Any) -> Model:
    key = str(key)[:200]
    try:
        validate_key(key)  # a NUL byte, say, is no key (and PostgreSQL refuses to compare it)
    except ValidationError as error:
        raise ValidationError({name: error.messages}) from error
    record, _moved = record_by_key(MODELS[name], key)
    if record is None or not MODELS[name].objects.public().filter(pk=record.pk).exists():
        raise ValidationError({name: [f"No public {name} has the key {key!r}."]})
    return record


def quote_filterset() -> type:
    from api.filters import QuoteFilterSet

    return QuoteFilterSet


def criteria(search: dict[str, str]) -> dict[str, Any]:
    """The criteria of saved parameters, parsed as ``parse_search`` parses them (for alerts
    saved before criteria were kept); a parameter that no longer validates is left out."""
    filterset = quote_filterset()(data=search, queryset=Quote.objects.none())
    filterset.form.is_valid()
    return stored(filterset)


def stored(filterset) -> dict[str, Any]:
    """The search request of a validated FilterSet, over every public statement (a
    retraction of a statement the search finds is news too, unless the search asks for one
    status), as JSON: the words and the filters that are set, dates in ISO 8601. Identical
    criteria are equal JSON, however the parameters were spelt."""
    request = filterset.search_request()
    filters = {
        name: value.isoformat() if isinstance(value, datetime.date) else value
        for name, value in dataclasses.asdict(request.filters).items()
        if value
    }
    if not filterset.form.cleaned_data.get("status"):
        filters["statuses"] = list(PUBLIC_STATUSES)
    return {"text": request.text, "filters": filters}


def search_request(criteria: dict[str, Any]) -> SearchRequest:
    """The search request of stored criteria (``stored``)."""
    filters = dict(criteria["filters"])
    for name in DATES:
        if name in filters:
            filters[name] = datetime.date.fromisoformat(filters[name])
    return SearchRequest(filters=Filters(**filters), text=criteria["text"])
