"""OnRecord served by gunicorn in its own processes, on a database the test chooses.

For tests that need what the test database cannot give: a second server (a replica), or a
database restored from a dump. The site runs with production settings (DEBUG off).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CREATE_EDITOR = """
from rest_framework.authtoken.models import Token
from quotes import services
# A reviewer: an editor's change of a published quote would wait for review (202).
user = services.user_make_editor(username="site-editor", password="x" * 20, reviewer=True)
print(Token.objects.get_or_create(user=user)[0].key)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_environment(database_url: str, data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a site on ``database_url``; nothing of the test run's own."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "ONRECORD_", "DJANGO_"))
    }
    return {
        **inherited,
        "DATABASE_URL": database_url,
        "ONRECORD_DATA_DIR": str(data_dir),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "live-site-test-secret",
        **settings,
    }


def manage(environment: dict[str, str], *args: str) -> str:
    """Run a management command; return what it printed."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout


def editor_token(environment: dict[str, str]) -> str:
    """Create an editor (a reviewer, who changes published quotes directly) on the site's
    database; return their API token."""
    return manage(environment, "shell", "-c", CREATE_EDITOR).split()[-1]


@contextmanager
def serving(
    environment: dict[str, str], workers: int = 1, log: Path | None = None
) -> Iterator[str]:
    """Serve the site with gunicorn on a free port of 127.0.0.1; yield its base URL. With
    ``log``, what the server and its indexer print goes to that file."""
    port = free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    options = ["--config", "python:project.gunicorn_conf", "--workers", str(workers)]
    output = log.open("w") if log else None
    server = subprocess.Popen(
        [gunicorn, "project.wsgi", *options, "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=environment,
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        if output:
            output.close()


def _wait_until_serving(base: str, server: subprocess.Popen) -> None:
    for _ in range(150):
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"gunicorn does not answer at {base}")


def wait_until_ready(base: str, timeout: float = 60) -> None:
    """Wait until /readyz answers 200 (a new site's indexer builds its index first)."""
    deadline = time.monotonic() + timeout
    while (status := call("GET", f"{base}/readyz")[0]) != 200:
        assert status == 503
        assert time.monotonic() < deadline, f"{base} is not ready after {timeout} s"
        time.sleep(0.3)


def call(
    method: str,
    url: str,
    token: str | None = None,
    body: dict | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, object, dict[str, str]]:
    """Return the status, the JSON body and the headers of one request."""
    sent = {"Accept": "application/json", "Content-Type": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=sent, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), dict(error.headers)
