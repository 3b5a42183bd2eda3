"""The language a subscriber reads mails in: one of the languages the project knows
(Django's ``LANGUAGES``, by primary subtag, since translations are matched by it in
``PublicStatement.translation_in``), named as the site names languages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import get_language_from_request

from quotes.public import primary_language
from search.facets import language_name


def language_choices() -> list[tuple[str, str]]:
    """Each known language once, by primary subtag, A to Z by its name."""
    codes = {primary_language(code) for code, _name in settings.LANGUAGES}
    return sorted(((code, language_name(code)) for code in codes), key=lambda c: c[1])


def site_language() -> str:
    return primary_language(settings.LANGUAGE_CODE)


def language_check(value: Any) -> str:
    """``value`` when it is a known language's primary subtag, as the form and the API's
    schema offer them; a ValidationError naming ``language`` otherwise."""
    # Only a string can be one ({} is not hashable: found by make fuzz).
    if isinstance(value, str) and value in {code for code, _name in language_choices()}:
        return value
    raise ValidationError({"language": ["Give a language the site knows, such as en or fr."]})


def language_of_request(request: HttpRequest) -> str:
    """The reader's first Accept-Language the site knows, else the site's language."""
    return primary_language(get_language_from_request(request))
