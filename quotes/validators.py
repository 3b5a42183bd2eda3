"""Validators shared by the models, the admin, the API and the importer."""

import re

import langcodes
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

WIKIDATA_PATTERN = r"^Q[1-9][0-9]*$"
LANGUAGE_SHAPE_PATTERN = r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$"
COUNTRY_SHAPE_PATTERN = r"^[A-Z]{2}$"
KEY_PATTERN = r"^[-a-zA-Z0-9_.]+$"

validate_wikidata_id = RegexValidator(
    WIKIDATA_PATTERN, "Enter a Wikidata item id such as Q42.", code="invalid_wikidata"
)
validate_key = RegexValidator(
    KEY_PATTERN,
    "A key may contain only letters, digits, hyphens, underscores and dots.",
    code="invalid_key",
)


def validate_language_tag(value: str) -> None:
    """Accept a well-formed BCP 47 tag with a known language (en, zh, pt-BR, zh-Hant)."""
    if not re.match(LANGUAGE_SHAPE_PATTERN, value or "") or not langcodes.tag_is_valid(value):
        raise ValidationError(
            f'"{value}" is not a BCP 47 language tag such as en, zh or pt-BR.',
            code="invalid_language",
        )


def normalize_language_tag(value: str) -> str:
    """Return the canonical spelling of a valid tag: "pt-br" becomes "pt-BR"."""
    validate_language_tag(value)
    return langcodes.standardize_tag(value)
