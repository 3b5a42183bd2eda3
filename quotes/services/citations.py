"""Reviewers' verification of citations against their sources."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from quotes.actors import Actor, person
from quotes.exceptions import TransitionNotAllowed
from quotes.history import action_context
from quotes.models import Citation
from quotes.permissions import require

VERIFICATION_FIELDS = ("verified_by", "verified_at", "verified_by_name")


@transaction.atomic
def citation_verify(*, citation: Citation, user: Actor) -> Citation:
    """Record that ``user`` checked the excerpt against the source (reviewers only)."""
    require(user, "verify")
    citations = Citation.objects.select_for_update(of=("self",))  # not the source's row too
    citation = citations.select_related("source").get(pk=citation.pk)
    if not citation.excerpt.strip():
        raise TransitionNotAllowed(
            f"The citation of “{citation.source}” has no excerpt to verify: add the passage "
            "as the source has it first.",
            field="excerpt",
        )
    citation.full_clean()  # the excerpt must still occur in the source's full text
    citation.verified_by, citation.verified_at = person(user), timezone.now()
    citation.verified_by_name = ""  # the verifier is this database's user
    with action_context(action="verify"):
        citation.save(update_fields=[*VERIFICATION_FIELDS, "updated"])
    return citation


@transaction.atomic
def citation_unverify(*, citation: Citation, user: Actor) -> Citation:
    """Withdraw a verification (reviewers only)."""
    require(user, "verify", noun="citations' verifications")
    citation.verified_by, citation.verified_at, citation.verified_by_name = None, None, ""
    with action_context(action="unverify"):
        citation.save(update_fields=[*VERIFICATION_FIELDS, "updated"])
    return citation


def citations_unverify_moved(*, source_ids: Iterable[int]) -> int:
    """Withdraw the verifications of the citations of sources whose title or address
    changed: the reviewer checked the excerpt in the source as it was then, as a changed
    excerpt withdraws them (the ``citation_unverify_on_change`` trigger). Returns how many."""
    with action_context(action="unverify", note="the source's title or address changed"):
        return Citation.objects.filter(
            source_id__in=list(source_ids), verified_at__isnull=False
        ).update(verified_by=None, verified_at=None)
