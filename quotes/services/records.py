"""Helpers for services that save a record with its parts (translations, names…)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from quotes.actors import Actor
from quotes.models import Source
from quotes.permissions import require
from quotes.services.citations import citations_unverify_moved
from quotes.services.corrections import published_quotes_corrected, quotes_showing
from quotes.services.keys import check_key_free, record_key_rename, stored_key


def children_replace(
    current: Iterable[models.Model],
    items: Iterable[dict],
    *,
    match: str | tuple[str, ...],
    make: Callable[[], models.Model],
    field: str,
) -> bool:
    """Update, create and delete child records so that they become ``items``.

    Returns whether anything changed.
    """
    names = (match,) if isinstance(match, str) else match
    existing = {tuple(getattr(child, n) for n in names): child for child in current}
    changed = False
    for index, item in enumerate(items):
        key = tuple(item.get(n, "") for n in names)
        child = existing.pop(key, None) or make()
        if child.pk and all(getattr(child, name) == value for name, value in item.items()):
            continue
        for name, value in item.items():
            setattr(child, name, value)
        try:
            child.full_clean()
        except ValidationError as error:
            raise nested_error(field, index, error) from error
        child.save()
        changed = True
    for stale in existing.values():
        stale.delete()
        changed = True
    return changed


def nested_error(field: str, index: int, error: ValidationError) -> ValidationError:
    """A child record's error, reported on the parent's ``field`` with the item's number."""
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


def save_unique(obj: models.Model) -> None:
    """Save ``obj``, whose uniqueness ``full_clean`` checked: if another transaction took the
    same key or URL meanwhile, the unique constraint's refusal becomes the ValidationError
    (HTTP 400) that the check would have given a moment later, not a server error."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        obj.validate_unique()  # the other row is committed now: raises, naming the field
        raise


@transaction.atomic
def record_save(*, obj: models.Model, user: Actor, correction_note: str = "") -> models.Model:
    """Validate and save a speaker's own fields, an organization, a source or a topic.

    A change that alters what published quotes show (a speaker's name, an organization's
    name in a role, a cited source's title or address) needs ``correction_note``, which
    each of those quotes gets as a public correction (``corrections``); a source's new
    title or address withdraws the verifications of its citations.
    """
    require(user, "add" if obj._state.adding else "edit", obj._meta.model_name)
    old_key = stored_key(obj) if hasattr(obj, "old_keys") else None
    moved = source_moved(obj)
    obj.full_clean()
    check_key_free(obj=obj)
    with published_quotes_corrected(quotes=quotes_showing(obj), note=correction_note, user=user):
        save_unique(obj)
    if moved:
        citations_unverify_moved(source_ids=[obj.pk])
        _capture_moved(obj)
    if old_key is not None and old_key != obj.key:
        record_key_rename(obj=obj, old_key=old_key, user=user)
    return obj


def _capture_moved(source: Source) -> None:
    """A capture of a cited source's new address, deferred in this transaction (captures/)."""
    from captures.tasks import sources_capture_later

    if source.url and source.citations.exists():
        sources_capture_later(sources=[source])


def source_moved(obj: models.Model) -> bool:
    """Whether ``obj`` is a stored source whose title or address is about to change."""
    if not isinstance(obj, Source) or obj.pk is None:
        return False
    stored = Source.objects.filter(pk=obj.pk).values_list("url", "title").first()
    return stored is not None and stored != (obj.url, obj.title)
