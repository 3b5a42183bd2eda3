from django.db import migrations

# How a name sounds across the spellings of its transliterations (quotes/speaker_search.py):
# lower case without accents; ou → u (Poutine), ph → f, w → v (Lawrow), y and j → i
# (Wang Yi as Ван И), a final ng → n and a final e dropped, repeated letters once.
# The query side is transliterated to Latin letters first (anyascii), in Python.
# Schema-qualified, as in 0004: index builds run with a safe search_path (PostgreSQL 17+).
FORWARD = r"""
DO $do$
DECLARE
    target text := current_schema();
BEGIN
    EXECUTE format($f$
        CREATE FUNCTION %1$I.onrecord_name_key(name text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body$
            SELECT pg_catalog.regexp_replace(
                pg_catalog.regexp_replace(
                    pg_catalog.regexp_replace(
                        pg_catalog.translate(
                            pg_catalog.replace(
                                pg_catalog.replace(
                                    %1$I.onrecord_unaccent(pg_catalog.lower(name)), 'ou', 'u'
                                ),
                                'ph', 'f'
                            ),
                            'wyj', 'vii'
                        ),
                        'ng\M', 'n', 'g'
                    ),
                    '(\w\w)e\M', '\1', 'g'
                ),
                '(.)\1+', '\1', 'g'
            )
        $body$
    $f$, target);
END
$do$;
CREATE INDEX speaker_name_key_trigrams ON quotes_speaker
    USING gin (onrecord_name_key(name) gin_trgm_ops);
CREATE INDEX speakername_name_key_trigrams ON quotes_speakername
    USING gin (onrecord_name_key(name) gin_trgm_ops);
"""
BACKWARD = """
DROP INDEX speakername_name_key_trigrams;
DROP INDEX speaker_name_key_trigrams;
DROP FUNCTION onrecord_name_key(text);
"""


class Migration(migrations.Migration):
    dependencies = [("quotes", "0015_error_reports")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
