"""A readable difference between two captures' texts, line by line (difflib)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "same" or "gap" (unchanged lines left out)
    text: str


def text_diff(older: str, newer: str, *, context: int = 2) -> list[DiffLine]:
    """The lines removed from ``older`` and added in ``newer``, with ``context`` unchanged
    lines around each change; empty when the texts are the same."""
    lines = difflib.unified_diff(older.splitlines(), newer.splitlines(), n=context, lineterm="")
    kinds = {"+": "added", "-": "removed", " ": "same", "@": "gap"}
    shown = []
    for line in lines:
        if line.startswith(("+++", "---")):
            continue
        kind = kinds[line[:1]]
        shown.append(DiffLine(kind, "…" if kind == "gap" else line[1:]))
    return shown
