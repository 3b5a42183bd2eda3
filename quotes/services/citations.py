"""Reviewers' verification of citations against their sources."""

from __future__ import annotations

import pghistory
from django.db import transaction
from django.utils import timezone

from quotes.actors import Actor, person
from quotes.exceptions import TransitionNotAllowed
from quotes.models import Citation
from quotes.permissions import require


@transaction.atomic
def citation_verify(*, citation: Citation, user: Actor) -> Citation:
    """Record that ``user`` checked the excerpt against the source (reviewers only)."""
    require(user, "verify")
    citation = Citation.objects.select_for_update().select_related("source").get(pk=citation.pk)
    if not citation.excerpt.strip():
        raise TransitionNotAllowed(
            f"The citation of “{citation.source}” has no excerpt to verify: add the passage "
            "as the source has it first.",
            field="excerpt",
        )
    citation.full_clean()  # the excerpt must still occur in the source's full text
    citation.verified_by, citation.verified_at = person(user), timezone.now()
    with pghistory.context(action="verify"):
        citation.save(update_fields=["verified_by", "verified_at", "updated"])
    return citation


@transaction.atomic
def citation_unverify(*, citation: Citation, user: Actor) -> Citation:
    """Withdraw a verification (reviewers only)."""
    require(user, "verify", noun="citations' verifications")
    citation.verified_by, citation.verified_at = None, None
    with pghistory.context(action="unverify"):
        citation.save(update_fields=["verified_by", "verified_at", "updated"])
    return citation
