import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace
from uuid import uuid4

import pytest
from django.db import connections
from django.test import Client

from tests.factories import EditorFactory, ReviewerFactory


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # The manifest storage needs collectstatic, which tests do not run.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing takes a good part of a second per user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(settings):
    # Each test counts its requests afresh, also in a Redis shared with other runs.
    from project.cache import LOCAL_COUNTS, OUTAGE

    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid4().hex}"},
    }
    OUTAGE.reset()  # and in this process's memory, the fallback of a cache that is down
    LOCAL_COUNTS.clear()


@pytest.fixture(autouse=True)
def _one_rate_window(monkeypatch):
    """The rate limits count in fixed windows (a minute for 60/min): the clock they read
    stands still during a test, so that a window turning in the middle of it does not
    reset a count the test checks (a 200 where the limit's 429 was due)."""
    from api import throttling

    now = time.time()
    monkeypatch.setattr(throttling, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture(autouse=True)
def _search_index(settings, tmp_path):
    """Each test its own search index, brought up to date by every search (no indexer)."""
    from search.index import forget

    settings.SEARCH_DIR = tmp_path / "search"
    settings.SEARCH_SYNC = True
    yield settings.SEARCH_DIR
    forget(settings.SEARCH_DIR)


@pytest.fixture(autouse=True)
def _own_vector_index():
    """Each test its own replica of the vector index, built from what it embeds."""
    from lineage import vectors

    vectors.reset()
    yield
    vectors.reset()


@pytest.fixture
def embed_all(db, settings):
    """Run the embedder over what the test wrote so far (the worker's job): call it."""
    from lineage import embedder

    settings.ONRECORD_EMBED_SHARE = 1  # no rest between batches
    return lambda: embedder.run(own=True)


@pytest.fixture(autouse=True)
def _dumps_dir(settings, tmp_path):
    """Each test writes its public dumps in its own directory, never the real data dir's."""
    settings.DUMPS_DIR = tmp_path / "dumps"
    return settings.DUMPS_DIR


@pytest.fixture(autouse=True)
def _job_queue_emptied(request, django_db_blocker):
    """A test whose writes commit leaves its jobs (a capture deferred by a citation's save)
    in Procrastinate's tables, which the flush after it does not empty (Django does not
    manage them): empty them, or a later test's /readyz would see a job long waiting."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    with django_db_blocker.unblock(), connections["default"].cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")


@pytest.fixture(autouse=True)
def captures_storage(settings, tmp_path):
    """Each test keeps its captures' WARC files in its own directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "captures": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "captures")},
        },
    }
    return tmp_path / "captures"


@pytest.fixture
def editor(db):
    return EditorFactory()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def token_client(user):
    """An API client authenticated with ``user``'s token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def site(settings):
    """A local web server of pages to capture (tests/captures_support.py)."""
    from tests.captures_support import local_site

    with local_site(settings) as served:
        yield served


@pytest.fixture
def editor_api(editor):
    """An API client authenticated with an editor's token."""
    return token_client(editor)


@pytest.fixture
def reviewer_api(reviewer):
    """An API client authenticated with a reviewer's token."""
    return token_client(reviewer)


@pytest.fixture
def reviewer(db):
    return ReviewerFactory()


@pytest.fixture
def reviewer_client(reviewer):
    """Its own client, so that a test can use it next to ``editor_client``."""
    client = Client()
    client.force_login(reviewer)
    return client


# Browser tests ------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium driven by Playwright; the test fails if it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}: install it with "
            "`apt-get install -y chromium` (.ci/run does)."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API runs an event loop in this thread; the test's own
    # database calls stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Database connections opened while Playwright's loop ran belong to its context;
        # close them here, or they would keep the test database open.
        connections.close_all()


@pytest.fixture
def new_page(request, browser):
    """Open a page in a fresh browser context (its own cookies: one per user).

    When the test fails, every page it opened is saved to test-artifacts/screenshots/.
    """
    pages = []

    def open_page():
        page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        page.set_default_timeout(15_000)
        pages.append(page)
        return page

    yield open_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(pages, start=1):
            name = f"{request.node.name}-{number}.png"
            page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    for page in pages:
        # A route handler still answering a request as the page closes raised at teardown
        # ("Fetch response has been disposed"): its errors are of no interest by then.
        page.unroute_all(behavior="ignoreErrors")
        page.context.close()


@pytest.fixture
def local_pages(settings):
    """Let intake fetch the pages that tests serve on 127.0.0.1 (refused by default)."""
    settings.INTAKE_FETCH_PRIVATE = True


class RedisServer:
    """A Redis of the test's own, on a free port of 127.0.0.1, without persistence."""

    def __init__(self, binary: str):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.binary = binary
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.process = subprocess.Popen([*command, "--appendonly", "no"], stdout=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server():
    """A real Redis, started from ``redis-server`` (CI installs it: .ci/run) and stopped."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(
            "redis-server is not installed, so the Redis outage cannot be tried: "
            "apt-get install redis-server (.ci/run installs it)."
        )
    server = RedisServer(binary)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def on_record(db):
    """The speakers of tests/data/intake/speakers.json on record, as the intake bench has them."""
    from intake.evaluation import load_speakers
    from tests.intake_support import DATA

    load_speakers(DATA / "speakers.json")
