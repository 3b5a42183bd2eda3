"""Reading an interchange file line by line, twice, in bounded memory.

The checks on the bytes themselves (size, byte order mark, line endings, encoding, JSON)
live here; what the records mean is checked in ``validation``.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from quotes import limits
from quotes.interchange.errors import LineError

MAX_LINE_BYTES = limits.MAX_LINE_BYTES
BOM = b"\xef\xbb\xbf"
COPY_BUFFER = 1024 * 1024


@dataclass
class Line:
    number: int
    record: dict | None
    size: int
    errors: list[LineError]
    crlf: bool = False


class RecordFile:
    """A binary NDJSON input that can be read from the start as often as needed.

    Accepts a binary or text file object or any iterable of lines (``str`` or ``bytes``).
    Input that cannot seek (standard input, a pipe, a generator) is first copied to a
    temporary file, so that only one line at a time is ever held in memory.
    """

    def __init__(self, lines_or_stream: IO[bytes] | IO[str] | Iterable[str | bytes]) -> None:
        self._owned: IO[bytes] | None = None
        self.stream = self._seekable_binary(lines_or_stream)
        self.start = self.stream.tell()
        self.stream.seek(0, io.SEEK_END)
        self.size = self.stream.tell() - self.start

    def _seekable_binary(self, source: Any) -> IO[bytes]:
        buffer = getattr(source, "buffer", None)
        if isinstance(source, io.TextIOBase) and buffer is not None:
            source = buffer
        if isinstance(source, io.BufferedIOBase | io.RawIOBase) or hasattr(source, "readinto"):
            if source.seekable():
                return source
            self._owned = self._spool()
            shutil.copyfileobj(source, self._owned, COPY_BUFFER)
        else:
            self._owned = self._spool()
            for item in source:
                data = item.encode("utf-8") if isinstance(item, str) else bytes(item)
                self._owned.write(data if data.endswith(b"\n") else data + b"\n")
        self._owned.seek(0)
        return self._owned

    @staticmethod
    def _spool() -> IO[bytes]:
        # Closed (and so deleted) by close().
        return tempfile.TemporaryFile()

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()

    def raw_lines(self) -> Iterator[tuple[int, bytes | None, int]]:
        """(line number, bytes without the newline or None when too long, bytes read)."""
        self.stream.seek(self.start)
        number = 0
        while True:
            chunk = self.stream.readline(MAX_LINE_BYTES + 2)
            if not chunk:
                return
            number += 1
            if chunk.endswith(b"\n"):
                content = chunk[:-1]
                yield number, (None if len(content) > MAX_LINE_BYTES else content), len(chunk)
            elif len(chunk) <= MAX_LINE_BYTES:
                yield number, chunk, len(chunk)
            else:
                yield number, None, len(chunk) + self._skip_rest_of_line()

    def _skip_rest_of_line(self) -> int:
        skipped = 0
        while True:
            chunk = self.stream.readline(COPY_BUFFER)
            skipped += len(chunk)
            if not chunk or chunk.endswith(b"\n"):
                return skipped

    def lines(self) -> Iterator[Line]:
        """Every line, parsed, with the problems found in its bytes and JSON."""
        empty = True
        for number, content, size in self.raw_lines():
            empty = False
            if content is None:
                message = f"line longer than {MAX_LINE_BYTES} bytes; split the record"
                yield Line(number, None, size, [LineError(number, "", message)])
                continue
            yield parse_line(number, content, size)
        if empty:
            message = "the file is empty: expected one JSON record per line"
            yield Line(1, None, 0, [LineError(1, "", message)])


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in JSON")


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    record = dict(pairs)
    if len(record) == len(pairs):
        return record
    names = [name for name, _ in pairs]
    twice = next(name for index, name in enumerate(names) if name in names[:index])
    raise ValueError(f'the field "{twice}" appears twice in one object')


def parse_line(number: int, content: bytes, size: int) -> Line:
    errors: list[LineError] = []
    if number == 1 and content.startswith(BOM):
        errors.append(
            LineError(
                1,
                "",
                "the file starts with a UTF-8 byte order mark (BOM); save it as UTF-8 without BOM",
            )
        )
        content = content[len(BOM) :]
    crlf = content.endswith(b"\r")
    if crlf:
        content = content[:-1]
    record, problem = decode_record(content)
    if problem:
        errors.append(LineError(number, "", problem))
    return Line(number, record, size, errors, crlf)


def decode_record(content: bytes) -> tuple[dict | None, str]:
    """The JSON object on one line, or the reason there is none."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, (
            f"not valid UTF-8 (byte 0x{content[error.start]:02x} at position {error.start + 1}); "
            "the file must be encoded in UTF-8"
        )
    if not text.strip():
        return None, "empty line: every line must hold one JSON object"
    try:
        record = json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as error:
        return None, f"invalid JSON: {error.msg} (column {error.colno})"
    except ValueError as error:
        return None, f"invalid JSON: {error}"
    if not isinstance(record, dict):
        kind = "an array" if isinstance(record, list) else "a single value"
        return None, f"expected a JSON object, got {kind}"
    return record, ""
