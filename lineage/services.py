"""Reviewers' decisions on lineage: every write of ``Decision`` goes through here."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lineage.models import Decision
from quotes.actors import Actor, person
from quotes.exceptions import CurationError
from quotes.history import action_context
from quotes.models import Quote
from quotes.permissions import require

User = get_user_model()


def check_pair(*, quote: Quote, other: Quote) -> None:
    """A pair is two statements: one is not compared with itself."""
    if quote.pk == other.pk:
        raise CurationError("A statement is not compared with itself.", field="quote")


@transaction.atomic
def lineage_decide(
    *, quote: Quote, other: Quote, verdict: str, user: Actor, note: str = ""
) -> Decision:
    """Record a reviewer's decision that two statements carry the same claim (``confirmed``)
    or do not (``dismissed``: the pair is not raised again by the similar-text check nor
    listed in lineage). A later decision on the pair replaces it; the history keeps both."""
    made = {"decided_by": person(user), "decided_by_name": "", "decided_at": timezone.now()}
    decision, _ = _decide(quote, other, verdict=verdict, note=note, made=made, user=user)
    return decision


@transaction.atomic
def lineage_decision_import(
    *,
    quote: Quote,
    other: Quote,
    verdict: str,
    note: str,
    decided_by: str,
    decided_at: datetime.datetime,
    user: Actor,
) -> str:
    """Record a decision as another database recorded it (an interchange import): by the
    reviewer it names (``decided_by``: this database's user of that name, or the name kept
    when there is none) at its moment, not by the importing ``user`` now. The same rules as
    ``lineage_decide``; a decision the pair has already is not written again.

    Returns ``created``, ``updated`` or ``unchanged``."""
    found = User.objects.filter(username=decided_by).first() if decided_by else None
    made = {
        "decided_by": found,
        "decided_by_name": "" if found else decided_by,
        "decided_at": decided_at,
    }
    _, outcome = _decide(quote, other, verdict=verdict, note=note, made=made, user=user)
    return outcome


def _decide(
    quote: Quote, other: Quote, *, verdict: str, note: str, made: dict, user: Actor
) -> tuple[Decision, str]:
    """The one rule of a decision: who may make it, its verdict, its pair (the lower id
    first). ``made``: who made it and when. Returns it and ``created``, ``updated`` or
    ``unchanged``."""
    require(user, "decide lineage")
    if verdict not in Decision.Verdict.values:
        raise CurationError(
            f"“{verdict}” is not a decision: use confirmed or dismissed.", field="verdict"
        )
    check_pair(quote=quote, other=other)
    first, second = sorted((quote, other), key=lambda q: q.pk)
    values = {"verdict": verdict, "note": note, **made}
    stored = Decision.objects.of_pair(first.pk, second.pk).first()
    if stored is not None and _as_made(stored) == _as_made(Decision(**values)):
        return stored, "unchanged"
    with action_context(action=f"lineage {verdict}"):
        decision, created = Decision.objects.update_or_create(
            first=first, second=second, defaults=values
        )
    return decision, "created" if created else "updated"


def _as_made(decision: Decision) -> tuple:
    return (
        decision.verdict,
        decision.note,
        decision.decided_by_id,
        decision.decided_by_name,
        decision.decided_at,
    )


def decisions_retarget(*, duplicate: Quote, survivor: Quote) -> None:
    """After a merge (``quotes.services.merges``), the duplicate's decisions hold for the
    survivor, but for a pair the survivor was decided on itself, which keeps its decision
    (the duplicate's go with it when it is deleted)."""
    decided = {
        d.first_id if d.second_id == survivor.pk else d.second_id
        for d in Decision.objects.involving(survivor.pk)
    }
    for decision in Decision.objects.involving(duplicate.pk):
        other = decision.second_id if decision.first_id == duplicate.pk else decision.first_id
        if other == survivor.pk or other in decided:
            continue
        decision.first_id, decision.second_id = sorted((other, survivor.pk))
        decision.save(update_fields=["first", "second"])
