"""Helpers shared by the API tests."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def result_keys(response) -> list[str]:
    """The keys of a successful list response's results, in order."""
    assert response.status_code == 200, response.content
    return [item["key"] for item in response.json()["results"]]


def count_queries(client, url: str, params: dict) -> int:
    """How many SQL queries a non-empty list request takes."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    assert response.json()["results"]
    return len(record_queries(queries))


def record_queries(captured: CaptureQueriesContext) -> list[dict]:
    """The captured queries but those of the rate limit's counter (in the database cache's
    table, in a savepoint of its own)."""
    return [
        query
        for query in captured.captured_queries
        if "onrecord_cache" not in query["sql"] and "SAVEPOINT" not in query["sql"]
    ]
