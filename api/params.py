"""Validation of query parameters: a malformed one is an HTTP 400 naming it, never a 500.

Filters are validated by their django-filter FilterSets (see ``filters.py``); the other
parameters (pagination, facets) by small Django forms through ``validate_params``. Each
parameter is given once (``SingleValuedParams``, on every API view).
"""

import re

from django import forms
from django.forms.utils import ErrorDict
from rest_framework.exceptions import ErrorDetail, ValidationError


def translate_validation(errors: ErrorDict) -> ValidationError:
    """A form's errors as DRF's ValidationError, keyed by parameter name.

    Unlike django-filter's helper of the same name, a message is %-formatted only when it
    has parameters, so that a value holding "%" (``?said_after=%25``) is quoted, not a 500.
    """
    return ValidationError(
        {
            name: [
                ErrorDetail(
                    error.message % error.params if error.params else error.message, code=error.code
                )
                for error in error_list
            ]
            for name, error_list in errors.as_data().items()
        }
    )


def refuse_repeated(query_params) -> None:
    """A parameter given more than once (``?page=1&page=2``) is a 400 naming it: the API's
    parameters each take one value, and which of several it took would be a guess."""
    repeated = sorted(name for name, values in query_params.lists() if len(values) > 1)
    if repeated:
        raise ValidationError({name: ["Give this parameter once."] for name in repeated})


class SingleValuedParams:
    """An API view mixin: ``refuse_repeated`` once the client is known to be let in."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_repeated(request.query_params)


def validate_params(form_class: type[forms.Form], query_params) -> dict:
    """The cleaned parameters, or a ValidationError (HTTP 400) keyed by parameter name."""
    form = form_class(query_params)
    if not form.is_valid():
        raise translate_validation(form.errors)
    return form.cleaned_data


class WholeNumberField(forms.IntegerField):
    default_error_messages = {"invalid": "Enter a whole number."}

    def to_python(self, value):
        # Django's IntegerField accepts "2.0"; a page or a page size is written "2". An empty
        # value ("?page_size=") is no number either (an absent one arrives as None).
        if isinstance(value, str) and not _ascii_digits(value.strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


MAX_QUERY_TERMS = 64
QUERY_WORD = re.compile(r'[^\s"]+')


def validate_query_terms(value: str) -> None:
    """Refuse a search of more than MAX_QUERY_TERMS words (the operators OR and - aside),
    whose cost would grow with each one."""
    words = [w for w in QUERY_WORD.findall(value or "") if w.strip("-") and w != "OR"]
    if len(words) > MAX_QUERY_TERMS:
        raise forms.ValidationError(
            "A search may have at most %(limit)d terms; this one has %(count)d.",
            code="too_many_terms",
            params={"limit": MAX_QUERY_TERMS, "count": len(words)},
        )


def _ascii_digits(text: str) -> bool:
    """Digits int() reads: str.isdigit() also accepts "¹" and "²", which int() refuses."""
    return text.isascii() and text.isdigit()
