"""Pending revisions of published quotes: proposed by editors, decided by reviewers.

A revision stores each changed field as ``{"from": …, "to": …}`` in plain form: keys for
the speaker, the occasion and topics, ``{"id", "organization", "title", "start"}`` for a role (None:
resolved from the date), lists of plain items for translations and citations.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from quotes.actors import Actor, person
from quotes.exceptions import RevisionNotPending
from quotes.models import Affiliation, Occasion, Quote, QuoteRevision, Source, Speaker, Topic
from quotes.permissions import require
from quotes.roles import Resolution
from quotes.selectors import record_by_key


def _plain_role(role: Affiliation | None) -> dict | None:
    if role is None:
        return None
    return {
        "id": role.pk,
        "organization": role.organization.key,
        "title": role.role,
        "start": str(role.start) if role.start else None,
    }


def _plain(name: str, value: Any) -> Any:
    if name == "speaker":
        return value.key
    if name == "occasion":
        return value.key if value else None
    if name == "said":
        return str(value) if value else None
    if name == "role":
        return _plain_role(value)
    if name == "topics":
        return sorted(topic.key for topic in value)
    if name == "translations":
        items = [{"official": False, **item} for item in value]
        return sorted(
            (
                {"language": i["language"], "text": i["text"], "official": i["official"]}
                for i in items
            ),
            key=lambda item: item["language"],
        )
    if name == "citations":
        return [{"source": i["source"].key, "excerpt": i.get("excerpt", "")} for i in value]
    return value


def _current(quote: Quote, name: str) -> Any:
    if name == "role":
        explicit = quote.role_resolution == Resolution.EXPLICIT
        return _plain_role(quote.role if explicit else None)
    if name == "topics":
        return _plain(name, quote.topics.all())
    if name == "translations":
        return _plain(name, quote.translations.values("language", "text", "official"))
    if name == "citations":
        cited = quote.citations.select_related("source").order_by("pk")
        return _plain(name, [{"source": c.source, "excerpt": c.excerpt} for c in cited])
    return _plain(name, getattr(quote, name))


def quote_changes(*, quote: Quote, changes: dict[str, Any]) -> dict[str, dict]:
    """The fields that ``changes`` would change, but topics: {field: {"from", "to"}}."""
    found = {}
    for name, value in changes.items():
        if name == "topics":
            continue  # topics are curation, not part of the record readers rely on
        before, after = _current(quote, name), _plain(name, value)
        if before != after:
            found[name] = {"from": before, "to": after}
    return found


@transaction.atomic
def revision_propose(*, quote: Quote, user: Actor, changes: dict[str, dict]) -> QuoteRevision:
    """Keep an editor's change of a published quote for a reviewer to decide."""
    require(user, "edit")
    return QuoteRevision.objects.create(quote=quote, author=person(user), changes=changes)


def _parsed(name: str, plain: Any) -> Any:
    """A plain value of a revision as ``quote_update`` takes it."""
    if name == "speaker":
        return _existing(Speaker, plain, "speaker")
    if name == "occasion":
        return None if plain is None else _existing(Occasion, plain, "occasion")
    if name == "role":
        return None if plain is None else Affiliation.objects.filter(pk=plain["id"]).first()
    if name == "topics":
        return list(Topic.objects.filter(key__in=plain))
    if name == "citations":
        return [{**item, "source": _existing(Source, item["source"], "source")} for item in plain]
    return plain


def _existing(model, key: str, field: str):
    record, _ = record_by_key(model, key)
    if record is None:
        raise ValidationError({field: f"The {field} {key} of this revision no longer exists."})
    return record


def _locked_pending(revision: QuoteRevision) -> QuoteRevision:
    locked = QuoteRevision.objects.select_for_update().get(pk=revision.pk)
    if locked.status != QuoteRevision.Status.PENDING:
        raise RevisionNotPending(f"This revision was {locked.status} already.")
    return locked


@transaction.atomic
def revision_accept(
    *, revision: QuoteRevision, user: Actor, correction_note: str = ""
) -> QuoteRevision:
    """Apply a pending revision to its quote, as a correction with ``correction_note``.

    Refused (``RevisionNotPending``) when a field it changes was changed since it was
    proposed: the reviewer would overwrite that change unseen.
    """
    from quotes.services.quotes import quote_update

    require(user, "accept revision")
    revision = _locked_pending(revision)
    quote = Quote.objects.select_for_update().get(pk=revision.quote_id)
    moved = [n for n, c in revision.changes.items() if _current(quote, n) != c["from"]]
    if moved:
        raise RevisionNotPending(
            f"The {', '.join(moved)} of the quote changed since this revision was proposed: "
            "reject it, and edit the quote as it is now."
        )
    changes = {name: _parsed(name, change["to"]) for name, change in revision.changes.items()}
    quote_update(quote=quote, user=user, changes=changes, correction_note=correction_note)
    return _decide(revision, user, QuoteRevision.Status.ACCEPTED, correction_note=correction_note)


@transaction.atomic
def revision_reject(*, revision: QuoteRevision, user: Actor, reason: str) -> QuoteRevision:
    """Turn down a pending revision, with the reason its author will read."""
    require(user, "reject revision")
    if not reason.strip():
        raise ValidationError({"reason": "Say why, for the editor who proposed it."})
    revision = _locked_pending(revision)
    return _decide(revision, user, QuoteRevision.Status.REJECTED, reason=reason.strip())


def _decide(revision: QuoteRevision, user: Actor, status: str, **fields: str) -> QuoteRevision:
    revision.status, revision.decided_by, revision.decided_at = status, person(user), timezone.now()
    for name, value in fields.items():
        setattr(revision, name, value.strip())
    revision.save()
    return revision
