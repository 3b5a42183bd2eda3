"""The search outbox: triggers record which quotes every write touches (see search/outbox.py).

Statement-level triggers with transition tables, so that a bulk write costs one insert per
statement whatever made it: the admin, the API, an import, ``QuerySet.update()`` or raw
SQL. Each trigger's argument maps the changed rows (``%1$s``) to the ids of the quotes whose
documents they are part of.
"""

from django.db import migrations

POSITION_LOCK = 0x7365617263680001  # serializes positions, in commit order

TABLES_SQL = """
CREATE TABLE search_commit (
    txid xid8 PRIMARY KEY DEFAULT pg_current_xact_id(),
    position bigint UNIQUE,
    committed timestamptz
);
CREATE SEQUENCE search_position;
CREATE TABLE search_outbox (
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    quote_id bigint NOT NULL
);
CREATE INDEX search_outbox_txid ON search_outbox (txid);
CREATE INDEX search_commit_committed ON search_commit (committed);
"""

FUNCTIONS_SQL = f"""
CREATE FUNCTION search_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text := CASE TG_OP
        WHEN 'INSERT' THEN 'new_rows'
        WHEN 'DELETE' THEN 'old_rows'
        ELSE '(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows)'
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

-- At commit: the transaction's position, the next one, under a lock that is held until the
-- commit is visible to others.
CREATE FUNCTION search_commit_position() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({POSITION_LOCK});
    UPDATE search_commit SET position = nextval('search_position'), committed = clock_timestamp()
    WHERE txid = NEW.txid;
    PERFORM pg_notify('search_outbox', '');
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER search_commit_position AFTER INSERT ON search_commit
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION search_commit_position();
"""

# (table, operations, rows -> quote ids). In the SQL, %1$s is the changed rows.
QUOTES_OF = {
    "quote": "SELECT id FROM %1$s",
    "quote_id": "SELECT quote_id FROM %1$s",
    "speaker": "SELECT q.id FROM quotes_quote q WHERE q.speaker_id IN (SELECT id FROM %1$s)",
    "speaker_id": (
        "SELECT q.id FROM quotes_quote q WHERE q.speaker_id IN (SELECT speaker_id FROM %1$s)"
    ),
    "role": "SELECT q.id FROM quotes_quote q WHERE q.role_id IN (SELECT id FROM %1$s)",
    "organization": (
        "SELECT q.id FROM quotes_quote q JOIN quotes_affiliation a ON a.id = q.role_id "
        "WHERE a.organization_id IN (SELECT id FROM %1$s)"
    ),
    "topic": (
        "SELECT qt.quote_id FROM quotes_quote_topics qt WHERE qt.topic_id IN (SELECT id FROM %1$s)"
    ),
    "source": (
        "SELECT c.quote_id FROM quotes_citation c WHERE c.source_id IN (SELECT id FROM %1$s)"
    ),
}
TRIGGERS = [
    ("quotes_quote", ("INSERT", "UPDATE", "DELETE"), "quote"),
    ("quotes_translation", ("INSERT", "UPDATE", "DELETE"), "quote_id"),
    ("quotes_quote_topics", ("INSERT", "UPDATE", "DELETE"), "quote_id"),
    ("quotes_citation", ("INSERT", "UPDATE", "DELETE"), "quote_id"),
    ("quotes_speakername", ("INSERT", "UPDATE", "DELETE"), "speaker_id"),
    # Changes to these reach quotes only through an update (a delete is refused while quotes
    # refer to them, or first updates those quotes, which records them).
    ("quotes_speaker", ("UPDATE",), "speaker"),
    ("quotes_affiliation", ("UPDATE",), "role"),
    ("quotes_organization", ("UPDATE",), "organization"),
    ("quotes_topic", ("UPDATE",), "topic"),
    ("quotes_source", ("UPDATE",), "source"),
]
REFERENCING = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def quoted(sql: str) -> str:
    return "'" + sql.replace("'", "''") + "'"


TRIGGERS_SQL = "\n".join(
    f"CREATE TRIGGER search_{table}_{operation.lower()} AFTER {operation} ON {table} "
    f"{REFERENCING[operation]} FOR EACH STATEMENT "
    f"EXECUTE FUNCTION search_enqueue({quoted(QUOTES_OF[mapping])});"
    for table, operations, mapping in TRIGGERS
    for operation in operations
)
REVERSE_TRIGGERS_SQL = "\n".join(
    f"DROP TRIGGER search_{table}_{operation.lower()} ON {table};"
    for table, operations, _ in TRIGGERS
    for operation in operations
)
REVERSE_SQL = """
DROP TRIGGER search_commit_position ON search_commit;
DROP FUNCTION search_commit_position();
DROP FUNCTION search_enqueue();
DROP TABLE search_outbox;
DROP SEQUENCE search_position;
DROP TABLE search_commit;
"""


class Migration(migrations.Migration):
    dependencies = [("quotes", "0011_search_engine")]

    operations = [
        migrations.RunSQL([TABLES_SQL, FUNCTIONS_SQL], [REVERSE_SQL]),
        migrations.RunSQL([TRIGGERS_SQL], [REVERSE_TRIGGERS_SQL]),
    ]
