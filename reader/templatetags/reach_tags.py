"""Template tags of the reader's ways in: the editors' address, the search's histogram."""

from django import template
from django.conf import settings

from reader.histogram import match_histogram as histogram
from reader.suggest import speaker_suggestions as suggest

register = template.Library()


@register.simple_tag
def contact_email() -> str:
    """Where readers write to the editors (``ONRECORD_CONTACT_EMAIL``)."""
    return settings.ONRECORD_CONTACT_EMAIL


@register.inclusion_tag("reader/includes/suggestions.html")
def speaker_suggestions(listing, params: dict) -> dict:
    """Speakers named like a search that found no statement."""
    query = params.get("q", "")
    found = [] if listing.errors or listing.count or not query else suggest(query)
    return {"speakers": found}


@register.inclusion_tag("reader/includes/histogram.html")
def match_histogram(listing, params: dict) -> dict:
    """The matches per year, each year a link to them."""
    if listing.errors:
        return {"histogram": None}
    return {"histogram": histogram(listing.years, params)}
