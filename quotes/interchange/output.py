"""Where the export commands write: a file, or standard output, always as UTF-8."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.core.management.base import CommandError


@contextlib.contextmanager
def open_output(path: str, captured: IO[str] | None, newline: str) -> Iterator[IO[str]]:
    """A UTF-8 text stream for ``path`` ("-": standard output, or ``captured`` when a caller
    such as ``call_command(stdout=...)`` passed a stream)."""
    if path != "-":
        try:
            # Opened outside the ``with`` so that only opening errors become a CommandError.
            stream = Path(path).open("w", encoding="utf-8", newline=newline)  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}") from error
        with stream:
            yield stream
    elif captured is not None:
        yield captured
    else:
        # Whatever the locale says, the format is UTF-8.
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline=newline)
        try:
            yield stream
        finally:
            stream.flush()
            stream.detach()
