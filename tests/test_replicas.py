"""Reads on a real streaming replica, writes and a writer's next reads on the primary.

The suite starts a primary and a streaming replica of it (tests/replication.py) and serves
OnRecord from gunicorn with DATABASE_URL on the primary and DATABASE_REPLICA_URLS on the
replica. Pausing the replica's replay makes it visibly stale, which shows where each read
went.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.replication import StreamingPair, free_port

ROOT = Path(__file__).resolve().parent.parent
STICKY_SECONDS = 2
CREATE_EDITOR = """
from rest_framework.authtoken.models import Token
from quotes import services
user = services.user_make_editor(username="replica-editor", password="x" * 20)
print(Token.objects.create(user=user).key)
"""


@pytest.fixture(scope="module")
def pair():
    streaming = StreamingPair()
    try:
        streaming.start()
        yield streaming
    finally:
        streaming.stop()


@pytest.fixture(scope="module")
def site(pair, tmp_path_factory):
    """OnRecord served by gunicorn over the pair; yields (base URL, an editor's token)."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "ONRECORD_"))},
        "DATABASE_URL": pair.primary.url(),
        "DATABASE_REPLICA_URLS": pair.replica.url(),
        "ONRECORD_REPLICA_STICKY_SECONDS": str(STICKY_SECONDS),
        "ONRECORD_DATA_DIR": str(tmp_path_factory.mktemp("replica-site")),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "replica-test-secret",
    }
    manage = [sys.executable, "manage.py"]
    run = {"cwd": ROOT, "env": environment, "check": True, "timeout": 300}
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], **run)
    token = subprocess.run(
        [*manage, "shell", "-c", CREATE_EDITOR], capture_output=True, text=True, **run
    ).stdout.split()[-1]
    port = free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "project.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=environment,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base)
        pair.wait_for_replay()
        yield base, token
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_until_serving(base: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"gunicorn does not answer at {base}")


def call(method: str, url: str, token: str | None = None, body: dict | None = None):
    """Return (status, JSON body) of one request."""
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_reads_go_to_the_replica_and_a_writer_reads_its_writes_on_the_primary(pair, site):
    base, token = site
    topics = f"{base}/api/v1/topics/"
    with pair.replay_paused():
        status, _ = call("POST", topics, token, {"key": "gaza", "name": "Gaza"})
        assert status == 201  # the write reached the primary: the replica is read-only

        # The writer reads its own write at once, from the primary.
        assert call("GET", f"{topics}gaza/", token)[0] == 200
        # Another client reads from the replica, which has not replayed the write yet.
        assert call("GET", f"{topics}gaza/")[0] == 404
        assert call("GET", topics)[1]["count"] == 0

        # Once the sticky time is over, the writer's reads go to the replica again.
        time.sleep(STICKY_SECONDS + 0.5)
        assert call("GET", f"{topics}gaza/", token)[0] == 404
    pair.wait_for_replay()
    status, topic = call("GET", f"{base}/api/v1/topics/gaza/")
    assert (status, topic["name"]) == (200, "Gaza")


def test_a_request_that_writes_reads_on_the_primary_too(pair, site):
    base, token = site
    topics = f"{base}/api/v1/topics/"
    with pair.replay_paused():
        assert call("POST", topics, token, {"key": "nato", "name": "NATO"})[0] == 201
        # Updating the topic reads it first: on the primary, where it exists.
        status, topic = call("PATCH", f"{topics}nato/", token, {"name": "Nato"})
        assert (status, topic["name"]) == (200, "Nato")


def test_readyz_names_a_replica_that_does_not_answer(pair, site):
    base, _token = site
    assert call("GET", f"{base}/readyz") == (200, {"status": "ok"})
    pair.stop_replica()
    status, body = call("GET", f"{base}/readyz")
    assert status == 503
    assert body["reasons"][0].startswith("database 'replica_1' does not answer")
