"""Validation of query parameters: a malformed one is an HTTP 400 naming it, never a 500.

Filters are validated by their django-filter FilterSets (see ``filters.py``); the other
parameters (pagination, facets) by small Django forms through ``validate_params``.
"""

from django import forms
from django_filters.utils import translate_validation


def validate_params(form_class: type[forms.Form], query_params) -> dict:
    """The cleaned parameters, or a ValidationError (HTTP 400) keyed by parameter name."""
    form = form_class(query_params)
    if not form.is_valid():
        raise translate_validation(form.errors)
    return form.cleaned_data


class WholeNumberField(forms.IntegerField):
    default_error_messages = {"invalid": "Enter a whole number."}

    def to_python(self, value):
        # Django's IntegerField accepts "2.0"; a page or a page size is written "2".
        if isinstance(value, str) and value.strip() and not value.strip().isdigit():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
