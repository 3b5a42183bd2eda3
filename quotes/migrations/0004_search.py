"""Full-text search: a stored, GIN-indexed ``Quote.search_vector`` kept up to date by triggers.

What goes into a quote's vector (weights A to D):

- A: the quote's text, parsed with the text search configuration of its language;
- B: its translations, each with the configuration of its own language;
- C: the speaker's name and other names (with their language's configuration when known);
- D: the context, read as English.

Each text is indexed twice: stemmed by its language, and word for word (``simple``); both
unaccented. Stemming before unaccenting keeps stemmers that expect accents working
("negociações" and "negociação" share a stem), and the word-for-word lexemes let
"Sao Paulo" find "São Paulo" whatever a stemmer made of "São". The language
configurations are copies of PostgreSQL's own without stop words: every word of a query
counts, and exact phrases such as "to be or not to be" can be found.

Chinese, Japanese and Korean runs, which the parser cannot split into words, are indexed as
overlapping character bigrams (plus the last character of each run), so that any substring
of two or more characters is a phrase of bigrams, and a single character a prefix.

Queries are built by ``onrecord_term_tsquery`` term by term (see quotes/search.py): each
term (a word or a phrase) becomes the union of what every configuration makes of it, so a
query need not say its language, and mixed-language queries work.

Triggers keep vectors current whatever writes the rows (the API, the admin, imports,
``QuerySet.update()``): a BEFORE trigger on quotes computes the vector; statement-level
triggers on translations, speakers and speaker names ask for a recomputation by setting
the vector of the affected quotes to NULL.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations

# BCP 47 primary language subtags and the PostgreSQL configuration for each. A language
# whose configuration this server lacks (Estonian before PostgreSQL 17) is read as 'simple'.
LANGUAGE_CONFIGS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}

# Han (with extensions and compatibility ideographs), kana, Hangul and the iteration mark.
CJK = (
    r"[\u3005\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\U00020000-\U0002fa1f]+"
)

LANGUAGE_VALUES = ", ".join(f"('{code}', '{name}')" for code, name in LANGUAGE_CONFIGS.items())

CONFIGURATIONS_SQL = """
DO $do$
DECLARE
    target text := current_schema();
    extension_schema text := (
        SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'
    );
    language_name text;
    stem record;
    cases text := '';
    configs text := quote_literal('pg_catalog.simple');
    mapping record;
