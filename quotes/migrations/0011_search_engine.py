"""Quote search moves to the tantivy index (the ``search`` package): the PostgreSQL search
machinery of migrations 0004_search and 0008_search_deferred goes, so that nothing computes
search vectors any more: the triggers, the vector functions, the text search configurations
and dictionaries, and ``Quote.search_vector`` with its GIN index.

What speakers' fuzzy name search uses stays: ``onrecord_unaccent`` and the trigram indexes.
"""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

DROP_SQL = """
DROP TRIGGER onrecord_speaker_search_update ON quotes_speaker;
DROP TRIGGER onrecord_speakername_search_insert ON quotes_speakername;
DROP TRIGGER onrecord_speakername_search_update ON quotes_speakername;
DROP TRIGGER onrecord_speakername_search_delete ON quotes_speakername;
DROP TRIGGER onrecord_translation_search_insert ON quotes_translation;
DROP TRIGGER onrecord_translation_search_update ON quotes_translation;
DROP TRIGGER onrecord_translation_search_delete ON quotes_translation;
DROP TRIGGER onrecord_quote_search_vector ON quotes_quote;
DROP FUNCTION onrecord_speaker_search_refresh();
DROP FUNCTION onrecord_search_refresh();
DROP FUNCTION onrecord_quote_search_vector_set();
DROP FUNCTION onrecord_quote_search_vector(bigint, text, text, text, bigint);
DROP FUNCTION onrecord_headline(text, text, text[], text);
DROP FUNCTION onrecord_term_tsquery(text);
DROP FUNCTION onrecord_cjk_tsquery(text);
DROP FUNCTION onrecord_unaccent_tsquery(tsquery);
DROP FUNCTION onrecord_text_tsvector(text, text, "char");
DROP FUNCTION onrecord_unaccent_tsvector(tsvector);
DROP FUNCTION onrecord_cjk_tsvector(text);
DROP FUNCTION onrecord_cjk_bigrams(text, boolean);
DROP FUNCTION onrecord_strip_cjk(text);
DROP FUNCTION onrecord_unaccent_lexeme(text);
DROP FUNCTION onrecord_quote_lexeme(text);
DROP AGGREGATE onrecord_tsquery_and_agg(tsquery);
DROP AGGREGATE onrecord_tsquery_or_agg(tsquery);
DROP AGGREGATE onrecord_tsvector_agg(tsvector);
DROP FUNCTION onrecord_search_configs();
DROP FUNCTION onrecord_regconfig(text);
DO $do$
DECLARE
    name text;
BEGIN
    FOR name IN
        SELECT cfgname FROM pg_ts_config
        WHERE cfgname LIKE 'onrecord\\_%' AND cfgnamespace = current_schema()::regnamespace
    LOOP
        EXECUTE format('DROP TEXT SEARCH CONFIGURATION %I', name);
    END LOOP;
    FOR name IN
        SELECT dictname FROM pg_ts_dict
        WHERE dictname LIKE 'onrecord\\_%' AND dictnamespace = current_schema()::regnamespace
    LOOP
        EXECUTE format('DROP TEXT SEARCH DICTIONARY %I', name);
    END LOOP;
END
$do$;
"""


class Migration(migrations.Migration):
    dependencies = [("quotes", "0010_similar_by_date")]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='quote',
            name='update_update',
        ),
        # Irreversible: the vectors would have to be computed again.
        migrations.RunSQL([DROP_SQL]),
        migrations.RemoveIndex(
            model_name='quote',
            name='quote_search_vector',
        ),
        migrations.RemoveField(
            model_name='quote',
            name='search_vector',
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='quote',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "quotes_quoteevent" ("context", "corrections", "created", "created_by_id", "id", "key", "kind", "language", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "retraction_reason", "role_id", "role_resolution", "said", "speaker_id", "status", "text", "updated", "updated_by_id") VALUES (NEW."context", NEW."corrections", NEW."created", NEW."created_by_id", NEW."id", NEW."key", NEW."kind", NEW."language", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."retraction_reason", NEW."role_id", NEW."role_resolution", NEW."said", NEW."speaker_id", NEW."status", NEW."text", NEW."updated", NEW."updated_by_id"); RETURN NULL;', hash='03660a6da5fd26a4243111785902ba0c8b2b2661', operation='UPDATE', pgid='pgtrigger_update_update_d2f7b', table='quotes_quote', when='AFTER')),
        ),
    ]
