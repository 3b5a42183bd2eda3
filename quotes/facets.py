"""Counts of a set of quotes by speaker, country, year, topic, language and kind."""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet
from django.utils.translation import get_language_info
from django_countries import countries

from quotes.models import Quote

FACETS = ("speaker", "country", "year", "topic", "language", "kind")

# The matching quotes ("matched") are counted in one pass by every column a facet needs
# ("grouped", one grouping set per column; GROUPING() tells which set a row belongs to).
GROUPED_SQL = """
    SELECT GROUPING(speaker_id, role_id, year, language, kind) AS grouping_set,
           speaker_id, role_id, year, language, kind, count(*) AS n
    FROM (SELECT speaker_id, role_id, left(said, 4) AS year, language, kind FROM matched) AS m
    GROUP BY GROUPING SETS ((speaker_id), (role_id), (year), (language), (kind), ())"""
BY_SPEAKER, BY_ROLE, BY_YEAR, BY_LANGUAGE, BY_KIND, TOTAL = 15, 23, 27, 29, 30, 31

# Each facet: value, label, count.
FACET_SQL = {
    "speaker": f"""
        SELECT s.key, s.name, g.n FROM grouped g JOIN quotes_speaker s ON s.id = g.speaker_id
        WHERE g.grouping_set = {BY_SPEAKER} ORDER BY g.n DESC, s.name, s.key LIMIT %(limit)s""",
    "country": f"""
        SELECT o.country, o.country, sum(g.n)::bigint FROM grouped g
        JOIN quotes_affiliation a ON a.id = g.role_id
        JOIN quotes_organization o ON o.id = a.organization_id
        WHERE g.grouping_set = {BY_ROLE} AND o.country <> ''
        GROUP BY o.country ORDER BY sum(g.n) DESC, o.country LIMIT %(limit)s""",
    "year": f"""
        SELECT g.year, g.year, g.n FROM grouped g
        WHERE g.grouping_set = {BY_YEAR} AND g.year IS NOT NULL
        ORDER BY g.year DESC LIMIT %(limit)s""",
    "topic": """
        SELECT t.key, t.name, count(*) FROM matched m
        JOIN quotes_quote_topics qt ON qt.quote_id = m.id
        JOIN quotes_topic t ON t.id = qt.topic_id
        GROUP BY t.key, t.name ORDER BY count(*) DESC, t.name, t.key LIMIT %(limit)s""",
    "language": f"""
        SELECT g.language, g.language, g.n FROM grouped g WHERE g.grouping_set = {BY_LANGUAGE}
        ORDER BY g.n DESC, g.language LIMIT %(limit)s""",
    "kind": f"""
        SELECT g.kind, g.kind, g.n FROM grouped g WHERE g.grouping_set = {BY_KIND}
        ORDER BY g.n DESC, g.kind LIMIT %(limit)s""",
}


def quote_facets(queryset: QuerySet, *, limit: int = 20) -> dict:
    """The number of quotes in ``queryset`` and, for each facet, its ``limit`` most frequent
    values (years: the latest), with labels. One query: the quotes are selected once."""
    matched = queryset.order_by().values("id", "speaker_id", "role_id", "said", "language", "kind")
    matched_sql, matched_params = matched.query.get_compiler(queryset.db).as_sql()
    branches = [f"SELECT 'count', NULL, NULL, n FROM grouped WHERE grouping_set = {TOTAL}"] + [
        f"(SELECT '{name}', * FROM ({FACET_SQL[name]}) AS {name})" for name in FACETS
    ]
    # Wrapped in a SELECT so that history tracking sees a read.
    sql = (
        f"SELECT * FROM (WITH matched AS MATERIALIZED ({matched_sql}), "
        f"grouped AS MATERIALIZED ({GROUPED_SQL}) " + " UNION ALL ".join(branches) + ") AS facets"
    )
    # The queryset's own parameters are positional; ours are named: merge them.
    sql = sql.replace("%(limit)s", str(int(limit)))
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, matched_params)
        rows = cursor.fetchall()
    result: dict = {"count": 0, "facets": {name: [] for name in FACETS}}
    for facet, value, label, count in rows:
        if facet == "count":
            result["count"] = count
        else:
            result["facets"][facet].append(
                {"value": str(value), "label": _label(facet, value, label), "count": count}
            )
    return result


KIND_LABELS = dict(Quote.Kind.choices)


def _label(facet: str, value: str, label: str) -> str:
    if facet == "country":
        return countries.name(value) or value
    if facet == "kind":
        return str(KIND_LABELS.get(value, value))
    if facet == "language":
        return _language_name(value)
    return label


# Languages Django knows only by their variants.
LANGUAGE_NAMES = {"zh": "Chinese"}


def _language_name(tag: str) -> str:
    if tag.lower() in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[tag.lower()]
    for candidate in (tag.lower(), tag.split("-")[0].lower()):
        try:
            return get_language_info(candidate)["name"]
        except KeyError:
            continue
    return tag
