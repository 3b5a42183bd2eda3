"""What an import did, or the errors that stopped it."""

from __future__ import annotations

from dataclasses import dataclass, field

from quotes.interchange import RECORD_TYPES
from quotes.interchange.errors import LineError


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    """What an import did, or the errors that stopped it (then nothing was written)."""

    errors: list[LineError]
    lines: int
    dry_run: bool
    counts: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in RECORD_TYPES})
    topics_created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors
