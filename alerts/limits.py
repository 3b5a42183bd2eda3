"""Sign-up limits: per address and per client an hour, so that nobody can make OnRecord
mail a third party repeatedly. Counted in the shared cache (api/throttling.increment);
addresses are counted by their hash, so the cache keeps no address."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings

from api.throttling import increment

HOUR = 3600


class SignUpLimited(Exception):
    def __init__(self, what: str, retry_after: int):
        super().__init__(f"Too many sign-ups for this {what}: try again in an hour.")
        self.message = str(self)
        self.retry_after = retry_after


def count_signup(*, email: str, client: str) -> None:
    """Count one sign-up; raise SignUpLimited past either limit."""
    window = int(time.time()) // HOUR
    retry_after = HOUR - int(time.time()) % HOUR
    for what, value, limit in (
        ("address", email.lower(), settings.ALERTS_SIGNUPS_PER_ADDRESS),
        ("client", client, settings.ALERTS_SIGNUPS_PER_CLIENT),
    ):
        digest = hashlib.sha256(value.encode()).hexdigest()[:32]
        if increment(f"alerts-signup:{what}:{digest}:{window}", timeout=HOUR + 1) > limit:
            raise SignUpLimited(what, retry_after)
