"""What an alert watches, parsed from a sign-up: a search of /api/v1/quotes/, or one public
speaker, topic, organization or statement. Errors name the parameter at fault."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from alerts.models import TARGETS
from quotes.models import PUBLIC_STATUSES, Organization, Quote, Speaker, Topic
from quotes.selectors import record_by_key
from quotes.validators import validate_key
from search.backends.base import SearchRequest

MODELS: dict[str, type[Model]] = {
    "speaker": Speaker,
    "topic": Topic,
    "organization": Organization,
    "quote": Quote,
}
# Parameters of the list that do not narrow it.
NOT_CRITERIA = ("ordering", "page", "page_size", "format")


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
        return {"search": parse_search(value)}
    return {name: public_record(name, value)}


def parse_search(value: Any) -> dict[str, str]:
    """Parameters of /api/v1/quotes/, validated by its FilterSet."""
    from api.filters import QuoteFilterSet

    if not isinstance(value, dict):
        raise ValidationError({"search": ["Give an object of /api/v1/quotes/ parameters."]})
    allowed = set(QuoteFilterSet.base_filters) - set(NOT_CRITERIA)
    for name, item in value.items():
        if name not in allowed:
            raise ValidationError({f"search.{name}": ["Not a search parameter."]})
        if not isinstance(item, str):
            raise ValidationError({f"search.{name}": ["Give a string."]})
    kept = {name: item for name, item in value.items() if item != ""}
    filterset = QuoteFilterSet(data=kept, queryset=Quote.objects.none())
    if not filterset.form.is_valid():
        raise ValidationError(
            {f"search.{name}": list(errors) for name, errors in filterset.form.errors.items()}
        )
    status = filterset.form.cleaned_data.get("status")
    if status and status not in PUBLIC_STATUSES:
        raise ValidationError({"search.status": ["Only published or retracted statements."]})
    return kept


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


def criteria(search: dict[str, str]) -> SearchRequest:
    """The search request of a saved search, over every public statement (a retraction of a
    statement the search finds is news too, unless the search asks for one status)."""
    from api.filters import QuoteFilterSet

    filterset = QuoteFilterSet(data=search, queryset=Quote.objects.none())
    filterset.form.is_valid()
    request = filterset.search_request()
    if not search.get("status"):
        filters = dataclasses.replace(request.filters, statuses=list(PUBLIC_STATUSES))
        request = dataclasses.replace(request, filters=filters)
    return request
