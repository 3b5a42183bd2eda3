import re
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import authentication, exceptions

TOKEN_SHAPE = re.compile(r"^[0-9a-fA-F]{40}$")
# What rest_framework_api_key's KeyGenerator makes: an 8-character prefix, a dot, a secret.
API_KEY_SHAPE = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{16,128}")
# A key's last use is written at most this often, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, refusing malformed tokens before asking the database
    (which cannot compare a string holding a NUL byte)."""

    def authenticate_credentials(self, key: str):
        if not TOKEN_SHAPE.match(key):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(key)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Api-Key <key>``: a client key (api.models.ClientKey), for reading.

    The request is anonymous as far as permissions go (``request.user``), with the key as
    ``request.auth``: it is counted at the key's rate. An unknown, revoked or expired key
    is an HTTP 401, never anonymous access.
    """

    keyword = "Api-Key"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the header as: Authorization: Api-Key KEY.")
        return self.authenticate_credentials(parts[1].decode("latin1"))

    def authenticate_credentials(self, key: str):
        from api.models import ClientKey

        if not API_KEY_SHAPE.fullmatch(key):
            raise exceptions.AuthenticationFailed("Invalid API key.")
        try:
            client_key = ClientKey.objects.get_from_key(key)
        except ClientKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Unknown, revoked or expired API key.") from None
        now = timezone.now()
        if client_key.last_used is None or now - client_key.last_used > LAST_USED_PRECISION:
            ClientKey.objects.filter(pk=client_key.pk).update(last_used=now)
            client_key.last_used = now
        return AnonymousUser(), client_key

    def authenticate_header(self, request) -> str:
        return self.keyword
