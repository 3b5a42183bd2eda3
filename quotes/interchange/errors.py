"""Errors found in an interchange file, each tied to a line and, when known, a field."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True, order=True)
class LineError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.message}"


# An import lists at most this many errors (ONRECORD_IMPORT_MAX_ERRORS), with the count of
# the others; its write pass stops once it has found as many (the import is refused
# whatever the rest holds).
MAX_ERRORS = 1_000


def max_errors() -> int:
    return getattr(settings, "ONRECORD_IMPORT_MAX_ERRORS", MAX_ERRORS)


class ImportAborted(Exception):
    """Raised inside the write pass to roll the whole import back; ``stopped_at``: the line
    after which the write pass stopped looking (past ``max_errors()``), if it did."""

    def __init__(self, errors: list[LineError], stopped_at: int | None = None) -> None:
        super().__init__("; ".join(str(error) for error in errors[:10]))
        self.errors = errors
        self.stopped_at = stopped_at
