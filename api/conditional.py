"""ETags and If-Match, so that an editor's write never silently overwrites another's.

A record's ETag is its version (``history.record_version``): the id of the latest
recorded change to the record or its parts (a quote's translations, citations and topics;
a speaker's other names and affiliations). It identifies what a write would overwrite,
not the bytes of a representation: a quote's ETag does not change when its speaker is
renamed. So the API honours it in ``If-Match`` and does not answer ``If-None-Match``.

``If-Match`` on ``PUT``, ``PATCH``, ``DELETE`` (and a merge): one or more ETags, of which
the current one must be; ``*`` matches any existing record; without the header the write
is unconditional. Models without history (topics) carry no ETag: only ``*`` matches them.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.http import parse_etags
from rest_framework.exceptions import ValidationError

from quotes import history, services
from quotes.exceptions import EditConflict

VERSION_TAG = re.compile(r'^"(\d{1,18})"$')
MAX_IF_MATCH_TAGS = 16


class PreconditionFailed(Exception):
    """An If-Match that names none of the record's current version: HTTP 412."""

    def __init__(self, obj: models.Model, message: str, changes: list | None = None):
        super().__init__(message)
        self.obj = obj
        self.message = message
        self.changes = changes or []


def etag(obj: models.Model) -> str | None:
    """The record's ETag (a quoted version), or None for a model without history."""
    if not history.is_tracked(type(obj)):
        return None
    return f'"{history.record_version(obj)}"'


def etag_headers(obj: models.Model) -> dict[str, str]:
    tag = etag(obj)
    return {"ETag": tag} if tag else {}


def check_if_match(request, obj: models.Model) -> None:
    """Refuse the write unless the request's If-Match names ``obj``'s current version.

    Call inside the transaction that writes ``obj``: the record stays locked until it
    ends, so that of two writers sending the same ETag only the first gets through.
    Raises ``PreconditionFailed`` (412), or a ValidationError (400) for a malformed header.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return
    if header.count(",") >= MAX_IF_MATCH_TAGS:  # before parsing: bounded work either way
        raise ValidationError(
            {"If-Match": [f"Send at most {MAX_IF_MATCH_TAGS} ETags (normally the one read)."]}
        )
    tags = parse_etags(header)
    if tags == ["*"]:
        return
    if not tags:
        raise ValidationError(
            {"If-Match": ['Send * or the ETag exactly as received, in quotes: "123".']}
        )
    versions = sorted(
        {int(match[1]) for tag in tags if (match := VERSION_TAG.match(tag))}, reverse=True
    )
    if not versions or not history.is_tracked(type(obj)):
        raise PreconditionFailed(
            obj,
            f"If-Match {header.strip()} is not a version of this "
            f"{obj._meta.verbose_name}; read it again for its ETag.",
        )
    conflict = None
    for version in versions:
        try:
            services.record_check_version(obj=obj, version=version)
            return
        except EditConflict as error:
            conflict = conflict or error  # the newest version given lists the fewest changes
    raise PreconditionFailed(obj, conflict.message, conflict.changes)
