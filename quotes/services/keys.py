"""Old keys: a renamed or merged record's key keeps leading to it (HTTP 301/308)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from quotes.actors import Actor, person
from quotes.models import KeyRedirect


def key_taken_by_redirect(*, obj: models.Model, key: str) -> bool:
    """Whether ``key`` is an old key that leads to another record of ``obj``'s type."""
    kind = obj._meta.model_name
    return (
        KeyRedirect.objects.filter(kind=kind, old_key=key)
        .exclude(**{f"{kind}_id": obj.pk})
        .exists()
    )


def record_key_rename(*, obj: models.Model, old_key: str, user: Actor) -> None:
    """After ``obj`` (saved) took a new key, make ``old_key`` lead to it.

    A record renamed back to one of its old keys takes it back from the redirects.
    """
    kind = obj._meta.model_name
    if key_taken_by_redirect(obj=obj, key=obj.key):
        raise ValidationError(
            {"key": f"{obj.key} is the old key of another {kind}; old links lead there."}
        )
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
