"""Curation steps the rules refuse. Each message says why, in words for an editor."""

from __future__ import annotations


class CurationError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotPermitted(CurationError):
    """The user lacks the permission the step needs."""


class TransitionNotAllowed(CurationError):
    """A status move the workflow does not have, or whose conditions are not met."""


class MergeNotAllowed(CurationError):
    """Two records that cannot be merged (different speakers, the same record…)."""


class RevertNotPossible(CurationError):
    """An earlier version that cannot be brought back as it was."""


class EditConflict(CurationError):
    """Someone else changed the record since the editor opened it.

    ``changes`` lists the history entries made since (see ``quotes.history``).
    """

    def __init__(self, message: str, changes: list | None = None):
        super().__init__(message)
        self.changes = changes or []
