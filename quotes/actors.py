"""Who acts on the record: a user, or a named system actor for trusted processes.

Every service takes the acting user explicitly (``user=``). A request passes its user; a
management command passes the user named with ``--user`` or a ``SystemActor`` naming the
command. ``None`` is refused: no write happens without someone answerable for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class Actor(Protocol):
    pk: Any
    is_authenticated: bool

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...


@dataclass(frozen=True)
class SystemActor:
    """A trusted process (an import, the demo loader, a migration of data) acting with
    every permission. It is recorded in the history by its name, not as a user."""

    name: str
    pk: None = None
    is_authenticated: bool = False
    is_active: bool = True

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True

    def get_username(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name


def is_system(user: Actor | None) -> bool:
    return isinstance(user, SystemActor)


def person(user: Actor | None):
    """The user to record as author (``created_by``, ``updated_by``…), if a real one."""
    return user if user is not None and user.is_authenticated else None
