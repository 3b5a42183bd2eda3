"""Django's database cache with an atomic counter, so that the API's rate-limit counts stay
exact when several workers count the same client at once.

Django's own ``incr()`` reads the value and writes it back as two statements (two workers
counting at the same moment both read 7 and both write 8), and each ``add()`` counts the
whole table first. ``count()`` here creates, locks and increments the row in one short
transaction of three statements. (Redis increments atomically by itself.)
"""

from __future__ import annotations

import base64
import pickle
import random
from datetime import timedelta

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
