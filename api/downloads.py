"""Downloads of a quote search: ``/api/v1/quotes/?format=csv`` and ``?format=ndjson``.

The same filters, search and order as the JSON list (the search index's ``SearchResults``),
every match instead of a page, streamed: the index gives the matching ids in order, and the
quotes are read from PostgreSQL and written a chunk at a time, in one consistent snapshot, so
memory does not grow with the database or the size of the records, only with the ids (a few
megabytes at the cap). A download holds at most ``ONRECORD_DOWNLOAD_MAX_ROWS`` quotes
(100,000); when the search matches more, the response says so in its
``X-OnRecord-Truncated: true`` header and in a last line (see docs/api.md).
"""

from __future__ import annotations

import copy
import datetime
from array import array
from collections.abc import Callable, Iterator

from django import forms
from django.conf import settings
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from quotes.interchange import csv_export
from quotes.interchange.exporter import chunked, consistent_snapshot, dumps
from search.backends.base import SearchResults

# The JSON representations of the quotes of a chunk of ids, in order, given their ranks.
Represent = Callable[[list[int], "array | None"], list[dict]]
TRUNCATED_HEADER = "X-OnRecord-Truncated"
LIMIT_HEADER = "X-OnRecord-Row-Limit"
CSV_CHUNK_SIZE = csv_export.CHUNK_SIZE
NDJSON_CHUNK_SIZE = 500  # serialized from model instances, with their relations prefetched


class DownloadRenderer(BaseRenderer):
    """Chosen by ``?format=`` (or the Accept header) on the quote list, which then answers
    with a stream instead of rendered data."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Unreachable: the list streams downloads itself, and finalize_response answers
        # errors in JSON. Failing loudly beats sending JSON labelled as CSV.
        raise RuntimeError("Downloads are streamed by api.downloads, never rendered.")


class CSVRenderer(DownloadRenderer):
    media_type = "text/csv"
    format = "csv"


class NDJSONRenderer(DownloadRenderer):
    media_type = "application/x-ndjson"
    format = "ndjson"


class DownloadParams(forms.Form):
    """The parameters of CSV downloads (validated on every list request, so that a bad value
    is a 400 whatever the format; JSON and NDJSON ignore them)."""

    formula_guard = forms.TypedChoiceField(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        empty_value=True,
        required=False,
    )
    table = forms.ChoiceField(choices=[(name, name) for name in csv_export.TABLES], required=False)


DOWNLOAD_PARAMETERS = [
    OpenApiParameter(
        "formula_guard",
        str,
        enum=["true", "false", ""],
        description="CSV: true (the default, also when empty): a cell starting with =, +, -, "
        "@, a tab or a carriage return gets a leading apostrophe, so that no spreadsheet runs "
        "it as a formula. false: every value exactly as stored, for programs.",
    ),
    OpenApiParameter(
        "table",
        str,
        enum=[*csv_export.TABLES, ""],
        description="CSV: quotes (the default, also when empty): one row per quote. "
        "translations, citations, topics or corrections: one row per translation, citation, "
        "topic or correction of the same quotes, in the same order, each naming its quote in "
        "quote_key, so that a program reads multi-valued data without splitting cells.",
    ),
]
FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv", "ndjson", ""],
    description="json (the default, also when empty): a page of results. csv or ndjson: "
    "every match, in the same order, as a streamed download (also chosen by Accept: text/csv or "
    "application/x-ndjson). CSV: one row per quote (or per translation, citation, topic or "
    "correction: see table), UTF-8 with a byte order mark, for spreadsheets. NDJSON: one "
    "quote per line, as in the JSON results, rank and highlight included. At most 100,000 "
    f"quotes: when more match, the {TRUNCATED_HEADER} header is true and a last line says "
    "so (a row starting with # in CSV, an object with truncated: true in NDJSON).",
)
DOWNLOAD_HEADERS = [
    OpenApiParameter(
        TRUNCATED_HEADER,
        location=OpenApiParameter.HEADER,
        response=True,
        description="Downloads: true when more quotes match than a download holds.",
    ),
    OpenApiParameter(
        LIMIT_HEADER,
        location=OpenApiParameter.HEADER,
        response=True,
        description="Downloads: how many quotes a download holds at most.",
    ),
]


def list_responses(serializer_class: type) -> dict:
    """The quote list's answers: a page of JSON, or a download."""
    return {
        (200, "application/json"): serializer_class(many=True),
        (200, CSVRenderer.media_type): OpenApiResponse(
            OpenApiTypes.STR, description="Every match as CSV (format=csv)."
        ),
        (200, NDJSONRenderer.media_type): OpenApiResponse(
            OpenApiTypes.STR, description="Every match as NDJSON (format=ndjson)."
        ),
    }


