from django import template

from quotes.dates import to_reduced_date
from quotes.models import Quote
from reader.dates import long_date as format_long_date
from search.facets import language_name as facet_language_name

register = template.Library()


@register.filter
def long_date(value) -> str:
    """A reduced-precision date as readers write it: "14 October 2023", "October 2023"."""
    return format_long_date(value)


@register.filter
def base_language(tag: str) -> str:
    return (tag or "").split("-")[0].lower()


@register.filter
def language_name(tag: str) -> str:
    """English name of a BCP 47 tag, as the facets name it."""
    return facet_language_name(tag) if tag else ""


@register.filter
def kind_label(kind: str) -> str:
    """The name of a statement's kind ("partial" → "Partial quote")."""
    return str(Quote.Kind(kind).label)


@register.filter
def status_label(status: str) -> str:
    return str(Quote.Status(status).label)


@register.filter
def precision(value) -> str:
    date = to_reduced_date(value)
    return f"to the {date.precision}" if date else ""
