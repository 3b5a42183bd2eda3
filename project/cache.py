"""Django's database cache with an atomic counter, so that the API's rate-limit counts stay
exact when several workers count the same client at once.

Django's own ``incr()`` reads the value and writes it back as two statements (two workers
counting at the same moment both read 7 and both write 8), and each ``add()`` counts the
whole table first. ``count()`` here creates, locks and increments the row in one short
transaction of three statements. (Redis increments atomically by itself.)

Below it: what the rate limits do while the cache does not answer (``guarded``).
"""

from __future__ import annotations

import base64
import logging
import pickle
import random
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone

# One count in this many also deletes the expired entries (whole windows of past counts).
PURGE_ONE_IN = 200


class DatabaseCache(DjangoDatabaseCache):
    def _encode(self, value) -> str:
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")

    def count(self, key: str, timeout: int) -> int:
        """Add 1 to the counter ``key`` (created at 0 for ``timeout`` seconds if missing or
        expired) and return its new value."""
        key = self.make_and_validate_key(key)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        now = timezone.now().replace(microsecond=0)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "
                f"ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, "
                f"expires = EXCLUDED.expires WHERE {table}.expires < %s",
                [key, self._encode(0), now + timedelta(seconds=timeout), now],
            )
            cursor.execute(f"SELECT value FROM {table} WHERE cache_key = %s FOR UPDATE", [key])
            value = pickle.loads(base64.b64decode(cursor.fetchone()[0].encode("latin1"))) + 1
            cursor.execute(
                f"UPDATE {table} SET value = %s WHERE cache_key = %s", [self._encode(value), key]
            )
            if random.randrange(PURGE_ONE_IN) == 0:
                cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [now])
        return value


# When the shared cache does not answer ----------------------------------------------------
#
# The cache holds the rate-limit counts (and, with replicas, who wrote a moment ago). With
# Redis down, every request would fail in the throttle; instead each process counts in its
# own memory (a client gets up to the limit from each worker, not from all together) and
# asks the cache again every ONRECORD_CACHE_RETRY_SECONDS. One warning says when the cache
# stops answering, one line when it answers again: not a traceback per request.

logger = logging.getLogger("onrecord.cache")


def _cache_errors() -> tuple[type[BaseException], ...]:
    """What a cache that does not answer raises: the socket's errors, and Redis's own."""
    from django_redis.exceptions import ConnectionInterrupted
    from redis.exceptions import RedisError

    return (OSError, RedisError, ConnectionInterrupted)


CACHE_ERRORS = _cache_errors()


class CacheOutage:
    """Whether the shared cache answers, and when to ask it again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.reason = ""

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def skip(self) -> bool:
        """Whether to use the fallback without asking the cache (it failed a moment ago)."""
        return self.down_since is not None and time.monotonic() < self.retry_at

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self.retry_at = now + settings.ONRECORD_CACHE_RETRY_SECONDS
            if self.down_since is not None:
                return
            self.down_since = now
            self.reason = f"{type(error).__name__}: {str(error).strip()[:200]}"
        logger.warning(
            "The cache does not answer (%s): rate limits are counted in each process "
            "until it does.",
            self.reason,
        )

    def answered(self) -> None:
        if self.down_since is None:
            return
        with self._lock:
            if self.down_since is None:
                return
            seconds = time.monotonic() - self.down_since
            self.reset()
        logger.warning("The cache answers again, after %.0f s.", seconds)


OUTAGE = CacheOutage()
T = TypeVar("T")


def guarded(operation: Callable[[], T], fallback: Callable[[], T]) -> T:
    """``operation()`` on the shared cache, or ``fallback()`` while the cache does not answer."""
    if OUTAGE.skip():
        return fallback()
    try:
        result = operation()
    except CACHE_ERRORS as error:
        OUTAGE.failed(error)
        return fallback()
    OUTAGE.answered()
    return result


class LocalCounter:
    """Counters with an expiry in this process's memory: the rate limits' fallback."""

    MAX_KEYS = 100_000  # past this, expired counters are dropped (all of them, if need be)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def count(self, key: str, timeout: int) -> int:
        now = time.monotonic()
        with self._lock:
            value, expires = self._counts.get(key, (0, 0.0))
            if expires <= now:
                value, expires = 0, now + timeout
                if len(self._counts) >= self.MAX_KEYS:
                    self._prune(now)
            self._counts[key] = (value + 1, expires)
            return value + 1

    def get(self, key: str) -> int:
        value, expires = self._counts.get(key, (0, 0.0))
        return value if expires > time.monotonic() else 0

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()

    def _prune(self, now: float) -> None:
        self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
        if len(self._counts) >= self.MAX_KEYS:
            self._counts.clear()


LOCAL_COUNTS = LocalCounter()
