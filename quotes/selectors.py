"""Reads the admin and the API share: records by their current or old keys."""

from __future__ import annotations

from django.db import models

from quotes.models import TARGETS, KeyRedirect, Occasion, Quote, Speaker


def record_by_key(model: type[models.Model], key: str) -> tuple[models.Model | None, bool]:
    """The record of ``model`` with ``key``, or the one that an old key (of a merged or
    renamed record) leads to. Returns (record, redirected): the API answers a redirected
    key with a 301 (308 for writes)."""
    record = model.objects.filter(key=key).first()
    if record is not None:
        return record, False
    kind = model._meta.model_name
    if kind not in TARGETS:  # topics keep no old keys
        return None, False
    redirect = KeyRedirect.objects.filter(kind=kind, old_key=key).select_related(kind).first()
    return (redirect.target, True) if redirect else (None, False)


def quote_by_key(key: str) -> tuple[Quote | None, bool]:
    return record_by_key(Quote, key)


def speaker_by_key(key: str) -> tuple[Speaker | None, bool]:
    return record_by_key(Speaker, key)


def occasion_by_key(key: str) -> tuple[Occasion | None, bool]:
    return record_by_key(Occasion, key)
