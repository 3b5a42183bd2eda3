"""Which role a speaker held on the day of a statement.

An affiliation's span runs from the first day of its ``start`` (open when empty) to the
last day of its ``end`` (open when empty). The role is resolved only when exactly one
affiliation covers the whole period of the quote's date; overlapping affiliations, or a
date too coarse to tell, leave the choice to an editor.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from quotes.dates import ReducedDate, to_reduced_date
from quotes.models import Affiliation, Quote

Resolution = Quote.RoleResolution


@dataclass(frozen=True)
class RoleOutcome:
    affiliation: Affiliation | None
    resolution: str
    explanation: str
    candidates: tuple[Affiliation, ...] = ()


def _span(affiliation: Affiliation) -> tuple[datetime.date, datetime.date]:
    start = to_reduced_date(affiliation.start)
    end = to_reduced_date(affiliation.end)
    return (
        start.start if start else datetime.date.min,
        end.end if end else datetime.date.max,
    )


def resolve_role(
    said: ReducedDate | str | None, affiliations: Iterable[Affiliation]
) -> RoleOutcome:
    """Resolve the role held during ``said`` from a speaker's affiliations."""
    period = to_reduced_date(said)
    if period is None:
        return RoleOutcome(None, Resolution.NONE, "The quote has no date.")
    covering, touching = [], []
    for affiliation in affiliations:
        first, last = _span(affiliation)
        if first <= period.start and period.end <= last:
            covering.append(affiliation)
        elif first <= period.end and period.start <= last:
            touching.append(affiliation)
    if len(covering) == 1 and not touching:
        return RoleOutcome(covering[0], Resolution.RESOLVED, "Resolved from the affiliations.")
    if len(covering) > 1:
        return RoleOutcome(
            None,
            Resolution.AMBIGUOUS,
            f"{len(covering)} affiliations overlap on {period}: choose the role.",
            tuple(covering + touching),
        )
    if touching:
        return RoleOutcome(
            None,
            Resolution.AMBIGUOUS,
            f"The date {period} is too coarse to tell which role was held: choose the role.",
            tuple(covering + touching),
        )
    return RoleOutcome(None, Resolution.NONE, f"No affiliation covers {period}.")
