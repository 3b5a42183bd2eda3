"""What an import did, or the errors that stopped it."""

from __future__ import annotations

from dataclasses import dataclass, field

from quotes.interchange import RECORD_TYPES
from quotes.interchange.errors import LineError, max_errors


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
    errors_not_listed: int = 0  # past max_errors()
    stopped_at: int | None = None  # the line after which nothing more was checked

    @classmethod
    def refused(
        cls, errors: list[LineError], *, lines: int, dry_run: bool, stopped_at: int | None = None
    ) -> ImportReport:
        """The report of an import refused for ``errors``: the first ``max_errors()`` of them."""
        errors = sorted(errors)
        return cls(
            errors=errors[: max_errors()],
            lines=lines,
            dry_run=dry_run,
            errors_not_listed=max(0, len(errors) - max_errors()),
            stopped_at=stopped_at,
        )

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_summary(self) -> list[str]:
        """What to say after the listed errors: how many more, and where checking stopped."""
        said = []
        if self.errors_not_listed:
            said.append(f"… and {self.errors_not_listed:,} more errors, not listed.")
        if self.stopped_at is not None:
            said.append(
                f"Checking stopped after line {self.stopped_at:,} at {max_errors():,} errors: "
                f"the {max(0, self.lines - self.stopped_at):,} lines after it were not checked."
            )
        return said
