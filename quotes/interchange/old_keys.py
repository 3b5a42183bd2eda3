"""The old keys of imported records: each record's ``old_keys`` become its redirects."""

from __future__ import annotations

from django.db.models import Q

from quotes.models import KeyRedirect


def old_keys_replace(kind: str, written: list[tuple]) -> None:
    """Make the redirects of each written (record, canonical record) pair its ``old_keys``.

    An old key that leads to another record of the type now leads to this one: the file
    is the record. A record without ``old_keys`` keeps none.
    """
    if not written:
        return
    wanted = {obj.pk: set(record.get("old_keys", [])) for obj, record in written}
    stored = KeyRedirect.objects.filter(**{f"{kind}_id__in": list(wanted)})
    current = {(getattr(r, f"{kind}_id"), r.old_key) for r in stored}
    stale = [(pk, key) for pk, key in current if key not in wanted[pk]]
    if stale:
        condition = Q()
        for pk, key in stale:
            condition |= Q(**{f"{kind}_id": pk}, old_key=key)
        KeyRedirect.objects.filter(condition, kind=kind).delete()
    missing = [(pk, key) for pk, keys in wanted.items() for key in keys if (pk, key) not in current]
    if missing:
        KeyRedirect.objects.filter(kind=kind, old_key__in=[key for _, key in missing]).delete()
        KeyRedirect.objects.bulk_create(
            KeyRedirect(
                kind=kind, old_key=key, cause=KeyRedirect.Cause.RENAME, **{f"{kind}_id": pk}
            )
            for pk, key in missing
        )
