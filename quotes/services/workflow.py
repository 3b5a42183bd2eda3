"""Moving a quote along the editorial workflow (see ``quotes.workflow``)."""

from __future__ import annotations

from django.db import transaction

from quotes import rules
from quotes.actors import Actor, person
from quotes.exceptions import TransitionNotAllowed
from quotes.history import action_context
from quotes.models import Quote
from quotes.workflow import transition_check_permission, transition_for


@transaction.atomic
def quote_transition(
    *, quote: Quote, status: str, user: Actor, reason: str = "", note: str = ""
) -> Quote:
    """Move ``quote`` to ``status`` along the workflow.

    Refuses with ``TransitionNotAllowed`` (a move the workflow does not have, a publication
    without a cited excerpt, a retraction without a reason) or ``NotPermitted``. Updates
    ``quote`` in place.
    """
    locked = Quote.objects.select_for_update().get(pk=quote.pk)
    transition = transition_for(locked.status, status)
    transition_check_permission(transition, user)
    if status == Quote.Status.PUBLISHED:
        rules.check_cited(locked.citations.values_list("excerpt", flat=True), field="status")
    if status == Quote.Status.RETRACTED:
        reason = reason.strip()
        if not reason:
            raise TransitionNotAllowed(
                "A retraction needs a reason that readers will see, e.g. “misattributed: "
                "the speaker was Y”.",
                field="retraction_reason",
            )
        locked.retraction_reason = reason
    locked.status = status
    locked.updated_by = person(user) or locked.updated_by
    with action_context(action=transition.action, note=note or reason or None):
        locked.save(update_fields=["status", "retraction_reason", "updated_by", "updated"])
    for name in ("status", "retraction_reason", "updated_by_id", "updated"):
        setattr(quote, name, getattr(locked, name))
    return quote


def quote_submit(*, quote: Quote, user: Actor) -> Quote:
    return quote_transition(quote=quote, status=Quote.Status.REVIEW, user=user)


def quote_send_back(*, quote: Quote, user: Actor, note: str = "") -> Quote:
    return quote_transition(quote=quote, status=Quote.Status.DRAFT, user=user, note=note)


def quote_publish(*, quote: Quote, user: Actor) -> Quote:
    return quote_transition(quote=quote, status=Quote.Status.PUBLISHED, user=user)


def quote_retract(*, quote: Quote, reason: str, user: Actor) -> Quote:
    return quote_transition(quote=quote, status=Quote.Status.RETRACTED, user=user, reason=reason)
