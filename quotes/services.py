"""Writes that touch several models. Every function here runs in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pghistory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from quotes import history
from quotes.exceptions import (
    EditConflict,
    MergeNotAllowed,
    NotPermitted,
    RevertNotPossible,
    TransitionNotAllowed,
)
from quotes.models import (
    KEY_LENGTH,
    Affiliation,
    Citation,
    KeyRedirect,
    Quote,
    Speaker,
    SpeakerName,
    Topic,
    Translation,
)
from quotes.roles import Resolution, resolve_role
from quotes.workflow import (
    EDITORS_GROUP,
    REVIEWERS_GROUP,
    transition_check_permission,
    transition_for,
)


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
def speaker_quotes_reresolve(*, speaker: Speaker) -> int:
    """Re-resolve the roles of a speaker's quotes that no editor chose; return how many changed."""
    affiliations = list(speaker.affiliations.all())
    now = timezone.now()
    changed = []
    for quote in speaker.quotes.exclude(role_resolution=Resolution.EXPLICIT):
        outcome = resolve_role(quote.said, affiliations)
        if (quote.role_id, quote.role_resolution) != (
            outcome.affiliation.pk if outcome.affiliation else None,
            outcome.resolution,
        ):
            quote.role, quote.role_resolution = outcome.affiliation, outcome.resolution
            quote.updated = now
            changed.append(quote)
    Quote.objects.bulk_update(changed, ["role", "role_resolution", "updated"])
    return len(changed)


@transaction.atomic
def affiliation_save(*, affiliation: Affiliation, previous_speaker_id: int | None = None) -> int:
    """Save an affiliation and re-resolve the quotes whose role it may change."""
    affiliation.full_clean()
    affiliation.save()
    changed = speaker_quotes_reresolve(speaker=affiliation.speaker)
    if previous_speaker_id and previous_speaker_id != affiliation.speaker_id:
        changed += speaker_quotes_reresolve(speaker=Speaker.objects.get(pk=previous_speaker_id))
    return changed


@transaction.atomic
def affiliation_delete(*, affiliation: Affiliation) -> int:
    speaker = affiliation.speaker
    # Detach first: a quote may not keep a "resolved" state without its role.
    Quote.objects.filter(role=affiliation).update(role=None, role_resolution=Resolution.NONE)
    affiliation.delete()
    return speaker_quotes_reresolve(speaker=speaker)


@transaction.atomic
def quote_save(*, quote: Quote, chosen_role: Affiliation | None = None, user=None) -> Quote:
    """Validate and save a quote: generate its key if empty, set its role and authorship.

    With a ``user``, the status follows the workflow: a new quote starts as a draft or goes
    to review, and an existing quote's status changes only through ``quote_transition``.
    Without one (a trusted caller such as an import), the status is saved as given.
    """
    if user is not None:
        _check_status_unchanged(quote)
    if not quote.key:
        quote.key = quote_key_generate(quote=quote)
    quote_apply_role(quote=quote, chosen=chosen_role)
    if user is not None and user.is_authenticated:
        if quote._state.adding:
            quote.created_by = user
        quote.updated_by = user
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


# Workflow ------------------------------------------------------------------------------


@transaction.atomic
def quote_transition(
    *, quote: Quote, status: str, user=None, reason: str = "", note: str = ""
) -> Quote:
    """Move ``quote`` to ``status`` along the workflow (see ``quotes.workflow``).

    Refuses with ``TransitionNotAllowed`` (a move the workflow does not have, a publication
    without a cited excerpt, a retraction without a reason) or ``NotPermitted``. ``user``
    None is a trusted caller such as a management command. Updates ``quote`` in place.
    """
    locked = Quote.objects.select_for_update().get(pk=quote.pk)
    transition = transition_for(locked.status, status)
    transition_check_permission(transition, user)
    if status == Quote.Status.PUBLISHED:
        _check_publishable(locked)
    if status == Quote.Status.RETRACTED:
        reason = reason.strip()
        if not reason:
            raise TransitionNotAllowed(
                "A retraction needs a reason that readers will see, e.g. “misattributed: "
                "the speaker was Y”."
            )
        locked.retraction_reason = reason
    locked.status = status
    locked.updated_by = _person(user) or locked.updated_by
    with pghistory.context(action=transition.action, note=note or reason or None):
        locked.save(update_fields=["status", "retraction_reason", "updated_by", "updated"])
    for name in ("status", "retraction_reason", "updated_by_id", "updated"):
        setattr(quote, name, getattr(locked, name))
    return quote


