"""Fetching a source's page politely: the intake's safeguarded fetch (intake.reports), a
User-Agent naming OnRecord and its contact, robots.txt obeyed, one request per host at a
time, and the answer kept as a WARC record named by its body's SHA-256."""

from __future__ import annotations

import hashlib
import io
import time
import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from intake.errors import IntakeError
from intake.reports import Page, fetch_page, report_from_page

ROBOTS_CACHE_SECONDS = 3600
_robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None]] = {}


def user_agent() -> str:
    return f"OnRecord-captures/1.0 (+{settings.ONRECORD_SITE_URL}; {settings.CAPTURES_CONTACT})"


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


@dataclass(frozen=True)
class Answer:
    """A page that answered, or why none did (``error``)."""

    page: Page | None = None
    error: str = ""


def fetch(url: str) -> Answer:
    """The page at ``url``, unless robots.txt forbids it, it fails or it is too large."""
    refusal = robots_refusal(url)
    if refusal:
        return Answer(error=refusal)
    try:
        page = _get(url)
    except IntakeError as failure:
        return Answer(error=failure.message[:500])
    if len(page.content) > settings.CAPTURES_MAX_BYTES:
        limit = settings.CAPTURES_MAX_BYTES
        return Answer(error=f"The page at {url} is larger than the limit of {limit:,} bytes.")
    return Answer(page=page)


def _get(url: str) -> Page:
    return fetch_page(
        url,
        user_agent=user_agent(),
        limit=settings.CAPTURES_MAX_BYTES,
        timeout=settings.CAPTURES_FETCH_TIMEOUT,
    )


def robots_refusal(url: str) -> str:
    """Why robots.txt forbids OnRecord to fetch ``url``, or "" (also when not obeyed)."""
    if not settings.CAPTURES_RESPECT_ROBOTS:
        return ""
    parts = urlsplit(url)
    origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    cached = _robots.get(origin)
    if cached is None or time.monotonic() - cached[0] > ROBOTS_CACHE_SECONDS:
        cached = (time.monotonic(), _robots_read(origin + "/robots.txt"))
        _robots[origin] = cached
    parser = cached[1]
    if parser is None:
        return f"{origin}/robots.txt could not be read; the page is captured when it can be."
    if not parser.can_fetch(user_agent(), url):
        return f"{origin}/robots.txt does not allow OnRecord to fetch this page."
    return ""


def _robots_read(address: str) -> urllib.robotparser.RobotFileParser | None:
    """The rules of a robots.txt (none: all allowed; 401 or 403: all forbidden), or None
    when it did not answer or answered with a server error."""
    parser = urllib.robotparser.RobotFileParser(address)
    try:
        page = _get(address)
    except IntakeError:
        return None
    if page.status >= 500:
        return None
    if page.status in (401, 403):
        parser.disallow_all = True
    elif page.status < 400:
        parser.parse(page.content.decode("utf-8", "replace").splitlines())
    else:
        parser.allow_all = True
    return parser


def forget_robots() -> None:
    _robots.clear()


def wait_for_host(host: str, last: float | None) -> None:
    """Sleep until ``CAPTURES_HOST_INTERVAL`` seconds have passed since ``last`` (a Unix
    time of the host's last capture)."""
    if last is None:
        return
    wait = settings.CAPTURES_HOST_INTERVAL - (time.time() - last)
    if wait > 0:
        time.sleep(wait)


def page_text(page: Page) -> str:
    """The page's main text, as intake reads it (trafilatura), or "" when it has none."""
    if not 200 <= page.status < 300:
        return ""
    try:
        return report_from_page(page).text
    except IntakeError:
        return ""


def warc_store(page: Page, fetched_at) -> tuple[str, str]:
    """Keep the answer as a gzipped WARC response record, once per body: returns the body's
    SHA-256 and the file's name in the ``captures`` storage."""
    sha256 = hashlib.sha256(page.content).hexdigest()
    name = f"warc/{sha256[:2]}/{sha256}.warc.gz"
    storage = storages["captures"]
    if not storage.exists(name):
        storage.save(name, ContentFile(warc_record(page, fetched_at)))
    return sha256, name


def warc_record(page: Page, fetched_at) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    # The body is kept as received after the transfer's chunking was undone.
    headers = [(k, v) for k, v in page.headers.items() if k.lower() != "transfer-encoding"]
    http_headers = StatusAndHeaders(f"{page.status} {page.reason}", headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        page.url,
        "response",
        payload=io.BytesIO(page.content),
        http_headers=http_headers,
        warc_headers_dict={"WARC-Date": fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")},
    )
    writer.write_record(record)
    return buffer.getvalue()
