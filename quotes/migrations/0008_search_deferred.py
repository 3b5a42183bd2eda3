"""Let bulk writers compute each quote's search vector once, after its parts are written.

With the transaction-local setting ``onrecord.defer_search`` on, the triggers of 0004_search
leave vectors empty instead of computing them, and changes to translations and speaker names
do not refresh them; the writer then refreshes the vectors of the quotes it wrote
(``quotes.search.search_vectors_refresh``). Without the setting nothing changes.
"""

from django.db import migrations

QUOTE_TRIGGER = """
CREATE OR REPLACE FUNCTION onrecord_quote_search_vector_set() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    {deferred}NEW.search_vector := onrecord_quote_search_vector(
        NEW.id, NEW.text, NEW.language, NEW.context, NEW.speaker_id);
    RETURN NEW;
END
$$;
"""

REFRESH_TRIGGER = """
CREATE OR REPLACE FUNCTION onrecord_search_refresh() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    changed text := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %1$I FROM new_rows', TG_ARGV[0])
        WHEN 'DELETE' THEN format('SELECT %1$I FROM old_rows', TG_ARGV[0])
        ELSE format('SELECT %1$I FROM new_rows UNION SELECT %1$I FROM old_rows', TG_ARGV[0])
    END;
BEGIN
    {deferred}EXECUTE format('UPDATE quotes_quote SET search_vector = NULL WHERE %I IN (%s)',
                   TG_ARGV[1], changed);
    RETURN NULL;
END
$$;
"""

DEFERRED_QUOTE = """IF current_setting('onrecord.defer_search', true) = 'on' THEN
        NEW.search_vector := NULL;
        RETURN NEW;
    END IF;
    """
DEFERRED_REFRESH = """IF current_setting('onrecord.defer_search', true) = 'on' THEN
        RETURN NULL;
    END IF;
    """


class Migration(migrations.Migration):
    dependencies = [("quotes", "0007_curation_event_order")]

    operations = [
        migrations.RunSQL(
            [
                QUOTE_TRIGGER.format(deferred=DEFERRED_QUOTE),
                REFRESH_TRIGGER.format(deferred=DEFERRED_REFRESH),
            ],
            [QUOTE_TRIGGER.format(deferred=""), REFRESH_TRIGGER.format(deferred="")],
        ),
    ]
