"""Fields and bases every serializer of the API builds on: strict text, keys, reduced dates,
country codes, records named by key."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django_countries import countries
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from quotes.dates import ReducedDate
from quotes.validators import KEY_PATTERN

KEY_SHAPE = re.compile(KEY_PATTERN)


class StrictCharField(serializers.CharField):
    """Text, and only text: a JSON number or boolean where a string belongs is a 400, as the
    schema says (DRF's CharField would take 0 for "0")."""

    default_error_messages = {"not_a_string": "Send a string, not {type}."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string", type=type(data).__name__)
        return super().to_internal_value(data)


class KeyField(StrictCharField):
    """A key; unlike DRF's SlugField it may contain dots, as the model's validators allow."""

    def __init__(self, **kwargs):
        kwargs.pop("allow_unicode", None)
        super().__init__(**kwargs)


class BaseModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: KeyField,
    }


def assign_written(instance, attrs: dict, parts: tuple[str, ...] = ()) -> tuple[dict, str]:
    """Set a write's own fields on ``instance``; return its related ``parts`` and its
    correction note, which the service takes apart from the fields."""
    related = {name: attrs.pop(name) for name in parts if name in attrs}
    note = attrs.pop("correction_note", "")
    for name, value in attrs.items():
        setattr(instance, name, value)
    return related, note


class WholeItem:
    """A serializer mixin for the items of a nested list (a quote's translations, a
    speaker's names…): each item is given whole, in a PATCH too. A PATCH replaces the list,
    so an item without its required fields is a 400, where DRF, partial all the way down,
    would let it through without them."""

    def to_internal_value(self, data):
        if isinstance(data, dict) and getattr(self.root, "partial", False):
            missing = {
                name: [serializers.ErrorDetail("This field is required.", code="required")]
                for name, field in self.fields.items()
                if field.required and not field.read_only and name not in data
            }
            if missing:
                raise serializers.ValidationError(missing)
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "nullable": True, "example": "2023-10-14"})
class ReducedDateField(serializers.Field):
    """A date of year, month or day precision, kept as written: "1962" stays "1962"."""

    def to_representation(self, value) -> str:
        return str(value)

    def to_internal_value(self, data) -> ReducedDate | None:
        if data in ("", None):
            return None
        if not isinstance(data, str):
            kind = type(data).__name__
            raise serializers.ValidationError(f"Send the date as a string, not {kind}.")
        try:
            return ReducedDate.parse(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


@extend_schema_field({"type": "string", "example": "CN"})
class CountryCodeField(StrictCharField):
    """An ISO 3166-1 alpha-2 code; "" when unknown."""

    def to_representation(self, value) -> str:
        return getattr(value, "code", None) or ""

    def to_internal_value(self, data) -> str:
        code = super().to_internal_value(data).upper()
        if code and code not in countries:
            raise serializers.ValidationError(f'"{code}" is not an ISO 3166-1 alpha-2 code.')
        return code


class KeyRelatedField(serializers.SlugRelatedField):
    """Another record, written and shown by its key.

    A value that cannot be a key (a NUL byte, a space, a number) is refused before the
    database is asked, which could not compare it."""

    default_error_messages = {
        "invalid_key": "A key may contain only letters, digits, hyphens, underscores and dots.",
        "blank_key": "A key may not be empty: send null for none.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "key")
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        # DRF's related fields take "" for null; the schema says a key has a character at
        # least, so "" is refused as it documents.
        if data == "":
            self.fail("blank_key")
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not KEY_SHAPE.fullmatch(data) or len(data) > 200:
            self.fail("invalid_key")
        return super().to_internal_value(data)