BEGIN
    -- A copy of each built-in configuration whose snowball stemmers keep every word.
    FOR language_name IN
        SELECT cfgname FROM pg_ts_config
        WHERE cfgnamespace = 'pg_catalog'::regnamespace AND cfgname <> 'simple'
        ORDER BY cfgname
    LOOP
        EXECUTE format('CREATE TEXT SEARCH CONFIGURATION %I.%I (COPY = pg_catalog.%I)',
                       target, 'onrecord_' || language_name, language_name);
        FOR stem IN
            SELECT DISTINCT d.dictname, d.dictinitoption
            FROM pg_ts_config_map m
            JOIN pg_ts_dict d ON d.oid = m.mapdict
            JOIN pg_ts_template t ON t.oid = d.dicttemplate
            WHERE m.mapcfg = format('pg_catalog.%I', language_name)::regconfig
              AND t.tmplname = 'snowball'
        LOOP
            IF NOT EXISTS (
                SELECT 1 FROM pg_ts_dict
                WHERE dictname = 'onrecord_' || stem.dictname
                  AND dictnamespace = target::regnamespace
            ) THEN
                EXECUTE format(
                    'CREATE TEXT SEARCH DICTIONARY %I.%I (TEMPLATE = snowball, LANGUAGE = %s)',
                    target, 'onrecord_' || stem.dictname,
                    substring(stem.dictinitoption FROM 'language = ''([a-z_]+)''')
                );
            END IF;
            EXECUTE format(
                'ALTER TEXT SEARCH CONFIGURATION %I.%I ALTER MAPPING REPLACE pg_catalog.%I WITH %I.%I',
                target, 'onrecord_' || language_name, stem.dictname,
                target, 'onrecord_' || stem.dictname
            );
        END LOOP;
        configs := configs || ', ' || quote_literal(target || '.onrecord_' || language_name);
    END LOOP;

    -- BCP 47 tag -> configuration.
    FOR mapping IN
        SELECT code, name FROM (VALUES __LANGUAGE_VALUES__) AS l(code, name)
        WHERE EXISTS (
            SELECT 1 FROM pg_ts_config
            WHERE cfgname = l.name AND cfgnamespace = 'pg_catalog'::regnamespace
        )
        ORDER BY code
    LOOP
        cases := cases || format(' WHEN %L THEN %L::regconfig',
                                 mapping.code, target || '.onrecord_' || mapping.name);
    END LOOP;
    EXECUTE format($f$
        CREATE FUNCTION %I.onrecord_regconfig(language text) RETURNS regconfig
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $body$
            SELECT CASE lower(split_part(coalesce(language, ''), '-', 1))%s
                ELSE 'pg_catalog.simple'::regconfig END
        $body$
    $f$, target, cases);

    -- Every configuration a query term is read with.
    EXECUTE format($f$
        CREATE FUNCTION %I.onrecord_search_configs() RETURNS regconfig[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $body$
            SELECT ARRAY[%s]::regconfig[]
        $body$
    $f$, target, configs);

    -- An immutable unaccent, usable in indexes and in immutable functions.
    EXECUTE format($f$
        CREATE FUNCTION %I.onrecord_unaccent(body text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body$
            SELECT %I.unaccent(%L::regdictionary, body)
        $body$
    $f$, target, extension_schema, extension_schema || '.unaccent');
END
$do$;
""".replace("__LANGUAGE_VALUES__", LANGUAGE_VALUES)

FUNCTIONS_SQL = r"""
-- Aggregates over tsvector (concatenation) and tsquery (AND, OR).
CREATE AGGREGATE onrecord_tsvector_agg(tsvector) (
    SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = ''
);
CREATE AGGREGATE onrecord_tsquery_or_agg(tsquery) (
    SFUNC = tsquery_or, STYPE = tsquery, INITCOND = ''
);
CREATE AGGREGATE onrecord_tsquery_and_agg(tsquery) (
    SFUNC = tsquery_and, STYPE = tsquery, INITCOND = ''
);

-- A lexeme as a quoted tsvector or tsquery literal.
CREATE FUNCTION onrecord_quote_lexeme(lexeme text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || ''''
$$;

-- The unaccented lexeme, or the lexeme itself when nothing would be left of it.
CREATE FUNCTION onrecord_unaccent_lexeme(lexeme text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(nullif(onrecord_unaccent(lexeme), ''), lexeme)
$$;

-- The text without its CJK runs (they are indexed as bigrams instead).
CREATE FUNCTION onrecord_strip_cjk(body text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT regexp_replace(body, '__CJK__', ' ', 'g')
$$;

-- A CJK run as space-separated overlapping bigrams, with its last character when asked.
CREATE FUNCTION onrecord_cjk_bigrams(run text, with_last boolean) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT concat_ws(' ',
        (SELECT string_agg(substr(run, i, 2), ' ' ORDER BY i)
         FROM generate_series(1, length(run) - 1) AS i),
        CASE WHEN with_last OR length(run) = 1 THEN right(run, 1) END)
$$;

CREATE FUNCTION onrecord_cjk_tsvector(body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT to_tsvector('pg_catalog.simple',
                       coalesce(string_agg(onrecord_cjk_bigrams(m[1], true), ' ' ORDER BY n), ''))
    FROM regexp_matches(body, '__CJK__', 'g') WITH ORDINALITY AS r(m, n)
$$;

-- A vector with its lexemes unaccented (all at once, and only when there are accents).
CREATE FUNCTION onrecord_unaccent_tsvector(vector tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN vector::text !~ '[^\x01-\x7f]' THEN vector ELSE (
        SELECT coalesce(string_agg(
            onrecord_quote_lexeme(coalesce(nullif(plain.lexeme, ''), original.lexeme))
            || ':' || array_to_string(original.positions, ','), ' '), '')::tsvector
        FROM unnest(vector) WITH ORDINALITY AS original(lexeme, positions, weights, n)
        JOIN unnest(string_to_array(
                 onrecord_unaccent(array_to_string(tsvector_to_array(vector), E'\x1f')), E'\x1f'))
             WITH ORDINALITY AS plain(lexeme, n) USING (n)
    ) END
$$;

-- One text's vector, with the given weight: the stems of its language, unaccented after
-- stemming; its words unaccented, unstemmed; its CJK bigrams.
CREATE FUNCTION onrecord_text_tsvector(language text, body text, weight "char") RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(
        onrecord_unaccent_tsvector(to_tsvector(onrecord_regconfig(language), words.stripped))
        || to_tsvector('pg_catalog.simple', onrecord_unaccent(words.stripped))
        || onrecord_cjk_tsvector(body),
        weight)
    FROM (SELECT onrecord_strip_cjk(body) AS stripped) AS words
    WHERE body <> ''
$$;

-- The same query with every lexeme unaccented.
CREATE FUNCTION onrecord_unaccent_tsquery(query tsquery) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(
        CASE WHEN m[1] IS NULL THEN m[2]
             ELSE onrecord_quote_lexeme(onrecord_unaccent_lexeme(
                 regexp_replace(m[1], '\\(.)|''('')', '\1\2', 'g')))
        END, '' ORDER BY n), '')::tsquery
    FROM regexp_matches(query::text, '''((?:[^''\\]|''''|\\.)*)''|([^'']+)', 'g')
         WITH ORDINALITY AS r(m, n)
$$;

-- The CJK runs of a query term: bigram phrases, or a prefix for a single character.
CREATE FUNCTION onrecord_cjk_tsquery(term text) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT onrecord_tsquery_and_agg(
        CASE WHEN length(m[1]) = 1
             THEN to_tsquery('pg_catalog.simple', onrecord_quote_lexeme(m[1]) || ':*')
             ELSE phraseto_tsquery('pg_catalog.simple', onrecord_cjk_bigrams(m[1], false))
        END ORDER BY n)
    FROM regexp_matches(term, '__CJK__', 'g') WITH ORDINALITY AS r(m, n)
$$;

-- One term of a query (a word or a phrase, without operators) as read by every
-- configuration, unaccented: a document matches when it matches any reading.
CREATE FUNCTION onrecord_term_tsquery(term text) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT tsquery_and(
        (SELECT onrecord_tsquery_or_agg(DISTINCT reading) FROM (
            SELECT onrecord_unaccent_tsquery(stemmed) AS reading
            FROM (SELECT DISTINCT phraseto_tsquery(config, words.stripped) AS stemmed
                  FROM unnest(onrecord_search_configs()) AS config) AS readings
            UNION
            SELECT phraseto_tsquery('pg_catalog.simple', onrecord_unaccent(words.stripped))
         ) AS readings WHERE numnode(reading) > 0),
        onrecord_cjk_tsquery(term))
    FROM (SELECT onrecord_strip_cjk(term) AS stripped) AS words
$$;

-- ts_headline over a text, marking the words whose indexed lexemes are among ``lexemes``
-- (unaccented, as in the vector); NULL when none is. ts_headline compares the lexemes of
-- the text's own configuration, so the query it gets is made of those.
CREATE FUNCTION onrecord_headline(language text, body text, lexemes text[], options text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ts_headline(onrecord_regconfig(language), body, matched::tsquery, options)
    FROM (
        SELECT string_agg(DISTINCT onrecord_quote_lexeme(stemmed.lexeme), ' | ') AS matched
        FROM unnest(to_tsvector(onrecord_regconfig(language), onrecord_strip_cjk(body))) AS stemmed,
             unnest(stemmed.positions) AS place
        WHERE onrecord_unaccent_lexeme(stemmed.lexeme) = ANY(lexemes)
           OR place IN (
               SELECT p
               FROM unnest(to_tsvector('pg_catalog.simple', onrecord_strip_cjk(body))) AS word,
                    unnest(word.positions) AS p
               WHERE onrecord_unaccent_lexeme(word.lexeme) = ANY(lexemes))
    ) AS q
    WHERE matched IS NOT NULL
$$;

-- The whole vector of a quote.
CREATE FUNCTION onrecord_quote_search_vector(
    quote_id bigint, body text, language text, context text, speaker_id bigint
) RETURNS tsvector
LANGUAGE sql STABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
    SELECT coalesce(onrecord_text_tsvector(language, body, 'A'), '')
        || (SELECT onrecord_tsvector_agg(onrecord_text_tsvector(t.language, t.text, 'B')
                                         ORDER BY t.language, t.id)
            FROM quotes_translation t WHERE t.quote_id = $1)
        || coalesce((SELECT onrecord_text_tsvector('', s.name, 'C')
                     FROM quotes_speaker s WHERE s.id = $5), '')
        || (SELECT onrecord_tsvector_agg(onrecord_text_tsvector(n.language, n.name, 'C')
                                         ORDER BY n.id)
            FROM quotes_speakername n WHERE n.speaker_id = $5)
        || coalesce(onrecord_text_tsvector('en', context, 'D'), '')
$$;
""".replace("__CJK__", CJK)

TRIGGERS_SQL = """
CREATE FUNCTION onrecord_quote_search_vector_set() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    NEW.search_vector := onrecord_quote_search_vector(
        NEW.id, NEW.text, NEW.language, NEW.context, NEW.speaker_id);
    RETURN NEW;
END
$$;

CREATE TRIGGER onrecord_quote_search_vector
BEFORE INSERT OR UPDATE OF text, language, context, speaker_id, search_vector ON quotes_quote
FOR EACH ROW EXECUTE FUNCTION onrecord_quote_search_vector_set();

-- Rows that quotes' vectors are made of changed: set those vectors to NULL, which has the
-- quote trigger above compute them again. TG_ARGV[0] is the column of the changed rows that
-- points at quotes_quote's column TG_ARGV[1] (translations: quote_id -> id; speaker names:
-- speaker_id -> speaker_id).
CREATE FUNCTION onrecord_search_refresh() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    changed text := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %1$I FROM new_rows', TG_ARGV[0])
        WHEN 'DELETE' THEN format('SELECT %1$I FROM old_rows', TG_ARGV[0])
        ELSE format('SELECT %1$I FROM new_rows UNION SELECT %1$I FROM old_rows', TG_ARGV[0])
    END;
BEGIN
    EXECUTE format('UPDATE quotes_quote SET search_vector = NULL WHERE %I IN (%s)',
                   TG_ARGV[1], changed);
    RETURN NULL;
END
$$;

CREATE TRIGGER onrecord_translation_search_insert AFTER INSERT ON quotes_translation
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION onrecord_search_refresh('quote_id', 'id');
CREATE TRIGGER onrecord_translation_search_update AFTER UPDATE ON quotes_translation
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION onrecord_search_refresh('quote_id', 'id');
CREATE TRIGGER onrecord_translation_search_delete AFTER DELETE ON quotes_translation
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION onrecord_search_refresh('quote_id', 'id');

CREATE TRIGGER onrecord_speakername_search_insert AFTER INSERT ON quotes_speakername
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION onrecord_search_refresh('speaker_id', 'speaker_id');
CREATE TRIGGER onrecord_speakername_search_update AFTER UPDATE ON quotes_speakername
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION onrecord_search_refresh('speaker_id', 'speaker_id');
CREATE TRIGGER onrecord_speakername_search_delete AFTER DELETE ON quotes_speakername
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION onrecord_search_refresh('speaker_id', 'speaker_id');

-- A speaker's new name: the vectors of their quotes.
CREATE FUNCTION onrecord_speaker_search_refresh() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE quotes_quote SET search_vector = NULL
    WHERE speaker_id IN (
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.name IS DISTINCT FROM o.name);
    RETURN NULL;
END
$$;

CREATE TRIGGER onrecord_speaker_search_update AFTER UPDATE ON quotes_speaker
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION onrecord_speaker_search_refresh();

-- Vectors for the quotes that already exist.
UPDATE quotes_quote SET search_vector = NULL;
"""

# Fuzzy, accent-insensitive search (pg_trgm) over speakers' names; the default order.
INDEXES_SQL = """
CREATE INDEX speaker_name_trigrams ON quotes_speaker
    USING gin (onrecord_unaccent(lower(name)) gin_trgm_ops);
CREATE INDEX speakername_name_trigrams ON quotes_speakername
    USING gin (onrecord_unaccent(lower(name)) gin_trgm_ops);
-- The API's default order for the public: published quotes, newest first, undated last.
CREATE INDEX quote_published_latest_first ON quotes_quote (said_start DESC NULLS LAST, said DESC, key)
    WHERE status = 'published';
"""

REVERSE_INDEXES_SQL = """
DROP INDEX quote_published_latest_first;
DROP INDEX speakername_name_trigrams;
DROP INDEX speaker_name_trigrams;
"""

REVERSE_TRIGGERS_SQL = """
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
"""

REVERSE_FUNCTIONS_SQL = """
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
"""

REVERSE_CONFIGURATIONS_SQL = """
DROP FUNCTION onrecord_unaccent(text);
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
    dependencies = [
        ("quotes", "0003_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="quote",
            name="update_update",
        ),
        migrations.AddField(
            model_name="quote",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False,
                help_text="Maintained by database triggers from the text, translations, context "
                "and speaker's names (migration 0004_search).",
                null=True,
                serialize=False,
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="quote",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."context" IS DISTINCT FROM (NEW."context") OR OLD."created" IS DISTINCT FROM (NEW."created") OR OLD."created_by_id" IS DISTINCT FROM (NEW."created_by_id") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."key" IS DISTINCT FROM (NEW."key") OR OLD."kind" IS DISTINCT FROM (NEW."kind") OR OLD."language" IS DISTINCT FROM (NEW."language") OR OLD."retraction_reason" IS DISTINCT FROM (NEW."retraction_reason") OR OLD."role_id" IS DISTINCT FROM (NEW."role_id") OR OLD."role_resolution" IS DISTINCT FROM (NEW."role_resolution") OR OLD."said" IS DISTINCT FROM (NEW."said") OR OLD."said_start" IS DISTINCT FROM (NEW."said_start") OR OLD."speaker_id" IS DISTINCT FROM (NEW."speaker_id") OR OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."text" IS DISTINCT FROM (NEW."text") OR OLD."updated" IS DISTINCT FROM (NEW."updated") OR OLD."updated_by_id" IS DISTINCT FROM (NEW."updated_by_id"))',
                    func='INSERT INTO "quotes_quoteevent" ("context", "created", "created_by_id", "id", "key", "kind", "language", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "retraction_reason", "role_id", "role_resolution", "said", "speaker_id", "status", "text", "updated", "updated_by_id") VALUES (NEW."context", NEW."created", NEW."created_by_id", NEW."id", NEW."key", NEW."kind", NEW."language", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."retraction_reason", NEW."role_id", NEW."role_resolution", NEW."said", NEW."speaker_id", NEW."status", NEW."text", NEW."updated", NEW."updated_by_id"); RETURN NULL;',
                    hash="3ad8661898621b0a3105bdf2b6b5a19a641a4a13",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_d2f7b",
                    table="quotes_quote",
                    when="AFTER",
                ),
            ),
        ),
        migrations.RunSQL([CONFIGURATIONS_SQL], [REVERSE_CONFIGURATIONS_SQL]),
        migrations.RunSQL([FUNCTIONS_SQL], [REVERSE_FUNCTIONS_SQL]),
        migrations.RunSQL([TRIGGERS_SQL], [REVERSE_TRIGGERS_SQL]),
        migrations.RunSQL([INDEXES_SQL], [REVERSE_INDEXES_SQL]),
        # Built after the vectors of existing quotes are filled in.
        migrations.AddIndex(
            model_name="quote",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="quote_search_vector"
            ),
        ),
    ]
