"""Search backends behind one interface (``base.py``), chosen by ``ONRECORD_SEARCH_BACKENDS``:
the tantivy text index (``tantivy.py``) by default, statements by meaning (lineage/backend.py)."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from search.backends.base import SearchBackend

DEFAULT_BACKENDS = {
    "default": "search.backends.tantivy.TantivyBackend",
    "meaning": "lineage.backend.MeaningBackend",
}


def get_search_backend(alias: str = "default") -> SearchBackend:
    """The backend configured under ``alias`` (a dotted path in ONRECORD_SEARCH_BACKENDS)."""
    backends = {**DEFAULT_BACKENDS, **getattr(settings, "ONRECORD_SEARCH_BACKENDS", {})}
    try:
        path = backends[alias]
    except KeyError:
        raise LookupError(f"No search backend is configured as {alias!r}.") from None
    return import_string(path)()
