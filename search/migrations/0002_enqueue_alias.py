"""search_enqueue(): name the subquery of an update's changed rows.

PostgreSQL before 16 requires an alias on every subquery in FROM; 0001 left the union of an
update's old and new rows unnamed, so writes failed on PostgreSQL 15.
"""

from django.db import migrations

ENQUEUE_SQL = """
CREATE OR REPLACE FUNCTION search_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text := CASE TG_OP
        WHEN 'INSERT' THEN 'new_rows'
        WHEN 'DELETE' THEN 'old_rows'
        ELSE '(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows) AS changed_rows'
    END;
    added bigint;
BEGIN
    EXECUTE format(
        'INSERT INTO search_outbox (quote_id) SELECT DISTINCT id FROM ('
        || TG_ARGV[0] || ') AS touched(id) WHERE id IS NOT NULL', changed);
    GET DIAGNOSTICS added = ROW_COUNT;
    IF added > 0 THEN
        INSERT INTO search_commit (txid) VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("search", "0001_outbox")]

    operations = [migrations.RunSQL(ENQUEUE_SQL, migrations.RunSQL.noop)]
