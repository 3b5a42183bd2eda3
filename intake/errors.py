"""What intake refuses, in words for an editor, naming the input at fault."""

from __future__ import annotations


class IntakeError(Exception):
    """Input that cannot be read: ``field`` names the parameter (``url``, ``file``…)."""

    def __init__(self, message: str, field: str = "text"):
        super().__init__(message)
        self.message = message
        self.field = field
