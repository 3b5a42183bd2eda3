"""Faults under a served site: PostgreSQL stopped and started again, the indexer killed, slow
clients (issue 18, items 1, 5 and 7).

The suite starts a PostgreSQL server of its own (tests/replication.py) and serves OnRecord
from gunicorn with project/gunicorn_conf.py, which runs the search indexer beside it; then
stops the server as an administrator would, and starts it again.
"""

import contextlib
import socket
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import quote

import psutil
import pytest

from tests.live_site import call, manage, serving, site_environment, wait_until_ready
from tests.replication import EmbeddedServer

QUOTES = "/api/v1/quotes/"
READ_SECONDS = 3  # the site's deadline for reading a request (project/gunicorn_worker.py)
# A quote and its speaker, with keys of their own (each process's factories count from 0).
WRITE = (
    "from tests.factories import QuoteFactory; "
    "QuoteFactory(key={key!r}, speaker__key={key!r}, text={text!r}, status='published')"
)


@pytest.fixture(scope="module")
def postgres():
    with EmbeddedServer() as server:
        yield server


@pytest.fixture(scope="module")
def site(postgres, tmp_path_factory):
    """OnRecord served on ``postgres``; yields (base URL, environment, the server's log)."""
    data = tmp_path_factory.mktemp("outage-site")
    # The polls below are many: the rate limit is not what these tests are about.
    environment = site_environment(
        postgres.primary.url(),
        data,
        ONRECORD_RATE_ANON="10000/min",
        ONRECORD_REQUEST_READ_SECONDS=str(READ_SECONDS),
        # The web server and the indexer under test; the job worker, whose own client
        # library logs a lost connection with its traceback, is run on its own here.
        ONRECORD_JOB_WORKER="false",
    )
    manage(environment, "migrate", "--no-input", "-v0")
    log = data / "server.log"
    with serving(environment, workers=2, log=log) as base:
        wait_until_ready(base)  # once the indexer has built the index
        yield base, environment, log


def write(environment: dict[str, str], text: str) -> None:
    key = text.split()[0].strip(",.").lower()
    manage(environment, "shell", "-c", WRITE.format(key=key, text=text))


def wait_until_found(base: str, word: str, timeout: float) -> None:
    """Wait until a search for ``word`` finds one quote (503s meanwhile are fine)."""
    deadline = time.monotonic() + timeout
    while True:
        status, body, _ = call("GET", f"{base}{QUOTES}?q={quote(word)}")
        if status == 200 and body["count"] == 1:
            return
        assert status in (200, 503), body
        assert time.monotonic() < deadline, f"{word!r} is not searchable after {timeout} s"
        time.sleep(0.3)


def wait_until_answering(base: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while call("GET", f"{base}{QUOTES}")[0] != 200:
        assert time.monotonic() < deadline, "the site does not answer again"
        time.sleep(0.3)


def test_a_stopped_database_is_a_503_with_retry_after_logged_once(postgres, site):
    """Item 5: each request answered 500, with a traceback in the log."""
    base, _environment, log = site
    postgres.stop_primary()
    try:
        for _ in range(20):
            status, body, headers = call("GET", f"{base}{QUOTES}")
            assert status == 503
            assert int(headers["Retry-After"]) > 0
            assert "database does not answer" in body["detail"]
        with pytest.raises(urllib.error.HTTPError) as page:
            urllib.request.urlopen(f"{base}/speakers/wang-yi/", timeout=30)
        assert page.value.code == 503
        assert page.value.headers["Content-Type"].startswith("text/html")
        assert b"unavailable for a moment" in page.value.read()
        assert call("GET", f"{base}/readyz")[0] == 503
    finally:
        postgres.start_primary()
    wait_until_answering(base)
    text = log.read_text()
    assert "Traceback" not in text
    assert 1 <= text.count("The database does not answer") <= 2  # once in each worker
    assert "The database answers again" in text


def test_writes_are_searchable_again_within_seconds_of_the_database_return(postgres, site):
    """Item 1: the indexer died of the restart (its raw connection's error) for good."""
    base, environment, _log = site
    write(environment, "Before the restart.")
    wait_until_found(base, "before", timeout=30)
    postgres.stop_primary()
    time.sleep(3)  # the indexer meets the outage
    postgres.start_primary()
    write(environment, "After the restart.")
    wait_until_found(base, "after", timeout=15)


def indexers(environment: dict[str, str]) -> list[psutil.Process]:
    """The site's running indexer processes (not the supervisor that starts them)."""
    return [
        process
        for process in psutil.process_iter(["cmdline", "status"])
        if "search_indexer" in (process.info["cmdline"] or [])
        and "project.supervisor" not in process.info["cmdline"]
        and process.info["status"] != psutil.STATUS_ZOMBIE
        and process.environ().get("ONRECORD_DATA_DIR") == environment["ONRECORD_DATA_DIR"]
    ]


def test_an_indexer_that_exits_is_started_again(site):
    """Item 1: gunicorn started the indexer once."""
    base, environment, log = site
    [killed] = indexers(environment)
    killed.kill()
    killed.wait(10)
    deadline = time.monotonic() + 30
    while not indexers(environment):
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)
    write(environment, "Meanwhile, the indexer was down.")
    wait_until_found(base, "meanwhile", timeout=40)


def test_slow_clients_do_not_hold_every_thread(site):
    """Item 7: 20 clients sending a header line every few seconds held every thread of the
    workers (2 workers of 8 threads here), and /healthz timed out."""
    base, _environment, _log = site
    port = int(base.rsplit(":", 1)[1])
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
    done = threading.Event()

    def trickle() -> None:
        for client in clients:
            client.sendall(b"GET /healthz HTTP/1.1\r\n")
        n = 0
        while not done.wait(1):
            n += 1
            for client in clients:
                with contextlib.suppress(OSError):  # closed by the server: the deadline
                    client.sendall(f"X-Slow-{n}: 1\r\n".encode())

    sender = threading.Thread(target=trickle)
    sender.start()
    try:
        time.sleep(1)
        started = time.monotonic()
        with urllib.request.urlopen(f"{base}/healthz", timeout=READ_SECONDS * 4) as response:
            assert response.status == 200
        assert time.monotonic() - started < READ_SECONDS * 3
        for client in clients:  # each slow client is closed, not answered
            client.settimeout(READ_SECONDS * 3)
            assert client.recv(100) == b""
    finally:
        done.set()
        sender.join()
        for client in clients:
            client.close()
