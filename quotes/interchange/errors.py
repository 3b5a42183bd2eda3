"""Errors found in an interchange file, each tied to a line and, when known, a field."""

from __future__ import annotations

from dataclasses import dataclass


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


class ImportAborted(Exception):
    """Raised inside the write pass to roll the whole import back."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors
