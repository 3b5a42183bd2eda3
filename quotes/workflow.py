"""The editorial workflow of a quote: which status moves exist and who may make them.

draft → review (submit) → published (publish) → retracted (retract, with a reason);
review → draft (send back). Every other move is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from quotes.exceptions import NotPermitted, TransitionNotAllowed
from quotes.models import Quote

Status = Quote.Status

REVIEWERS_GROUP = "Reviewers"
EDITORS_GROUP = "Editors"


@dataclass(frozen=True)
class Transition:
    action: str  # the verb shown to editors and recorded in the history
    source: str
    target: str
    permission: str
    who: str  # who may do it, for messages


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", Status.DRAFT, Status.REVIEW, "quotes.change_quote", "editors"),
    Transition("send back", Status.REVIEW, Status.DRAFT, "quotes.change_quote", "editors"),
    Transition("publish", Status.REVIEW, Status.PUBLISHED, "quotes.publish_quote", "reviewers"),
    Transition("retract", Status.PUBLISHED, Status.RETRACTED, "quotes.retract_quote", "reviewers"),
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


def transition_check_permission(transition: Transition, user) -> None:
    """Raise ``NotPermitted`` unless ``user`` may make ``transition``; ``None`` is the system."""
    if user is not None and not user.has_perm(transition.permission):
        raise NotPermitted(f"Only {transition.who} may {transition.action} quotes.")


def allowed_targets(source: str, user) -> list[str]:
    """The statuses ``user`` may move a quote to from ``source``."""
    return [
        t.target
        for t in TRANSITIONS
        if t.source == source and (user is None or user.has_perm(t.permission))
    ]
