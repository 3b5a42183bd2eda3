"""The editorial workflow of a quote: which status moves exist and who may make them.

draft → review (submit) → published (publish) → retracted (retract, with a reason);
review → draft (send back). Every other move is refused. Who may make a move is the
permission of its action in ``quotes.permissions.ACTIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from quotes.actors import Actor
from quotes.exceptions import TransitionNotAllowed
from quotes.models import Quote
from quotes.permissions import may, require

Status = Quote.Status


@dataclass(frozen=True)
class Transition:
    action: str  # the verb shown to editors and recorded in the history; a permissions action
    source: str
    target: str


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", Status.DRAFT, Status.REVIEW),
    Transition("send back", Status.REVIEW, Status.DRAFT),
    Transition("publish", Status.REVIEW, Status.PUBLISHED),
    Transition("retract", Status.PUBLISHED, Status.RETRACTED),
)
TRANSITION_BY_MOVE = {(t.source, t.target): t for t in TRANSITIONS}


def transition_for(source: str, target: str) -> Transition:
    """The transition from ``source`` to ``target``, or ``TransitionNotAllowed`` saying why."""
    try:
        return TRANSITION_BY_MOVE[(source, target)]
    except KeyError:
        pass
    if source == target:
        raise TransitionNotAllowed(f"The quote is already {Status(source).label.lower()}.")
    possible = [t for t in TRANSITIONS if t.source == source]
    if possible:
        options = "; ".join(f"{t.action} (to {Status(t.target).label.lower()})" for t in possible)
        hint = f"From {Status(source).label.lower()} it can only go to: {options}."
    else:
        hint = f"A {Status(source).label.lower()} quote cannot change status."
    raise TransitionNotAllowed(
        f"A quote cannot move from {Status(source).label.lower()} to "
        f"{Status(target).label.lower()}. {hint}"
    )


def transition_check_permission(transition: Transition, user: Actor | None) -> None:
    """Raise ``NotPermitted`` unless ``user`` may make ``transition``."""
    require(user, transition.action)


def allowed_targets(source: str, user: Actor | None) -> list[str]:
    """The statuses ``user`` may move a quote to from ``source``."""
    return [t.target for t in TRANSITIONS if t.source == source and may(user, t.action)]
