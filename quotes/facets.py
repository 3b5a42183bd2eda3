"""Counts of a set of quotes by speaker, country, year, topic, language and kind."""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet
from django.utils.translation import get_language_info
from django_countries import countries

from quotes.models import Quote

FACETS = ("speaker", "country", "year", "topic", "language", "kind")

# Each facet over the matching quotes (computed once, in "matched"): value, label, count.
FACET_SQL = {
    "speaker": """
        SELECT s.key, s.name, count(*) FROM matched m JOIN quotes_speaker s ON s.id = m.speaker_id
        GROUP BY s.key, s.name ORDER BY count(*) DESC, s.name, s.key LIMIT %(limit)s""",
    "country": """
        SELECT o.country, o.country, count(*) FROM matched m
        JOIN quotes_affiliation a ON a.id = m.role_id
        JOIN quotes_organization o ON o.id = a.organization_id
        WHERE o.country <> ''
        GROUP BY o.country ORDER BY count(*) DESC, o.country LIMIT %(limit)s""",
    "year": """
        SELECT left(m.said, 4), left(m.said, 4), count(*) FROM matched m WHERE m.said IS NOT NULL
        GROUP BY 1 ORDER BY 1 DESC LIMIT %(limit)s""",
    "topic": """
        SELECT t.key, t.name, count(*) FROM matched m
        JOIN quotes_quote_topics qt ON qt.quote_id = m.id
        JOIN quotes_topic t ON t.id = qt.topic_id
        GROUP BY t.key, t.name ORDER BY count(*) DESC, t.name, t.key LIMIT %(limit)s""",
    "language": """
        SELECT m.language, m.language, count(*) FROM matched m
        GROUP BY m.language ORDER BY count(*) DESC, m.language LIMIT %(limit)s""",
    "kind": """
        SELECT m.kind, m.kind, count(*) FROM matched m
        GROUP BY m.kind ORDER BY count(*) DESC, m.kind LIMIT %(limit)s""",
}


def quote_facets(queryset: QuerySet, *, limit: int = 20) -> dict:
    """The number of quotes in ``queryset`` and, for each facet, its ``limit`` most frequent
    values (years: the latest), with labels. One query: the quotes are selected once."""
    matched = queryset.order_by().values("id", "speaker_id", "role_id", "said", "language", "kind")
    matched_sql, matched_params = matched.query.get_compiler(queryset.db).as_sql()
    branches = ["SELECT 'count', NULL, NULL, count(*) FROM matched"] + [
        f"(SELECT '{name}', * FROM ({FACET_SQL[name]}) AS {name})" for name in FACETS
    ]
    # Wrapped in a SELECT so that history tracking sees a read.
    sql = (
        f"SELECT * FROM (WITH matched AS MATERIALIZED ({matched_sql}) "
        + " UNION ALL ".join(branches)
        + ") AS facets"
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


def _language_name(tag: str) -> str:
    for candidate in (tag.lower(), tag.split("-")[0].lower()):
        try:
            return get_language_info(candidate)["name"]
        except KeyError:
            continue
    return tag