def quote_submit(*, quote: Quote, user=None) -> Quote:
    return quote_transition(quote=quote, status=Quote.Status.REVIEW, user=user)


def quote_send_back(*, quote: Quote, user=None, note: str = "") -> Quote:
    return quote_transition(quote=quote, status=Quote.Status.DRAFT, user=user, note=note)


def quote_publish(*, quote: Quote, user=None) -> Quote:
    return quote_transition(quote=quote, status=Quote.Status.PUBLISHED, user=user)


def quote_retract(*, quote: Quote, reason: str, user=None) -> Quote:
    return quote_transition(quote=quote, status=Quote.Status.RETRACTED, user=user, reason=reason)


def _check_publishable(quote: Quote) -> None:
    if not quote.citations.filter(excerpt__regex=r"\S").exists():
        raise TransitionNotAllowed(
            "A quote can be published only with at least one citation that has an excerpt: "
            "add the source and the passage as the source has it."
        )


def _person(user):
    return user if user is not None and user.is_authenticated else None


def _require(user, permission: str, message: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise NotPermitted(message)


# Citations -----------------------------------------------------------------------------


@transaction.atomic
def citation_verify(*, citation: Citation, user) -> Citation:
    """Record that ``user`` checked the excerpt against the source (reviewers only)."""
    _require(user, "quotes.verify_citation", "Only reviewers may verify citations.")
    citation = Citation.objects.select_for_update().select_related("source").get(pk=citation.pk)
    if not citation.excerpt.strip():
        raise TransitionNotAllowed(
            f"The citation of “{citation.source}” has no excerpt to verify: add the passage "
            "as the source has it first."
        )
    citation.full_clean()  # the excerpt must still occur in the source's full text
    citation.verified_by, citation.verified_at = _person(user), timezone.now()
    with pghistory.context(action="verify"):
        citation.save(update_fields=["verified_by", "verified_at", "updated"])
    return citation


@transaction.atomic
def citation_unverify(*, citation: Citation, user) -> Citation:
    """Withdraw a verification (reviewers only)."""
    _require(user, "quotes.verify_citation", "Only reviewers may withdraw a verification.")
    citation.verified_by, citation.verified_at = None, None
    with pghistory.context(action="unverify"):
        citation.save(update_fields=["verified_by", "verified_at", "updated"])
    return citation


# Users ---------------------------------------------------------------------------------


@transaction.atomic
def user_make_editor(
    *, username: str, reviewer: bool = False, password: str | None = None, email: str = ""
):
    """Create or update a staff account in the Editors group, and in Reviewers if asked.

    Reviewers are in both groups: the Reviewers group adds publishing, retracting,
    merging and verifying to what editors do.
    """
    user, created = get_user_model().objects.get_or_create(username=username)
    user.is_staff = True
    if email:
        user.email = email
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    reviewers = Group.objects.get(name=REVIEWERS_GROUP)
    if reviewer:
        user.groups.add(reviewers)
    else:
        user.groups.remove(reviewers)
    return user


# Edit conflicts ------------------------------------------------------------------------


def record_check_version(*, obj: models.Model, version: int) -> None:
    """Lock ``obj`` until the transaction ends and refuse if it changed since ``version``.

    Call inside the transaction that saves ``obj``. Raises ``EditConflict`` listing the
    changes made since (``quotes.history.HistoryEntry``).
    """
    type(obj)._base_manager.select_for_update().filter(pk=obj.pk).exists()  # takes the lock
    current = history.record_version(obj)
    if current == version:
        return
    changes = history.record_history(obj, since=version)
    who = sorted({entry.who for entry in changes}) or ["someone"]
    raise EditConflict(
        f"{', '.join(who)} changed this {obj._meta.verbose_name} after you opened it. Your "
        "changes were not saved.",
        changes,
    )


# History -------------------------------------------------------------------------------

# What a revert leaves alone: identity and bookkeeping, and the workflow status, which
# changes only through its own steps.
REVERT_KEEPS = {
    "id",
    "key",
    "created",
    "updated",
    "created_by",
    "updated_by",
    "said_start",
}
QUOTE_REVERT_KEEPS = REVERT_KEEPS | {"status", "retraction_reason"}


@transaction.atomic
def quote_revert(*, quote: Quote, event_id: int, user=None) -> Quote:
    """Bring back the quote, its translations, citations and topics as they were right
    after history entry ``event_id`` (a ``HistoryEntry.version``). Key and status stay."""
    _require(user, "quotes.change_quote", "Only editors may revert quotes.")
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    entries = _check_revertable(quote, event_id)
    if any(entry.action == "merge" and entry.version > event_id for entry in entries):
        raise RevertNotPossible(
            "Another quote was merged into this one after that version; reverting would "
            "lose its citations. Edit the quote instead."
        )
    state = history.record_state_at(quote, event_id)
    with pghistory.context(action="revert", note=f"reverted to version {event_id}"):
        _restore_fields(quote, state["quote"][quote.pk], QUOTE_REVERT_KEEPS)
        _restore_rows(quote.translations.all(), state["translation"], Translation, quote)
        _restore_rows(quote.citations.all(), state["citation"], Citation, quote)
        quote.topics.set(
            {event.topic_id for event in state["topic"].values()}
            & set(quote.topics.model.objects.values_list("pk", flat=True))
        )
        chosen = quote.role if quote.role_resolution == Resolution.EXPLICIT else None
        quote_save(quote=quote, chosen_role=chosen, user=user)
    return quote


@transaction.atomic
def quote_write(
    *,
    quote: Quote,
    chosen_role: Affiliation | None = None,
    user=None,
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
        _children_replace(
            quote.translations.all(),
            translations,
            match="language",
            make=lambda: Translation(quote=quote),
            field="translations",
        )
    if citations is not None:
        _children_replace(
            quote.citations.all(),
            citations,
            match="source",
            make=lambda: Citation(quote=quote),
            field="citations",
        )
    return quote


@transaction.atomic
def record_revert(*, obj: models.Model, event_id: int, user=None) -> models.Model:
    """Bring back the fields of a speaker, organization, source, affiliation… as they were
    right after ``event_id``. Its key stays; a quote's parts are reverted by
    ``quote_revert``."""
    if isinstance(obj, Quote):
        return quote_revert(quote=obj, event_id=event_id, user=user)
    opts = obj._meta
    _require(user, f"{opts.app_label}.change_{opts.model_name}", "You may not change this.")
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    _check_revertable(obj, event_id)
    state = history.record_state_at(obj, event_id)
    with pghistory.context(action="revert", note=f"reverted to version {event_id}"):
        _restore_fields(obj, state[history.parts_of(type(obj))[0].name][obj.pk], REVERT_KEEPS)
        if isinstance(obj, Affiliation):
            affiliation_save(affiliation=obj)
        else:
            obj.full_clean()
            obj.save()
    return obj


def _check_revertable(obj: models.Model, event_id: int) -> list[history.HistoryEntry]:
    entries = history.record_history(obj)
    if event_id not in {entry.version for entry in entries}:
        raise RevertNotPossible(f"Version {event_id} is not in the history of “{obj}”.")
    return entries


def _restore_fields(obj: models.Model, event: models.Model, keep: set[str]) -> None:
    for field in type(obj)._meta.concrete_fields:
        if field.name in keep or field.generated:
            continue
        value = getattr(event, field.attname)
        gone = (
            field.is_relation
            and value is not None
            and not field.related_model._base_manager.filter(pk=value).exists()
        )
        if gone and not field.null:
            raise RevertNotPossible(
                f"The {field.verbose_name} of that version (#{value}) no longer exists."
            )
        setattr(obj, field.attname, None if gone else value)


def _restore_rows(
    current: models.QuerySet, wanted: dict[int, Any], model: type[models.Model], parent: Quote
) -> None:
    """Make the parent's rows of ``model`` those of the version: delete, update, recreate."""
    existing = {row.pk: row for row in current}
    for pk, row in existing.items():
        if pk not in wanted:
            row.delete()
    for pk, event in wanted.items():
        row = existing.get(pk) or model(pk=pk)
        _restore_fields(row, event, REVERT_KEEPS)
        row.quote = parent
        row.full_clean(validate_unique=False)
        row.save()


# Merges --------------------------------------------------------------------------------


@transaction.atomic
def quote_merge(*, survivor: Quote, duplicate: Quote, user=None) -> Quote:
    """Merge ``duplicate`` into ``survivor`` (reviewers only) and delete it.

    Citations, translations and topics are combined; the survivor's text, date, role and
    status stay, and its empty fields are filled from the duplicate. The duplicate's key
    (and any key merged into it before) leads to the survivor from now on.
    """
    _require(user, "quotes.merge_quote", "Only reviewers may merge quotes.")
    survivor, duplicate = _lock_pair(Quote, survivor, duplicate, "quote")
    if survivor.speaker_id != duplicate.speaker_id:
        raise MergeNotAllowed(
            f"“{survivor.key}” and “{duplicate.key}” have different speakers; correct the "
            "speaker of the wrong one before merging."
        )
    with pghistory.context(action="merge", note=f"{duplicate.key} merged into {survivor.key}"):
        _merge_citations(survivor, duplicate)
        _merge_translations(survivor, duplicate)
        survivor.topics.add(*duplicate.topics.all())
        _fill_blanks(survivor, duplicate, ["context", "said"])
        survivor.updated_by = _person(user) or survivor.updated_by
        survivor.save()
        _redirect_keys(KeyRedirect.Kind.QUOTE, duplicate, survivor, user)
        duplicate.delete()
    return survivor


@transaction.atomic
def speaker_merge(*, survivor: Speaker, duplicate: Speaker, user=None) -> Speaker:
    """Merge ``duplicate`` into ``survivor`` (reviewers only) and delete it.

    Quotes and affiliations move to the survivor (an affiliation it already has is not
    doubled); the duplicate's names become the survivor's other names; empty fields are
    filled from the duplicate. The duplicate's key leads to the survivor from now on.
    """
    _require(user, "quotes.merge_speaker", "Only reviewers may merge speakers.")
    survivor, duplicate = _lock_pair(Speaker, survivor, duplicate, "speaker")
    if survivor.wikidata and duplicate.wikidata and survivor.wikidata != duplicate.wikidata:
        raise MergeNotAllowed(
            f"{survivor.name} ({survivor.wikidata}) and {duplicate.name} ({duplicate.wikidata}) "
            "are different Wikidata items, so not the same person."
        )
    with pghistory.context(action="merge", note=f"{duplicate.key} merged into {survivor.key}"):
        _merge_affiliations(survivor, duplicate)
        _merge_names(survivor, duplicate)
        duplicate.quotes.update(speaker=survivor, updated=timezone.now())
        _fill_blanks(survivor, duplicate, ["country", "description", "wikidata"])
        survivor.save()
        _redirect_keys(KeyRedirect.Kind.SPEAKER, duplicate, survivor, user)
        duplicate.delete()
        speaker_quotes_reresolve(speaker=survivor)
    return survivor


def _lock_pair(model, survivor, duplicate, noun: str):
    if survivor.pk == duplicate.pk:
        raise MergeNotAllowed(f"A {noun} cannot be merged into itself.")
    locked = model.objects.select_for_update().order_by("pk").in_bulk([survivor.pk, duplicate.pk])
    if len(locked) != 2:
        raise MergeNotAllowed(f"One of the two {noun}s no longer exists.")
    return locked[survivor.pk], locked[duplicate.pk]


def _fill_blanks(survivor: models.Model, duplicate: models.Model, names: list[str]) -> None:
    for name in names:
        if getattr(survivor, name) in (None, "") and getattr(duplicate, name) not in (None, ""):
            setattr(survivor, name, getattr(duplicate, name))


def _merge_citations(survivor: Quote, duplicate: Quote) -> None:
    kept = {citation.source_id: citation for citation in survivor.citations.all()}
    for citation in duplicate.citations.all():
        twin = kept.get(citation.source_id)
        if twin is None:
            citation.quote = survivor
            citation.save(update_fields=["quote", "updated"])
            continue
        if not twin.excerpt.strip() and citation.excerpt.strip():
            twin.excerpt = citation.excerpt
            twin.verified_by, twin.verified_at = citation.verified_by, citation.verified_at
            twin.save()
        elif twin.verified_at is None and citation.verified_at and twin.excerpt == citation.excerpt:
            twin.verified_by, twin.verified_at = citation.verified_by, citation.verified_at
            twin.save()
        citation.delete()


def _merge_translations(survivor: Quote, duplicate: Quote) -> None:
    kept = {translation.language: translation for translation in survivor.translations.all()}
    for translation in duplicate.translations.all():
        twin = kept.get(translation.language)
        if twin is None:
            translation.quote = survivor
            translation.save(update_fields=["quote", "updated"])
            continue
        if translation.official and not twin.official:
            twin.text, twin.official = translation.text, True
            twin.save()
        translation.delete()


def _merge_affiliations(survivor: Speaker, duplicate: Speaker) -> None:
    kept = {(a.organization_id, a.role, a.start, a.end): a for a in survivor.affiliations.all()}
    for affiliation in duplicate.affiliations.all():
        twin = kept.get(
            (affiliation.organization_id, affiliation.role, affiliation.start, affiliation.end)
        )
        if twin is None:
            affiliation.speaker = survivor
            affiliation.save(update_fields=["speaker", "updated"])
        else:
            Quote.objects.filter(role=affiliation).update(role=twin, updated=timezone.now())
            affiliation.delete()


def _merge_names(survivor: Speaker, duplicate: Speaker) -> None:
    taken = {(n.name, n.language) for n in survivor.names.all()} | {(survivor.name, "")}
    for name in duplicate.names.all():
        if (name.name, name.language) in taken:
            name.delete()
        else:
            name.speaker = survivor
            name.save(update_fields=["speaker"])
            taken.add((name.name, name.language))
    if (duplicate.name, "") not in taken:
        SpeakerName.objects.create(speaker=survivor, name=duplicate.name, language="")


def _redirect_keys(kind: str, duplicate: models.Model, survivor: models.Model, user) -> None:
    KeyRedirect.objects.filter(**{kind: duplicate}).update(**{kind: survivor})
    KeyRedirect.objects.update_or_create(
        kind=kind,
        old_key=duplicate.key,
        defaults={kind: survivor, "created_by": _person(user)},
    )


@transaction.atomic
def speaker_write(
    *,
    speaker: Speaker,
    names: Iterable[dict] | None = None,
    affiliations: Iterable[dict] | None = None,
) -> Speaker:
    """Save a speaker with its other names and affiliations (each left as it is when None).

    Affiliations are matched on organization, title and start; those not given are removed,
    and the roles of the speaker's quotes are resolved again.
    """
    speaker.full_clean()
    speaker.save()
    if names is not None:
        _children_replace(
            speaker.names.all(),
            names,
            match=("name", "language"),
            make=lambda: SpeakerName(speaker=speaker),
            field="names",
        )
    if affiliations is not None:
        _affiliations_replace(speaker, list(affiliations))
    return speaker


def _affiliations_replace(speaker: Speaker, items: list[dict]) -> None:
    existing = {
        (a.organization_id, a.role, str(a.start or "")): a for a in speaker.affiliations.all()
    }
    for index, item in enumerate(items):
        key = (item["organization"].pk, item["title"], str(item.get("start") or ""))
        affiliation = existing.pop(key, None) or Affiliation(speaker=speaker)
        affiliation.organization = item["organization"]
        affiliation.role = item["title"]
        affiliation.start = item.get("start")
        affiliation.end = item.get("end")
        try:
            affiliation_save(affiliation=affiliation)
        except ValidationError as error:
            raise _nested_error("affiliations", index, error) from error
    for stale in existing.values():
        affiliation_delete(affiliation=stale)


def _children_replace(current, items: Iterable[dict], *, match, make, field: str) -> None:
    """Update, create and delete child records so that they become ``items``."""
    names = (match,) if isinstance(match, str) else match
    existing = {tuple(getattr(child, n) for n in names): child for child in current}
    for index, item in enumerate(items):
        key = tuple(item.get(n, "") for n in names)
        child = existing.pop(key, None) or make()
        for name, value in item.items():
            setattr(child, name, value)
        try:
            child.full_clean()
        except ValidationError as error:
            raise _nested_error(field, index, error) from error
        child.save()
    for stale in existing.values():
        stale.delete()


def _nested_error(field: str, index: int, error: ValidationError) -> ValidationError:
    messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    return ValidationError(
        {
            field: [
                f"item {index + 1}: {name + ': ' if name not in ('', '__all__') else ''}{m}"
                for name, items in messages.items()
                for m in items
            ]
        }
    )


if TYPE_CHECKING:
    from quotes.interchange.importer import ImportReport, ProgressFactory, RecordInput


def records_import(
    *,
    lines_or_stream: RecordInput,
    dry_run: bool,
    user=None,
    label: str = "",
    progress: ProgressFactory | None = None,
) -> ImportReport:
    """Import an interchange file (docs/interchange.md) in one transaction, or nothing.

    Every line is validated before anything is written; with ``dry_run`` the import is
    rolled back after counting what it would create, update and leave unchanged. See
    ``quotes.interchange.importer.records_import``.
    """
    # Imported here: jsonschema and the schema file are needed only by imports.
    from quotes.interchange import importer

    return importer.records_import(
        lines_or_stream=lines_or_stream,
        dry_run=dry_run,
        user=user,
        label=label,
        progress=progress,
    )
