"""The outbox learns of occasions: a change of an occasion (its key or kind, which quotes'
documents hold) touches the quotes made there. Inserting one touches none; deleting one is
refused while quotes name it."""

from django.db import migrations

QUOTES_OF_OCCASION = "SELECT q.id FROM quotes_quote q WHERE q.occasion_id IN (SELECT id FROM %1$s)"
TRIGGER_SQL = (
    "CREATE TRIGGER search_quotes_occasion_update AFTER UPDATE ON quotes_occasion "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION search_enqueue('" + QUOTES_OF_OCCASION.replace("'", "''") + "');"
)
REVERSE_SQL = "DROP TRIGGER search_quotes_occasion_update ON quotes_occasion;"


class Migration(migrations.Migration):
    dependencies = [("search", "0002_enqueue_alias"), ("quotes", "0018_occasions")]

    operations = [migrations.RunSQL([TRIGGER_SQL], [REVERSE_SQL])]
