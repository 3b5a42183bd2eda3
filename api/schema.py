"""OpenAPI description of what every record endpoint shares: the ETag it answers with,
the If-Match its writes honour and their 412 (see api/conditional.py), the redirect from
the key of a merged record, anonymous access where it is allowed, the rate-limit headers,
and every error an operation can answer with."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from api.conditional import MAX_IF_MATCH_TAGS
from quotes import history

ETAG = OpenApiParameter(
    "ETag",
    location=OpenApiParameter.HEADER,
    response=[200, 201, 412],
    description="The record's version: send it back in If-Match to write only over this version.",
)
# What api.conditional.check_if_match takes: * or 1 to MAX_IF_MATCH_TAGS entity tags
# (RFC 9110: optionally weak, quoted, printable ASCII but for " and the comma that
# separates them); anything else is a 400. A well-formed tag of another version is a 412.
_TAG = r'(W/)?"[\x21\x23-\x2b\x2d-\x7e]*"'
_SPACE = r"[ \t]*"
IF_MATCH_PATTERN = (
    rf"^{_SPACE}(\*|{_TAG}({_SPACE},{_SPACE}{_TAG}){{0,{MAX_IF_MATCH_TAGS - 1}}}){_SPACE}$"
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    location=OpenApiParameter.HEADER,
    type={"type": "string", "pattern": IF_MATCH_PATTERN},
    description='The ETag read before (e.g. "123"; several may be given, separated by '
    "commas): the write is refused with 412 if the record changed since. * matches any "
    f"version; without the header the write is unconditional. At most {MAX_IF_MATCH_TAGS} tags.",
)


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A client key for reading, with the prefix "Api-Key": '
            "Authorization: Api-Key KEY (see `manage.py create_api_key`).",
        }


class BoundedFilters(DjangoFilterExtension):
    """The filters' parameters, with the length limits that their forms enforce (a longer
    value is a 400), which drf-spectacular leaves out, and the empty value of a choice."""

    target_class = "api.filters.StrictFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        limit = filter_field.extra.get("max_length")
        for parameter in parameters:
            schema = parameter["schema"]
            if limit is not None and schema.get("type") == "string":
                schema["maxLength"] = min(schema.get("maxLength", limit), limit)
            if "enum" in schema and "" not in schema["enum"]:
                schema["enum"] = [*schema["enum"], ""]  # an empty value is no filter
        return parameters


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")


ERRORS = {
    "400": (
        OpenApiTypes.OBJECT,
        "A parameter, header or field is malformed: each is named with what is wrong "
        '({"said_after": ["…"]}), or "detail" says what (a body that is not JSON).',
    ),
    "401": (
        ErrorSerializer,
        "The credentials sent (token, client key) are unknown, revoked "
        "or malformed; a write sent none.",
    ),
    "403": (
        ErrorSerializer,
        "The client may not do this (e.g. a write without the "
        "permission, or a client key, which only reads).",
    ),
    "404": (ErrorSerializer, "No such record, or a page past the last one."),
    "409": (
        OpenApiTypes.OBJECT,
        'The write conflicts with other records: "detail" says '
        'how (e.g. a record still referred to; similar quotes, listed in "similar").',
    ),
    "413": (ErrorSerializer, "The request body is larger than ONRECORD_MAX_BODY_BYTES."),
    "414": (
        None,
        "The address with its query is longer than the server reads (gunicorn: 4094 bytes); "
        "it answers before the application, in HTML.",
    ),
    "429": (ErrorSerializer, "Past the client's rate limit; Retry-After says when to retry."),
    "503": (
        ErrorSerializer,
        "A query took longer than the statement timeout, or a search waited too long for "
        "its turn; retry after Retry-After seconds, or narrow the request down.",
    ),
}
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": "Requests allowed in the current window.",
    "RateLimit-Remaining": "Requests left in the current window.",
    "RateLimit-Reset": "Seconds until the window ends.",
}
RETRY_AFTER = {"Retry-After": "Seconds to wait before trying again."}


def allows_anonymous(view, method: str) -> bool:
    """Whether the view's permissions let a client without credentials read."""
    if method not in SAFE_METHODS:
        return False
    request = SimpleNamespace(method=method, user=AnonymousUser(), auth=None)
    return all(p.has_permission(request, view) for p in view.get_permissions())


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
        if getattr(self.view, "detail", False) and getattr(
            self.view, "redirects_merged_keys", False
        ):
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
        if direction == "response":
            self.add_errors(responses)
        return responses

    def _get_request_body(self, direction="request"):
        """A PATCH names the fields it changes and the intake's report is one of its
        alternatives: neither can be left out (the server answers 400 without one), though
        drf-spectacular infers a body without required properties to be optional."""
        body = super()._get_request_body(direction)
        if body is not None and (
            self.method == "PATCH" or getattr(self.view, "body_required", False)
        ):
            body["required"] = True
        return body

    def add_errors(self, responses: dict) -> None:
        for code in self.error_codes():
            schema, description = ERRORS[code]
            response = OpenApiResponse(schema, description=description)
            # Errors are answered in JSON, also by an operation that can answer a download.
            media = ["application/json"] if schema is not None else None
            responses.setdefault(code, self._get_response_for_code(response, code, media))
        for code, response in responses.items():
            headers = {**RATE_LIMIT_HEADERS, **(RETRY_AFTER if code in ("429", "503") else {})}
            response.setdefault("headers", {}).update(
                {
                    name: {"schema": {"type": "integer"}, "description": text}
                    for name, text in headers.items()
                }
            )

    def error_codes(self) -> list[str]:
        """400, 401, 403, 404, 414, 429 and 503 everywhere (a public list still refuses
        anonymous filters on drafts with 403); 409 and 413 for writes."""
        codes = ["400", "401", "403", "404", "414", "429", "503"]
        if self.method not in SAFE_METHODS:
            codes += ["409", "413"]
        return sorted(codes)

    def get_auth(self) -> list:
        auths = super().get_auth()
        if allows_anonymous(self.view, self.method) and {} not in auths:
            auths.append({})
        return auths


NO_NUL = "^[^\\x00]*$"


def strings_refuse_nul(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: every free string says it cannot hold a NUL byte, as is true
    (PostgreSQL cannot store one, and the API refuses it with a 400)."""
    pending = [result.get("components", {}), result.get("paths", {})]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if node.get("type") == "string" and not {"pattern", "enum", "format"} & set(node):
                node["pattern"] = NO_NUL
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return result
