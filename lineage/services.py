"""Reviewers' decisions on lineage: every write of ``Decision`` goes through here."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from lineage.models import Decision
from quotes.actors import Actor, person
from quotes.exceptions import CurationError
from quotes.history import action_context
from quotes.models import Quote
from quotes.permissions import require


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
    require(user, "decide lineage")
    if verdict not in Decision.Verdict.values:
        raise CurationError(
            f"“{verdict}” is not a decision: use confirmed or dismissed.", field="verdict"
        )
    check_pair(quote=quote, other=other)
    first, second = sorted((quote, other), key=lambda q: q.pk)
    with action_context(action=f"lineage {verdict}"):
        decision, _ = Decision.objects.update_or_create(
            first=first,
            second=second,
            defaults={
                "verdict": verdict,
                "note": note,
                "decided_by": person(user),
                "decided_at": timezone.now(),
            },
        )
    return decision


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
