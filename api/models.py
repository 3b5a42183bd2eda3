"""Client keys: how newsrooms and research tools identify themselves to the API."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager

from api.throttling import parse_rate


def validate_rate(value: str) -> None:
    try:
        parse_rate(value)
    except ValueError as error:
        raise ValidationError(str(error), code="invalid_rate") from error


class ClientKey(AbstractAPIKey):
    """A client's key for read access, stored hashed (only its prefix is kept in clear).

    Clients send ``Authorization: Api-Key <key>``; a revoked or expired key is refused.
    """

    rate = models.CharField(
        max_length=30,
        blank=True,
        validators=[validate_rate],
        help_text='Requests allowed, such as "5000/hour"; empty: ONRECORD_RATE_CLIENT.',
    )
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    objects = APIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "client key"
        verbose_name_plural = "client keys"
