"""Imports of interchange files (docs/interchange.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quotes.actors import Actor
from quotes.permissions import require

if TYPE_CHECKING:
    from quotes.interchange.importer import ImportReport, ProgressFactory, RecordInput


def records_import(
    *,
    lines_or_stream: RecordInput,
    dry_run: bool,
    user: Actor,
    label: str = "",
    progress: ProgressFactory | None = None,
    allow_similar: bool = False,
) -> ImportReport:
    """Import an interchange file in one transaction, or nothing.

    Every line is validated before anything is written; with ``dry_run`` the import is
    rolled back after counting what it would create, update and leave unchanged. An
    import creates and changes records, so ``user`` needs those permissions, and the
    permission to publish for a file with published or retracted quotes (a system actor
    has them all). A new quote whose text is similar to a quote on record is an error
    with its line, as ``quote_create`` refuses it, unless ``allow_similar`` or the record's
    ``allow_similar``. See ``quotes.interchange.importer.records_import``.
    """
    for action in ("add", "edit"):
        require(user, action, noun="quotes by importing them")
    # Imported here: jsonschema and the schema file are needed only by imports.
    from quotes.interchange import importer

    return importer.records_import(
        lines_or_stream=lines_or_stream,
        dry_run=dry_run,
        user=user,
        label=label,
        progress=progress,
        allow_similar=allow_similar,
    )
