"""Curation steps the rules refuse. Each message says why, in words for an editor.

``field`` names the field at fault when there is one; the API's exception handler
(api/exceptions.py) and the admin show the same message.
"""

from __future__ import annotations


class CurationError(Exception):
    field = ""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field or self.field


class NotPermitted(CurationError):
    """The user lacks the permission the step needs."""


class TransitionNotAllowed(CurationError):
    """A status move the workflow does not have, or whose conditions are not met."""

    field = "status"


class MergeNotAllowed(CurationError):
    """Two records that cannot be merged (different speakers, the same record…)."""

    field = "duplicate"


class RevertNotPossible(CurationError):
    """An earlier version that cannot be brought back as it was."""


class DeletionRefused(CurationError):
    """A record that must stay on record (a published or retracted quote)."""


class RevisionNotPending(CurationError):
    """A revision already accepted or rejected."""


class SimilarQuotesFound(CurationError):
    """A new quote whose text is close to quotes on record; ``similar`` lists them as
    ``quotes.similarity.Similar``."""

    def __init__(self, message: str, similar: list):
        super().__init__(message)
        self.similar = similar


class EditConflict(CurationError):
    """Someone else changed the record since the editor opened it.

    ``changes`` lists the history entries made since (see ``quotes.history``).
    """

    def __init__(self, message: str, changes: list | None = None):
        super().__init__(message)
        self.changes = changes or []
