"""``/api/schema/``: drf-spectacular's schema view, generating one request at a time."""

from __future__ import annotations

import threading

from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    """drf-spectacular loads its extensions on first use without a lock: threads of a
    worker generating the schema at once raised ImportError and AttributeError (500s for
    concurrent first requests). Once loaded, the lock costs nothing next to generating.
    (Not in api/schema.py, which drf-spectacular's views import through the settings.)
    """

    _generating = threading.Lock()

    def _get_schema_response(self, request):
        with self._generating:
            return super()._get_schema_response(request)
