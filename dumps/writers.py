"""The three files of a dump, each written as a stream through gzip: records are read a
chunk at a time by the exporters every other output uses (the interchange exporter, the CSV
of statements, the Popolo JSON), so memory stays bounded however large the record is.

Each writer returns the counts of the records it wrote, for the manifest."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.db.models.functions import Collate

from quotes.interchange import RECORD_TYPES, csv_export
from quotes.interchange.exporter import CHUNK_SIZE, EXPORTERS, dumps
from quotes.interchange.popolo import popolo_json
from quotes.models import Quote

# Level 6 (zlib's default) compresses these texts almost as well as 9, in half the time.
COMPRESS_LEVEL = 6


@contextmanager
def gzip_text(path: Path) -> Iterator[IO[str]]:
    """A text stream written gzip-compressed to ``path``. The gzip header carries no file
    name nor time, so that the same records give the same bytes."""
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, compresslevel=COMPRESS_LEVEL, mtime=0
        ) as compressed,
        io.TextIOWrapper(compressed, encoding="utf-8", newline="") as text,
    ):
        yield text


def write_ndjson(path: Path) -> dict[str, int]:
    """The public record in the interchange format (docs/interchange.md): the public
    organizations, speakers, sources and topics, then the published and retracted quotes."""
    counts = dict.fromkeys(RECORD_TYPES, 0)
    with gzip_text(path) as out:
        for kind in RECORD_TYPES:
            for record in EXPORTERS[kind](CHUNK_SIZE, public_only=True):
                out.write(dumps(record))
                counts[kind] += 1
    return counts


def write_csv(path: Path, *, site_url: str) -> dict[str, int]:
    """The public statements with the columns of the CSV download, one row each, by key."""
    public = Quote.objects.public().order_by(Collate("key", "C"))
    rows = csv_export.quote_rows(public, site_url=site_url)
    count = -1  # the header is not a statement
    with gzip_text(path) as out:
        for line in csv_export.csv_lines(rows):
            out.write(line)
            count += 1
    return {"quote": count}


def write_popolo(path: Path, *, site_url: str) -> None:
    """The Popolo JSON of the public record, with the statements as speeches."""
    with gzip_text(path) as out:
        for piece in popolo_json(site_url):
            out.write(piece)
