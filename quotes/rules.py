"""The rules of the record, as pure checks where they can be.

Every write path (the admin, the API, the importer, commands, services) reaches these
through the services, or, for the importer's bulk writes, calls them directly; none
restates them. docs/architecture.md lists each rule with its function and its tests.
"""

from __future__ import annotations

from collections.abc import Iterable

from quotes.exceptions import TransitionNotAllowed
from quotes.excerpts import excerpt_occurs

CITATION_REQUIRED = (
    "A quote can be published only with at least one citation that has an excerpt: "
    "add the source and the passage as the source has it."
)
LAST_CITATION = (
    "A published quote keeps at least one citation with an excerpt: add another one before "
    "removing this one, or ask a reviewer to retract the quote."
)


class CitationRequired(TransitionNotAllowed):
    """A published quote without a citation that has an excerpt."""

    field = "citations"


def has_cited_excerpt(excerpts: Iterable[str]) -> bool:
    """Whether one of a quote's citations has an excerpt (what publishing needs)."""
    return any((excerpt or "").strip() for excerpt in excerpts)


def check_cited(excerpts: Iterable[str], *, field: str = "citations", publishing=True) -> None:
    """Refuse a published (or to-be-published) quote without a cited excerpt."""
    if not has_cited_excerpt(excerpts):
        raise CitationRequired(CITATION_REQUIRED if publishing else LAST_CITATION, field=field)


def excerpt_problem(excerpt: str, full_text: str, source_label: str) -> str | None:
    """Why ``excerpt`` cannot be cited from a source with ``full_text``, or None.

    A source without a full text cannot be checked, so any excerpt stands.
    """
    if not full_text or not (excerpt or "").strip() or excerpt_occurs(excerpt, full_text):
        return None
    return (
        f"This excerpt does not occur in the full text of “{source_label}” (differences in "
        "spaces, quote marks and dashes are ignored). Copy it exactly as the source has it."
    )


def full_text_problem(full_text: str, cited: Iterable[tuple[str, str]]) -> str | None:
    """Why a source cannot take ``full_text``, or None: the excerpts cited from it, as
    ``(quote key, excerpt)`` pairs, must all still occur in it.

    One call per source, with its citations read beforehand: the admin and the API give
    one source's, the importer the citations of all the sources of a batch in one query.
    """
    if not full_text:
        return None
    missing = [key for key, excerpt in cited if excerpt and not excerpt_occurs(excerpt, full_text)]
    if not missing:
        return None
    return (
        f"The excerpts cited by {len(missing)} quote(s) ({', '.join(missing)}) do not occur in "
        "this text. Correct the text or those excerpts first."
    )
