"""Old keys: a renamed or merged record's key keeps leading to it (HTTP 301/308)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models

from quotes.actors import Actor, person
from quotes.models import KeyRedirect


def keys_taken_by_redirects(*, kind: str, keys: Iterable[tuple[str, int | None]]) -> dict[str, str]:
    """Of the ``(key, record id)`` pairs given (id None for a new record), the keys that are
    old keys of another record of ``kind``: key -> that record's current key.

    The one rule of keys taken by redirects, in one query: ``check_key_free`` asks it for
    one record, the importer for a batch.
    """
    wanted = dict(keys)
    if not wanted or kind not in KeyRedirect.Kind.values:  # topics keep no old keys
        return {}
    redirects = KeyRedirect.objects.filter(kind=kind, old_key__in=wanted).select_related(kind)
    return {
        redirect.old_key: redirect.target.key
        for redirect in redirects
        if getattr(redirect, f"{kind}_id") != wanted[redirect.old_key]
    }


def key_taken_by_redirect(*, obj: models.Model, key: str) -> bool:
    """Whether ``key`` is an old key that leads to another record of ``obj``'s type."""
    return bool(keys_taken_by_redirects(kind=obj._meta.model_name, keys=[(key, obj.pk)]))


def key_taken_message(kind: str, key: str, target: str) -> str:
    return f"{key} is an old key of the {kind} {target}: old links lead there. Choose another key."


def check_key_free(*, obj: models.Model) -> None:
    """Refuse a new or renamed record whose key is an old key of another record of its
    type: taking it would hide the redirect that old links follow."""
    kind = obj._meta.model_name
    if kind not in KeyRedirect.Kind.values:
        return  # topics have no old keys
    taken = keys_taken_by_redirects(kind=kind, keys=[(obj.key, obj.pk)])
    if taken:
        raise ValidationError({"key": key_taken_message(kind, obj.key, taken[obj.key])})


def free_key(*, model: type[models.Model], base: str, exclude_pk: int | None = None) -> str:
    """``base``, or ``base-2``, ``base-3``…: the first key neither a record of ``model`` nor
    an old key of one holds (old keys keep leading to their records)."""
    taken = set(
        model._base_manager.filter(key__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("key", flat=True)
    )
    kind = model._meta.model_name
    taken.update(
        KeyRedirect.objects.filter(kind=kind, old_key__startswith=base).values_list(
            "old_key", flat=True
        )
    )
    candidate, counter = base, 1
    while candidate in taken:
        counter += 1
        candidate = f"{base}-{counter}"
    return candidate


def record_key_rename(*, obj: models.Model, old_key: str, user: Actor) -> None:
    """After ``obj`` (saved) took a new key, make ``old_key`` lead to it.

    A record renamed back to one of its old keys takes it back from the redirects.
    """
    kind = obj._meta.model_name
    check_key_free(obj=obj)
    KeyRedirect.objects.filter(kind=kind, old_key=obj.key).delete()
    if old_key and old_key != obj.key:
        KeyRedirect.objects.update_or_create(
            kind=kind,
            old_key=old_key,
            defaults={kind: obj, "cause": KeyRedirect.Cause.RENAME, "created_by": person(user)},
        )


def stored_key(obj: models.Model) -> str | None:
    """The key ``obj`` has in the database (None for a new record)."""
    if obj.pk is None:
        return None
    return type(obj)._base_manager.filter(pk=obj.pk).values_list("key", flat=True).first()
