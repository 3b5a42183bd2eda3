"""Creating, changing and deleting quotes with their topics, translations and citations."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.text import slugify

from quotes.actors import Actor, is_system, person
from quotes.exceptions import TransitionNotAllowed
from quotes.models import KEY_LENGTH, Affiliation, Citation, KeyRedirect, Quote, Topic, Translation
from quotes.roles import Resolution, resolve_role
from quotes.services.records import children_replace


def quote_key_generate(*, quote: Quote) -> str:
    """A readable unique key from the speaker and date: ``wang-yi-2023-10-14``, then ``-2``…"""
    base = slugify(f"{quote.speaker.key} {quote.said or 'undated'}")[: KEY_LENGTH - 8]
    taken = set(
        Quote.objects.filter(key__startswith=base)
        .exclude(pk=quote.pk)
        .values_list("key", flat=True)
    )
    # Keys of merged quotes keep leading to their survivors: never hand them out again.
    taken.update(
        KeyRedirect.objects.filter(
            kind=KeyRedirect.Kind.QUOTE, old_key__startswith=base
        ).values_list("old_key", flat=True)
    )
    candidate, counter = base, 1
    while candidate in taken:
        counter += 1
        candidate = f"{base}-{counter}"
    return candidate


def quote_apply_role(*, quote: Quote, chosen: Affiliation | None = None) -> None:
    """Set ``quote.role`` without saving: the editor's choice, else the resolved role.

    A chosen role that equals what resolution gives is recorded as resolved, so that a
    later affiliation edit can still re-resolve it.
    """
    outcome = resolve_role(quote.said, quote.speaker.affiliations.all())
    if chosen is not None and (
        chosen != outcome.affiliation or quote.role_resolution == Resolution.EXPLICIT
    ):
        quote.role, quote.role_resolution = chosen, Resolution.EXPLICIT
    else:
        quote.role, quote.role_resolution = outcome.affiliation, outcome.resolution


@transaction.atomic
def quote_save(*, quote: Quote, user: Actor, chosen_role: Affiliation | None = None) -> Quote:
    """Validate and save a quote: generate its key if empty, set its role and authorship.

    The status follows the workflow: a new quote starts as a draft or goes to review, and
    an existing quote's status changes only through ``quote_transition``. A system actor
    (an import) may save the status as given.
    """
    if not is_system(user):
        _check_status_unchanged(quote)
    if not quote.key:
        quote.key = quote_key_generate(quote=quote)
    quote_apply_role(quote=quote, chosen=chosen_role)
    author = person(user)
    if author is not None:
        if quote._state.adding:
            quote.created_by = author
        quote.updated_by = author
    quote.full_clean(exclude=["said_start"])
    quote.save()
    return quote


def _check_status_unchanged(quote: Quote) -> None:
    if quote._state.adding or quote.pk is None:
        if quote.status not in (Quote.Status.DRAFT, Quote.Status.REVIEW):
            raise TransitionNotAllowed(
                "A new quote starts as a draft or goes to review; it is published by a "
                "reviewer after that."
            )
        return
    stored = Quote.objects.filter(pk=quote.pk).values_list("status", flat=True).first()
    if stored is not None and stored != quote.status:
        raise TransitionNotAllowed(
            f"The status changes from {stored} to {quote.status} only through the workflow "
            "(submit, send back, publish, retract)."
        )


@transaction.atomic
def quote_write(
    *,
    quote: Quote,
    user: Actor,
    chosen_role: Affiliation | None = None,
    topics: Iterable[Topic] | None = None,
    translations: Iterable[dict] | None = None,
    citations: Iterable[dict] | None = None,
) -> Quote:
    """Save a quote with its topics, translations and citations (each left as it is when
    None), validating every record as the admin does."""
    quote_save(quote=quote, chosen_role=chosen_role, user=user)
    if topics is not None:
        quote.topics.set(topics)
    if translations is not None:
        children_replace(
            quote.translations.all(),
            translations,
            match="language",
            make=lambda: Translation(quote=quote),
            field="translations",
        )
    if citations is not None:
        children_replace(
            quote.citations.all(),
            citations,
            match="source",
            make=lambda: Citation(quote=quote),
            field="citations",
        )
    return quote
