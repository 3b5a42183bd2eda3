import re

from rest_framework import authentication, exceptions

TOKEN_SHAPE = re.compile(r"^[0-9a-fA-F]{40}$")


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, refusing malformed tokens before asking the database
    (which cannot compare a string holding a NUL byte)."""

    def authenticate_credentials(self, key: str):
        if not TOKEN_SHAPE.match(key):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(key)