def is_download(request: Request) -> bool:
    return isinstance(getattr(request, "accepted_renderer", None), DownloadRenderer)


def link_context(request: Request) -> dict:
    """Serializer context whose links are those of the JSON list: without the download's
    ``format``, which DRF would otherwise carry into every URL."""
    plain = copy.copy(request._request)
    plain.GET = plain.GET.copy()
    plain.GET.pop("format", None)
    return {"request": Request(plain), "format": None}


def truncation_notice(limit: int) -> str:
    return (
        f"Truncated: the search matches more than {limit:,} quotes and a download holds the "
        f"first {limit:,}. Narrow the search (dates, speaker, filters) to download the rest."
    )


def csv_body(
    chunks: Iterator[list[int]], request: Request, results: SearchResults, params: dict
) -> Iterator[str]:
    site_url = request.build_absolute_uri("/").rstrip("/")
    visible = results.queryset  # what the client may see, as for the JSON list
    table = params["table"] or "quotes"
    rows = (
        row
        for ids in chunks
        for row in csv_export.rows_for_ids(
            ids, site_url, visible, table=table, formula_guard=params["formula_guard"]
        )
    )
    yield from csv_export.csv_lines(rows, csv_export.TABLES[table].header)


def ndjson_body(
    chunks: Iterator[list[int]], ranks: array | None, represent: Represent
) -> Iterator[str]:
    """Each quote as the JSON list has it, with its rank and highlight in a search."""
    done = 0
    for ids in chunks:
        chunk_ranks = None if ranks is None else ranks[done : done + len(ids)]
        done += len(ids)
        for record in represent(ids, chunk_ranks):
            yield dumps(record)


def stream(
    results: SearchResults, *, limit: int, chunk_size: int, body: Callable, trailer: Callable
) -> Iterator:
    """First whether more than ``limit`` quotes match (for the headers), then the text.
    ``body`` takes the chunks of ids and the ranks of all (None unless ordered by relevance)."""
    ids, ranks = results.ids(limit + 1)
    truncated = len(ids) > limit
    del ids[limit:]
    with consistent_snapshot():
        yield truncated
        yield from body(chunked(ids, chunk_size), ranks)
        if truncated:
            yield trailer(truncation_notice(limit))


def quotes_download(
    request: Request,
    results: SearchResults,
    represent: Represent,
    params: dict,
) -> StreamingHttpResponse:
    """The quotes ``results`` finds as the CSV or NDJSON the request asked for.

    ``represent`` gives the JSON representation of the quotes of a chunk of ids, in order,
    with their ranks (None: not ordered by relevance);
    ``params`` are the ``DownloadParams``."""
    limit = settings.ONRECORD_DOWNLOAD_MAX_ROWS
    if request.accepted_renderer.format == "csv":
        text = stream(
            results,
            limit=limit,
            chunk_size=CSV_CHUNK_SIZE,
            body=lambda chunks, ranks: csv_body(chunks, request, results, params),
            trailer=lambda notice: csv_export.csv_line([f"# {notice}"]),
        )
    else:
        text = stream(
            results,
            limit=limit,
            chunk_size=NDJSON_CHUNK_SIZE,
            body=lambda chunks, ranks: ndjson_body(chunks, ranks, represent),
            trailer=lambda notice: dumps({"truncated": True, "limit": limit, "detail": notice}),
        )
    truncated = next(text)  # searches and opens the snapshot; the response streams the rest
    renderer = request.accepted_renderer
    response = StreamingHttpResponse(text, content_type=f"{renderer.media_type}; charset=utf-8")
    today = datetime.date.today().isoformat()
    table = params["table"] if renderer.format == "csv" and params["table"] else "quotes"
    named = "quotes" if table == "quotes" else f"quotes-{table}"
    filename = f"onrecord-{named}-{today}.{renderer.format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response[TRUNCATED_HEADER] = "true" if truncated else "false"
    response[LIMIT_HEADER] = str(limit)
    return response
