"""/healthz says the process serves; /readyz says the database answers and is migrated."""

import pytest
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query would fail this test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_200_when_the_database_answers_and_is_migrated(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_answers_503_naming_a_migration_not_applied(client):
    # The latest migration of quotes, whatever it is: the plan runs to the leaf.
    [latest] = [n for app, n in MigrationLoader(connection).graph.leaf_nodes() if app == "quotes"]
    MigrationRecorder.Migration.objects.filter(app="quotes", name=latest).delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["reasons"] == [f"1 migration(s) not applied: quotes.{latest}"]


@pytest.mark.django_db
def test_readyz_answers_503_when_the_database_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    reasons = response.json()["reasons"]
    assert reasons[0].startswith("database 'default' does not answer: OperationalError")


@pytest.mark.django_db
def test_readyz_runs_every_configured_check(client, settings):
    settings.READINESS_CHECKS = [*settings.READINESS_CHECKS, "tests.test_health.index_lagging"]
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reasons"] == ["search index 12 s behind"]


def index_lagging() -> str:
    return "search index 12 s behind"
