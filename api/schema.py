"""OpenAPI description of what every record endpoint shares: the ETag it answers with,
the If-Match its writes honour and their 412 (see api/conditional.py), and the redirect
from the key of a merged record."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from quotes import history

ETAG = OpenApiParameter(
    "ETag",
    location=OpenApiParameter.HEADER,
    response=[200, 201, 412],
    description="The record's version: send it back in If-Match to write only over this version.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    location=OpenApiParameter.HEADER,
    description='The ETag read before (e.g. "123"; several may be given, separated by '
    "commas): the write is refused with 412 if the record changed since. * matches any "
    "version; without the header the write is unconditional.",
)
CONDITIONAL_ACTIONS = {"update", "partial_update", "destroy", "merge"}
ETAG_ACTIONS = {"retrieve", "create", *CONDITIONAL_ACTIONS}


class RecordSchema(AutoSchema):
    def _versioned(self) -> bool:
        serializer_class = getattr(self.view, "serializer_class", None)
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        return model is not None and history.is_tracked(model)

    def _action(self) -> str | None:
        return getattr(self.view, "action", None)

    def get_override_parameters(self) -> list:
        parameters = list(super().get_override_parameters())
        if self._action() in CONDITIONAL_ACTIONS:
            parameters.append(IF_MATCH)
        if self._action() in ETAG_ACTIONS and self._versioned():
            parameters.append(ETAG)
        return parameters

    def _get_response_bodies(self, direction="response") -> dict:
        responses = super()._get_response_bodies(direction)
        if self.view.detail and getattr(self.view, "redirects_merged_keys", False):
            code = "301" if self.method in ("GET", "HEAD") else "308"
            moved = OpenApiResponse(
                description="An old key of a record (renamed, or merged into another): "
                "Location gives the same address under the record's current key."
            )
            responses[code] = self._get_response_for_code(moved, code)
        if self._action() in CONDITIONAL_ACTIONS:
            from api.serializers import PreconditionFailedSerializer

            failed = OpenApiResponse(
                PreconditionFailedSerializer,
                description="If-Match names another version: what changed since.",
            )
            responses["412"] = self._get_response_for_code(failed, "412")
        return responses
