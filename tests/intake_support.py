"""Helpers of the intake tests: the demo article, its speakers, a local web server."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.factories import (
    AffiliationFactory,
    OrganizationFactory,
    SpeakerFactory,
    SpeakerNameFactory,
)

DATA = Path(__file__).resolve().parent / "data" / "intake"
DEMO_ARTICLE = DATA / "china-russia-gaza-2023-10-20.txt"


def demo_text() -> str:
    return DEMO_ARTICLE.read_text(encoding="utf-8")


def demo_speakers() -> dict:
    """The three speakers of the demo article, on record as the demo data has them."""
    mfa = OrganizationFactory(
        name="Ministry of Foreign Affairs of the People's Republic of China",
        country="CN",
        aliases=["MFA", "外交部"],
    )
    kremlin = OrganizationFactory(
        name="Presidential Executive Office of Russia",
        country="RU",
        kind="head_of_state_office",
        aliases=["Kremlin"],
    )
    zisu = OrganizationFactory(
        name="Zhejiang International Studies University", country="CN", kind="academic"
    )
    wang = SpeakerFactory(key="wang-yi", name="Wang Yi", country="CN")
    SpeakerNameFactory(speaker=wang, name="王毅", language="zh")
    AffiliationFactory(
        speaker=wang, organization=mfa, role="Minister of Foreign Affairs", start="2023-07-25"
    )
    putin = SpeakerFactory(key="vladimir-putin", name="Vladimir Putin", country="RU")
    SpeakerNameFactory(speaker=putin, name="Владимир Путин", language="ru")
    AffiliationFactory(
        speaker=putin, organization=kremlin, role="President of Russia", start="2012-05-07"
    )
    ma = SpeakerFactory(key="ma-xiaolin", name="Ma Xiaolin", country="CN")
    AffiliationFactory(speaker=ma, organization=zisu, role="Professor", start=None)
    return {"wang-yi": wang, "vladimir-putin": putin, "ma-xiaolin": ma}


KINDS = ("slow", "drip", "redirect")  # routes of ``serve`` that behave unlike a page


@contextmanager
def serve(routes: dict[str, tuple[int, str, bytes]], *, delay: float = 0.0):
    """Serve ``routes`` (path → status, content type, body) on 127.0.0.1; yield the base URL.

    A route whose content type is "slow" answers after ``delay`` seconds; "drip" sends its
    body one byte every ``delay`` seconds; "redirect" sends its body as the Location.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, content_type, body = routes.get(self.path, (404, "text/plain", b"missing"))
            if content_type == "slow":
                time.sleep(delay)
            try:
                self.send_response(status)
                if content_type == "redirect":
                    self.send_header("Location", body.decode())
                self.send_header(
                    "Content-Type", "text/html" if content_type in KINDS else content_type
                )
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                dripping = content_type == "drip"
                for chunk in [body[i : i + 1] for i in range(len(body))] if dripping else [body]:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    if dripping:
                        time.sleep(delay)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
