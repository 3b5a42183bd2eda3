"""Shared parts of the domain's models: field makers, history tracking, timestamps and
who sees the unpublished record."""

from __future__ import annotations

from collections.abc import Iterable

import pghistory
from anyascii import anyascii
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Cast, Coalesce, NullIf, Substr
from django.db.models.lookups import Regex

from quotes.permissions import may
from quotes.validators import (
    validate_key,
    validate_language_tag,
)

KEY_LENGTH = 200


def key_field(**kwargs) -> models.SlugField:
    return models.SlugField(
        max_length=KEY_LENGTH,
        unique=True,
        validators=[validate_key],
        help_text="Stable external key, used in URLs and in the interchange format.",
        **kwargs,
    )


def user_field() -> models.ForeignKey:
    """Who did something to a record; kept (as empty) when the account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )


def language_field(**kwargs) -> models.CharField:
    return models.CharField(
        max_length=35,
        validators=[validate_language_tag],
        help_text="BCP 47 language tag: en, zh, ru, pt-BR…",
        **kwargs,
    )


def shape_check(field: str, pattern: str, *, blank: bool = False) -> models.CheckConstraint:
    # A lookup expression on a cast, because CountryField redefines ``__regex`` to match names.
    condition = Q(Regex(Cast(field, models.CharField()), pattern))
    if blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=f"%(class)s_{field}_shape")


def tracked(**options):
    """Record every insert, update and delete with database triggers (see docs/curation.md)."""
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **options
    )


def first_day_of(field: str) -> models.Func:
    """SQL for the first day of a reduced date; immutable, so generated columns may use it."""

    def part(start: int) -> Coalesce:
        return Coalesce(Cast(NullIf(Substr(field, start, 2), Value("")), models.IntegerField()), 1)

    return models.Func(
        Cast(Substr(field, 1, 4), models.IntegerField()),
        part(6),
        part(9),
        function="make_date",
        output_field=models.DateField(),
    )


def passages_of(field: str) -> models.Func:
    """SQL for the passages of a text (``onrecord_passages``, migration 0012): hashes of its
    runs of three consecutive words, which the similar-text check looks up by index
    (quotes/similarity.py). Immutable, so generated columns may use it."""
    return models.Func(
        models.F(field),
        function="onrecord_passages",
        output_field=ArrayField(models.IntegerField()),
    )


def passages_field() -> models.GeneratedField:
    return models.GeneratedField(
        expression=passages_of("text"),
        output_field=ArrayField(models.IntegerField()),
        db_persist=True,
        editable=False,
    )


class TransliterationField(models.TextField):
    """The field ``source`` in Latin letters (anyascii), derived whenever the row is saved:
    what the fuzzy speaker search compares names by (quotes/speaker_search.py), so that a
    name stored only in another script ("王毅") is found by its Latin spelling ("Wang Yi").
    Writers that bypass ``save()`` (COPY, ``bulk_update``) call ``derive_fields`` first."""

    def __init__(self, *args, source: str = "name", **kwargs):
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, {**kwargs, "source": self.source}

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = anyascii(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def derive_fields(objects: Iterable[models.Model], fields: Iterable[str]) -> list[str]:
    """Set the TransliterationFields of ``objects`` derived from ``fields``, as ``save()``
    would; return ``fields`` with them, for ``bulk_update``."""
    objects, fields = list(objects), list(fields)
    if not objects:
        return fields
    derived = [
        field
        for field in objects[0]._meta.concrete_fields
        if isinstance(field, TransliterationField) and field.source in fields
    ]
    for obj in objects:
        for field in derived:
            field.pre_save(obj, add=False)
    return [*fields, *(field.attname for field in derived)]


class TimeStamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def sees_everything(user) -> bool:
    """Editors see every record, drafts included; everyone else sees the public record."""
    return user is not None and user.is_authenticated and may(user, "view")


PUBLIC_STATUSES = ("published", "retracted")
