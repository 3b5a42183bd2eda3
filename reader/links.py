"""Addresses of narrowed lists: a facet, a sort order, a page, a feed or a download of the
same matches."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from reader.listing import FILTER_PARAMS, Listing

FACET_TITLES = {
    "speaker": "Speaker",
    "country": "Country",
    "year": "Year",
    "topic": "Topic",
    "language": "Language",
    "kind": "Kind",
    "occasion_kind": "Occasion",
}
SORTS = {"relevance": "Relevance", "-said": "Newest first", "said": "Oldest first"}
DOWNLOAD_FORMATS = {"csv": "CSV", "ndjson": "NDJSON"}
API_QUOTES = "/api/v1/quotes/"


def own_params(query: Mapping[str, str]) -> dict[str, str]:
    """The filters a request sets, without paging."""
    return {name: query[name] for name in FILTER_PARAMS if query.get(name)}


def query_string(params: Mapping[str, str], **changes: str | None) -> str:
    """``?`` and the parameters with ``changes`` (None removes one); "" when none are left."""
    merged = {**params, **changes}
    kept = {name: value for name, value in merged.items() if value not in (None, "")}
    return "?" + urlencode(kept) if kept else ""


def year_params(year: str) -> dict[str, str]:
    return {"said_after": year, "said_before": year}


def facet_groups(listing: Listing, params: dict[str, str], hide: tuple[str, ...] = ()) -> list:
    """Each facet with its values as links that narrow the list, or widen it again when
    the value is the one chosen."""
    groups = []
    for name, title in FACET_TITLES.items():
        if name in hide or not listing.facets.get(name):
            continue
        values = []
        for item in listing.facets[name]:
            change = year_params(item["value"]) if name == "year" else {name: item["value"]}
            selected = all(params.get(key) == value for key, value in change.items())
            if selected:
                change = dict.fromkeys(change)
            values.append({**item, "selected": selected, "url": query_string(params, **change)})
        groups.append({"name": name, "title": title, "values": values})
    return groups


def active_filters(params: dict[str, str], listing: Listing) -> list[dict]:
    """The filters set, each with a link that removes it (labels from the facets)."""
    labels = {
        (name, item["value"]): item["label"]
        for name, items in listing.facets.items()
        for item in items
    }
    shown = []
    for name in FILTER_PARAMS:
        if name in ("q", "ordering") or not params.get(name):
            continue
        label = labels.get((name, params[name]), params[name])
        title = FACET_TITLES.get(name, name.replace("_", " ").capitalize())
        shown.append({"title": title, "label": label, "url": query_string(params, **{name: None})})
    return shown


def sort_links(params: dict[str, str]) -> list[dict]:
    current = params.get("ordering") or ("relevance" if params.get("q") else "-said")
    return [
        {
            "label": label,
            "current": name == current,
            "url": query_string(params, ordering=name),
        }
        for name, label in SORTS.items()
        if name != "relevance" or params.get("q")
    ]


def download_links(params: dict[str, str], fixed: Mapping[str, str] | None = None) -> list:
    """The API's downloads of every match (``/api/v1/quotes/?format=csv`` and ndjson)."""
    wanted = {**params, **(fixed or {})}
    return [
        {"label": label, "url": API_QUOTES + query_string({"format": name, **wanted})}
        for name, label in DOWNLOAD_FORMATS.items()
    ]
