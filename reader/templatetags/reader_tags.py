from django import template

from quotes.dates import to_reduced_date
from reader.cite import english_translation as quote_english_translation
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
def english_translation(quote) -> str:
    return quote_english_translation(quote)


@register.filter
def precision(value) -> str:
    date = to_reduced_date(value)
    return f"to the {date.precision}" if date else ""
