"""Creating, changing and deleting quotes with their topics, translations and citations.

A published quote changes only through review: an editor's change becomes a pending
revision (``quotes.services.revisions``); a reviewer's change of what a reader relies on
(``CORRECTED``) needs a correction note, which becomes one of the quote's public
corrections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from quotes import rules
from quotes.actors import Actor, is_system, person
from quotes.exceptions import DeletionRefused, SimilarQuotesFound, TransitionNotAllowed
from quotes.history import action_context
from quotes.models import (
    KEY_LENGTH,
    Affiliation,
    Citation,
    Quote,
    QuoteRevision,
    Source,
    Translation,
)
from quotes.permissions import may, require
from quotes.roles import Resolution, resolve_role
from quotes.services.keys import check_key_free, free_key, record_key_rename
from quotes.services.records import children_replace, save_unique
from quotes.similarity import similar_quotes

# The quote's own fields a write may set; "role", "topics", "translations" and "citations"
# are the other keys of a change.
FIELDS = ("key", "speaker", "text", "language", "kind", "said", "context", "occasion")
PARTS = ("topics", "translations", "citations")
# What readers rely on: changing it on a published quote is a public correction.
CORRECTED = frozenset(
    {"text", "language", "kind", "said", "speaker", "role", "translations", "citations"}
)
CORRECTION_NOTE_NEEDED = (
    "Changing the {fields} of a published quote is a public correction: say what was "
    "corrected and why, in words for readers."
)
PROTECTED_STATUSES = (Quote.Status.PUBLISHED, Quote.Status.RETRACTED)


@dataclass(frozen=True)
class QuoteUpdate:
    """What a change made: the quote, and the pending revision when it needs review."""

    quote: Quote
    revision: QuoteRevision | None = None


def quote_key_generate(*, quote: Quote) -> str:
    """A readable unique key from the speaker and date: ``wang-yi-2023-10-14``, then ``-2``…;
    for an undated quote, from the speaker and its first words (``josep-borrell-we-call-for``)
    rather than one "undated" key after another."""
    said = str(quote.said) if quote.said else " ".join(anyascii(quote.text).split()[:4])
    base = slugify(f"{quote.speaker.key} {said}")[: KEY_LENGTH - 8].strip("-")
    return free_key(model=Quote, base=base, exclude_pk=quote.pk)


def quote_apply_role(*, quote: Quote, chosen: Affiliation | None = None) -> None:
    """Set ``quote.role`` without saving: the editor's choice, else the resolved role.

    A chosen role must be one of the speaker's affiliations. One that equals what
    resolution gives is recorded as resolved, so that a later affiliation edit can still
    re-resolve it.
    """
    if chosen is not None and chosen.speaker_id != quote.speaker_id:
        raise ValidationError(
            {
                "role": f"“{chosen.role}” is an affiliation of {chosen.speaker}, not of "
                f"{quote.speaker}: choose one of {quote.speaker}'s roles, or none to resolve "
                "it from the date."
            }
        )
    outcome = resolve_role(quote.said, quote.speaker.affiliations.all())
    if chosen is not None and (
        chosen != outcome.affiliation or quote.role_resolution == Resolution.EXPLICIT
    ):
        quote.role, quote.role_resolution = chosen, Resolution.EXPLICIT
    else:
        quote.role, quote.role_resolution = outcome.affiliation, outcome.resolution


@transaction.atomic
def quote_save(
    *,
    quote: Quote,
    user: Actor,
    chosen_role: Affiliation | None = None,
    update_fields: list[str] | None = None,
) -> Quote:
    """Validate and save a quote: generate its key if empty, set its role and authorship.

    The status follows the workflow: a new quote starts as a draft or goes to review, and
    an existing quote's status changes only through ``quote_transition``. A system actor
    (an import) may save the status as given. ``update_fields`` saves only those fields
    (with the role and bookkeeping), so that concurrent writes of other fields stand.
    """
    require(user, "add" if quote._state.adding else "edit")
    if not is_system(user):
        _check_status_unchanged(quote)
    if not quote.key:
        quote.key = quote_key_generate(quote=quote)
    check_key_free(obj=quote)
    quote_apply_role(quote=quote, chosen=chosen_role)
    author = person(user)
    if author is not None:
        if quote._state.adding:
            quote.created_by = author
        quote.updated_by = author
    quote.full_clean(exclude=["said_start"])
    if update_fields is None:
        save_unique(quote)
    else:
        bookkeeping = ["role", "role_resolution", "updated_by", "updated", "corrections"]
        quote.save(update_fields=sorted({*update_fields, *bookkeeping}))
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
def quote_create(
    *,
    user: Actor,
    fields: dict[str, Any],
    status: str = Quote.Status.DRAFT,
    role: Affiliation | None = None,
    parts: dict[str, Any] | None = None,
    allow_similar: bool = False,
) -> Quote:
    """Create a quote (a draft, or under review) with its parts (``PARTS``).

    Refuses with ``SimilarQuotesFound`` when quotes with a similar text or translation
    are on record, unless ``allow_similar``: a possible duplicate, or the same words
    attributed to another speaker.
    """
    require(user, "add")
    parts = parts or {}
    quote = Quote(status=status, **fields)
    quote_save(quote=quote, user=user, chosen_role=role)
    _write_parts(quote, parts)
    if not allow_similar:  # after the record's own checks, whose errors come first
        _check_similar(quote, parts.get("translations") or [])
    return quote


def _check_similar(quote: Quote, translations: list[dict]) -> None:
    texts = [quote.text, *(item.get("text", "") for item in translations)]
    found = similar_quotes(
        texts=texts, speaker_id=quote.speaker_id, said=quote.said, exclude_pk=quote.pk
    )
    if found:
        raise SimilarQuotesFound(
            f"{len(found)} quote(s) on record have a similar text: check them; if this is "
            "another statement, confirm that it is not a duplicate (allow_similar in the "
            "API, “Not a duplicate” in the admin).",
            found,
        )


def _write_parts(quote: Quote, parts: dict[str, Any]) -> bool:
    """Write the topics, translations and citations given; whether any changed."""
    changed = False
    if parts.get("topics") is not None:
        before = set(quote.topics.values_list("pk", flat=True))
        quote.topics.set(parts["topics"])
        changed |= before != {topic.pk for topic in parts["topics"]}
    if parts.get("translations") is not None:
        changed |= children_replace(
            quote.translations.all(),
            [{"official": False, **item} for item in parts["translations"]],
            match="language",
            make=lambda: Translation(quote=quote),
            field="translations",
        )
    if parts.get("citations") is not None:
        cited = children_replace(
            quote.citations.all(),
            parts["citations"],
            match="source",
            make=lambda: Citation(quote=quote),
            field="citations",
        )
        if cited:
            _capture_sources(quote)
        changed |= cited
    return changed


def _capture_sources(quote: Quote) -> None:
    """A capture of each cited page, deferred in this transaction (captures/)."""
    from captures.tasks import sources_capture_later

    sources_capture_later(sources=Source.objects.filter(citations__quote=quote).exclude(url=""))


@transaction.atomic
def quote_update(
    *, quote: Quote, user: Actor, changes: dict[str, Any], correction_note: str = ""
) -> QuoteUpdate:
    """Change a quote: only the fields and parts in ``changes``, on the locked row.

    ``changes`` holds any of ``FIELDS``, ``PARTS`` and ``role`` (an affiliation of the
    speaker, or None to resolve it from the date; absent, a role no editor chose is
    resolved again for a new speaker or date). On a published quote, a user who may not
    correct it gets a pending revision instead (topics still change at once); one who
    may, needs ``correction_note`` for a change of ``CORRECTED``.
    """
    require(user, "edit")
    # The quote's row alone: locking its speaker's too (FOR UPDATE locks every joined row)
    # deadlocked with a speaker's change, which locks the speaker, then the speaker's quotes.
    locked = (
        Quote.objects.select_for_update(of=("self",)).select_related("speaker").get(pk=quote.pk)
    )
    if locked.status == Quote.Status.PUBLISHED:
        from quotes.services.revisions import quote_changes, revision_propose

        proposed = quote_changes(quote=locked, changes=changes)
        if proposed and not may(user, "correct"):
            _write_parts(locked, {"topics": changes.get("topics")})
            return QuoteUpdate(locked, revision_propose(quote=locked, user=user, changes=proposed))
        corrected = sorted(CORRECTED & proposed.keys())
        if corrected and not correction_note.strip():
            fields = ", ".join(corrected)
            raise ValidationError({"correction_note": CORRECTION_NOTE_NEEDED.format(fields=fields)})
        if corrected:
            note = {"date": timezone.localdate().isoformat(), "note": correction_note.strip()}
            locked.corrections = [*locked.corrections, note]
            with action_context(action="correct", note=correction_note.strip()):
                return QuoteUpdate(_apply(locked, user, changes))
    return QuoteUpdate(_apply(locked, user, changes))


def _apply(quote: Quote, user: Actor, changes: dict[str, Any]) -> Quote:
    old_key = quote.key
    given = [name for name in FIELDS if name in changes]
    for name in given:
        setattr(quote, name, changes[name])
    if "role" in changes:
        chosen = changes["role"]
    else:
        explicit = quote.role_resolution == Resolution.EXPLICIT
        chosen = quote.role if explicit else None
    quote_save(quote=quote, user=user, chosen_role=chosen, update_fields=given)
    _write_parts(quote, {name: changes.get(name) for name in PARTS})
    if quote.status == Quote.Status.PUBLISHED:
        excerpts = quote.citations.values_list("excerpt", flat=True)
        rules.check_cited(excerpts, field="citations", publishing=False)
    if quote.key != old_key:
        record_key_rename(obj=quote, old_key=old_key, user=user)
    return quote


@transaction.atomic
def quote_delete(*, quote: Quote, user: Actor) -> None:
    """Delete a draft or a quote under review; published and retracted ones stay."""
    require(user, "delete")
    locked = Quote.objects.select_for_update().get(pk=quote.pk)
    if locked.status in PROTECTED_STATUSES:
        raise DeletionRefused(
            f"A {locked.get_status_display().lower()} quote stays on record: readers may "
            "have cited it. Retract it instead, with the reason readers will see."
            if locked.status == Quote.Status.PUBLISHED
            else "A retracted quote stays on record with its reason, so that readers who "
            "cited it learn why it was withdrawn."
        )
    locked.delete()
