"""The JSON Schema of the interchange format, and its errors in words an editor understands.

The schema shipped in ``docs/interchange.schema.json`` is the one the importer enforces, so
the published contract and the behaviour cannot drift apart. Each line is first checked with
jsonschema-rs, some fifty times faster; only a line it rejects goes through jsonschema, whose
errors carry what is needed to explain them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import jsonschema_rs
from django.conf import settings
from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from quotes.dates import ReducedDate

SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "interchange.schema.json"
JSON_TYPE_NAMES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "true or false",
    int: "a number",
    float: "a number",
    type(None): "null",
}
SCHEMA_TYPE_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "boolean": "true or false",
}


@functools.cache
def interchange_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def record_schema(record_type: str) -> dict:
    schema = interchange_schema()
    return {
        "$schema": schema["$schema"],
        "$defs": schema["$defs"],
        "$ref": f"#/$defs/{record_type}",
    }


@functools.cache
def record_validator(record_type: str) -> Draft202012Validator:
    return Draft202012Validator(record_schema(record_type))


@functools.cache
def fast_record_validator(record_type: str) -> jsonschema_rs.Draft202012Validator:
    # Formats are annotations in draft 2020-12, as for jsonschema.
    return jsonschema_rs.Draft202012Validator(record_schema(record_type), validate_formats=False)


def shown(value: object, limit: int = 80) -> str:
    """A value quoted for an error message, cut short when long."""
    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f'"{value}"'


def field_path(parts: Iterable[str | int]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path


def _date_problem(value: str) -> str:
    try:
        ReducedDate.parse(value)
    except ValidationError as error:
        return error.messages[0]
    return f"{shown(value)} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"


@functools.cache
def _pattern_messages() -> dict[str, Callable[[str], str]]:
    defs = interchange_schema()["$defs"]
    return {
        defs["key"]["pattern"]: lambda v: (
            f"{shown(v)} is not a key: use only letters, digits, hyphens, underscores and dots"
        ),
        defs["date"]["pattern"]: _date_problem,
        defs["language"]["pattern"]: lambda v: (
            f"{shown(v)} is not a BCP 47 language tag such as en, zh or pt-BR"
        ),
        defs["country"]["pattern"]: lambda v: (
            f"{shown(v)} is not an ISO 3166-1 alpha-2 country code such as CN or US"
        ),
        defs["wikidata"]["pattern"]: lambda v: f"{shown(v)} is not a Wikidata item id such as Q42",
        defs["url"]["pattern"]: lambda v: f"{shown(v)} is not an absolute URL such as https://…",
        defs["text"]["pattern"]: lambda v: "must not be empty",
    }


def _describe(error: SchemaError) -> Iterator[tuple[str, str]]:
    path = list(error.absolute_path)
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "required":
        for name in expected:
            if name not in value:
                yield field_path([*path, name]), "missing required field"
    elif kind == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        for name in sorted(set(value) - set(allowed)):
            yield field_path([*path, name]), f"unknown field; expected {', '.join(allowed)}"
    elif kind == "type":
        wanted = SCHEMA_TYPE_NAMES.get(expected, expected)
        yield field_path(path), f"expected {wanted}, got {JSON_TYPE_NAMES.get(type(value), value)}"
    elif kind == "enum":
        yield field_path(path), f"{shown(value)} is not one of: {', '.join(expected)}"
    elif kind == "maxLength":
        yield field_path(path), f"longer than {expected} characters ({len(value)})"
    elif kind == "pattern":
        describe = _pattern_messages().get(expected)
        yield field_path(path), describe(value) if describe else error.message
    elif kind == "uniqueItems":
        yield field_path(path), "lists the same value twice"
    else:
        yield field_path(path), error.message


def schema_errors(record: dict, record_type: str) -> list[tuple[str, str]]:
    """Every way ``record`` breaks the schema of its type, as (field, message) pairs."""
    if fast_record_validator(record_type).is_valid(record):
        return []
    errors = record_validator(record_type).iter_errors(record)
    found = [problem for error in errors for problem in _describe(error)]
    return sorted(set(found))
