# The passages of texts, which the similar-text check looks up by index (quotes/similarity.py).

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


# A text's passages: hashes of its runs of three consecutive words (one hash for a text of
# fewer words). Words are runs of letters and digits, lowercased; each Chinese, Japanese or
# Korean character counts as a word, since those scripts do not separate words by spaces.
PASSAGES = r"""
CREATE FUNCTION onrecord_passages(text) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    words text[] := regexp_split_to_array(btrim(regexp_replace(
        regexp_replace(
            lower($1), '([\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff])', ' \1 ', 'g'
        ),
        '[^[:alnum:]]+', ' ', 'g')), ' ');
    found integer[] := '{}';
BEGIN
    IF words[1] = '' THEN
        RETURN found;
    END IF;
    IF cardinality(words) < 3 THEN
        RETURN ARRAY[hashtext(array_to_string(words, ' '))];
    END IF;
    FOR i IN 1 .. cardinality(words) - 2 LOOP
        found := found || hashtext(words[i] || ' ' || words[i + 1] || ' ' || words[i + 2]);
    END LOOP;
    RETURN found;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("quotes", "0011_search_engine"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(PASSAGES, "DROP FUNCTION onrecord_passages(text)"),
        pgtrigger.migrations.RemoveTrigger(
            model_name="quote",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="translation",
            name="update_update",
        ),
        migrations.AddField(
            model_name="quote",
            name="passages",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    models.F("text"),
                    function="onrecord_passages",
                    output_field=django.contrib.postgres.fields.ArrayField(
                        base_field=models.IntegerField(), size=None
                    ),
                ),
                output_field=django.contrib.postgres.fields.ArrayField(
                    base_field=models.IntegerField(), size=None
                ),
            ),
        ),
        migrations.AddField(
            model_name="translation",
            name="passages",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    models.F("text"),
                    function="onrecord_passages",
                    output_field=django.contrib.postgres.fields.ArrayField(
                        base_field=models.IntegerField(), size=None
                    ),
                ),
                output_field=django.contrib.postgres.fields.ArrayField(
                    base_field=models.IntegerField(), size=None
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="quote",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["passages"], name="quote_passages"
            ),
        ),
        migrations.AddIndex(
            model_name="translation",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["passages"], name="translation_passages"
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="quote",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."context" IS DISTINCT FROM (NEW."context") OR OLD."corrections" IS DISTINCT FROM (NEW."corrections") OR OLD."created" IS DISTINCT FROM (NEW."created") OR OLD."created_by_id" IS DISTINCT FROM (NEW."created_by_id") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."key" IS DISTINCT FROM (NEW."key") OR OLD."kind" IS DISTINCT FROM (NEW."kind") OR OLD."language" IS DISTINCT FROM (NEW."language") OR OLD."retraction_reason" IS DISTINCT FROM (NEW."retraction_reason") OR OLD."role_id" IS DISTINCT FROM (NEW."role_id") OR OLD."role_resolution" IS DISTINCT FROM (NEW."role_resolution") OR OLD."said" IS DISTINCT FROM (NEW."said") OR OLD."said_start" IS DISTINCT FROM (NEW."said_start") OR OLD."speaker_id" IS DISTINCT FROM (NEW."speaker_id") OR OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."text" IS DISTINCT FROM (NEW."text") OR OLD."updated" IS DISTINCT FROM (NEW."updated") OR OLD."updated_by_id" IS DISTINCT FROM (NEW."updated_by_id"))',
                    func='INSERT INTO "quotes_quoteevent" ("context", "corrections", "created", "created_by_id", "id", "key", "kind", "language", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "retraction_reason", "role_id", "role_resolution", "said", "speaker_id", "status", "text", "updated", "updated_by_id") VALUES (NEW."context", NEW."corrections", NEW."created", NEW."created_by_id", NEW."id", NEW."key", NEW."kind", NEW."language", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."retraction_reason", NEW."role_id", NEW."role_resolution", NEW."said", NEW."speaker_id", NEW."status", NEW."text", NEW."updated", NEW."updated_by_id"); RETURN NULL;',
                    hash="c8e520042725d0109b94c6f2bbf761ded4050b6f",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_d2f7b",
                    table="quotes_quote",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="translation",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."created" IS DISTINCT FROM (NEW."created") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."language" IS DISTINCT FROM (NEW."language") OR OLD."official" IS DISTINCT FROM (NEW."official") OR OLD."quote_id" IS DISTINCT FROM (NEW."quote_id") OR OLD."text" IS DISTINCT FROM (NEW."text") OR OLD."updated" IS DISTINCT FROM (NEW."updated"))',
                    func='INSERT INTO "quotes_translationevent" ("created", "id", "language", "official", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "quote_id", "text", "updated") VALUES (NEW."created", NEW."id", NEW."language", NEW."official", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."quote_id", NEW."text", NEW."updated"); RETURN NULL;',
                    hash="0eb6df9960a8b00644e06fa055277575f1a5dbfa",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_d0d0a",
                    table="quotes_translation",
                    when="AFTER",
                ),
            ),
        ),
    ]
