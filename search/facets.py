"""Counts of the quotes a search finds by speaker, country, year, topic, language, kind and
the kind of their occasion: their labels, for every backend (the counts are each
backend's, ``bucket_counts``)."""

from __future__ import annotations

from django.utils.translation import get_language_info
from django_countries import countries

from quotes.models import Occasion, Quote, Speaker, Topic
from search.backends.base import FACETS

KIND_LABELS = dict(Quote.Kind.choices)
OCCASION_KIND_LABELS = dict(Occasion.Kind.choices)
# Languages Django knows only by their variants.
LANGUAGE_NAMES = {"zh": "Chinese"}


def labelled(buckets: dict[str, list[tuple]], limit: int, year_limit: int) -> dict:
    """Each facet's buckets as the API gives them: value, label and count, speakers and
    topics named, at most ``limit`` (years: ``year_limit``)."""
    labels = {
        "speaker": dict(
            Speaker.objects.filter(key__in=[k for k, _ in buckets["speaker"]]).values_list(
                "key", "name"
            )
        ),
        "topic": dict(
            Topic.objects.filter(key__in=[k for k, _ in buckets["topic"]]).values_list(
                "key", "name"
            )
        ),
    }
    facets = {}
    for name in FACETS:
        entries = [
            {"value": str(value), "label": label(name, str(value), labels), "count": count}
            for value, count in buckets[name]
        ]
        if name != "year":  # by count, then speakers and topics by name, others by value
            by_label = name in labels
            entries.sort(key=lambda e: (-e["count"], e["label"] if by_label else "", e["value"]))
        facets[name] = entries[: year_limit if name == "year" else limit]
    return facets


def label(facet: str, value: str, labels: dict) -> str:
    if facet in labels:
        return labels[facet].get(value, value)
    if facet == "country":
        return countries.name(value) or value
    if facet == "kind":
        return str(KIND_LABELS.get(value, value))
    if facet == "occasion_kind":
        return str(OCCASION_KIND_LABELS.get(value, value))
    if facet == "language":
        return language_name(value)
    return value


def language_name(tag: str) -> str:
    if tag.lower() in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[tag.lower()]
    for candidate in (tag.lower(), tag.split("-")[0].lower()):
        try:
            return get_language_info(candidate)["name"]
        except KeyError:
            continue
    return tag
