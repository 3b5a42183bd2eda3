"""Reading a report: pasted text, an uploaded .txt or .html file, or a page fetched by URL,
reduced to its main text with its title, publisher, author, date and language."""

from __future__ import annotations

import contextlib
import datetime
import http.client
import ipaddress
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from email.message import Message
from urllib.parse import urlsplit

from django.conf import settings

from intake.errors import IntakeError
from quotes.dates import ReducedDate

MAX_BYTES = 2_000_000
MAX_TEXT_CHARS = 1_000_000  # a report's text: its proposals take a few seconds a megabyte
FETCH_TIMEOUT = 10.0  # seconds for the whole fetch (redirects and body included)
USER_AGENT = "OnRecord-intake/1.0 (+editorial review of reported statements)"
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Report:
    """A report's main text (the future source's full text) and what is known about it."""

    text: str
    title: str = ""
    publisher: str = ""
    author: str = ""
    published: str = ""  # a reduced date, "" when unknown
    language: str = ""
    url: str = ""

    @property
    def published_date(self) -> ReducedDate | None:
        return ReducedDate.parse(self.published) if self.published else None


def max_bytes() -> int:
    return getattr(settings, "INTAKE_MAX_BYTES", MAX_BYTES)


def max_text_chars() -> int:
    return getattr(settings, "INTAKE_MAX_TEXT_CHARS", MAX_TEXT_CHARS)


def _check_text_length(text: str, field: str) -> None:
    """A report's text is read in time linear in its length, but not without bound."""
    if len(text) > max_text_chars():
        raise IntakeError(
            f"The report's text has {len(text):,} characters, more than the limit of "
            f"{max_text_chars():,}: give only the article.",
            field,
        )


def report_from_text(text: str) -> Report:
    """A pasted or uploaded plain-text report; its title and date from its first lines."""
    text = _normalise(text)
    if not text.strip():
        raise IntakeError("The report is empty: paste its text, upload a file or give a URL.")
    _check_size(len(text.encode()), "text")
    _check_text_length(text, "text")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return Report(
        text=text,
        title=_title_line(lines),
        author=_byline(lines[:6]),
        published=_date_in(lines[:6]),
        language=detect_language(text),
    )


def report_from_html(html: str, *, url: str = "") -> Report:
    """A web page reduced to its main text (trafilatura), with the page's metadata."""
    import trafilatura

    document = trafilatura.bare_extraction(
        html, url=url or None, with_metadata=True, include_comments=False, include_tables=False
    )
    text = _normalise(document.text or "") if document else ""
    if not text.strip():
        raise IntakeError(
            "No article text was found in this page: paste the article's text instead.",
            "url" if url else "html",
        )
    _check_text_length(text, "url" if url else "html")
    published = ""
    if document.date:
        try:
            published = datetime.date.fromisoformat(document.date[:10]).isoformat()
        except ValueError:
            published = ""
    return Report(
        text=text,
        title=(document.title or "").strip(),
        publisher=(document.sitename or "").strip(),
        author=(document.author or "").strip(),
        published=published,
        language=detect_language(text) or (document.language or "")[:2],
        url=url,
    )


def report_from_upload(name: str, content: bytes) -> Report:
    """An uploaded ``.txt`` or ``.html`` file."""
    _check_size(len(content), "file")
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix not in ("txt", "html", "htm"):
        raise IntakeError(f"“{name}” is not a .txt or .html file.", "file")
    text = _decode(content, None, "file")
    return report_from_text(text) if suffix == "txt" else report_from_html(text)


def report_from_url(url: str) -> Report:
    """Fetch a page (with a time limit and a size limit) and read it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IntakeError(f"“{url}” is not an http or https address.", "url")
    page = fetch_page(url)
    if page.status >= 400:
        raise IntakeError(f"The page at {url} answered {page.status} {page.reason}.", "url")
    _check_size(len(page.content), "url")
    return report_from_page(page)


def report_from_page(page: Page) -> Report:
    """A fetched HTML or plain-text page read as a report."""
    text = _decode(page.content, page.headers.get_content_charset(), "url")
    content_type = page.headers.get_content_type()
    if content_type in HTML_TYPES:
        return report_from_html(text, url=page.requested)
    if content_type == "text/plain":
        return replace(report_from_text(text), url=page.requested)
    raise IntakeError(
        f"The page at {page.requested} is {content_type or 'of an unknown type'}, not HTML or "
        "plain text.",
        "url",
    )


def fetch_timeout() -> float:
    return float(getattr(settings, "INTAKE_FETCH_TIMEOUT", FETCH_TIMEOUT))


@dataclass(frozen=True)
class Page:
    """A fetched page: the address asked for, the one answering (after redirects), the
    status and headers, and at most the size limit's bytes of the body plus one."""

    requested: str
    url: str
    status: int
    reason: str
    headers: Message
    content: bytes


def fetch_page(
    url: str,
    *,
    user_agent: str = USER_AGENT,
    limit: int | None = None,
    timeout: float | None = None,
) -> Page:
    """Fetch ``url`` with the safeguards: public addresses only (each redirect's too), one
    time limit for the whole fetch, at most ``limit`` bytes (plus one, so that a caller sees
    a body over the limit). An error status is a page too; no answer is an ``IntakeError``."""
    timeout = fetch_timeout() if timeout is None else timeout
    limit = max_bytes() if limit is None else limit
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    deadline = Deadline(timeout)
    try:
        _require_public(url)
        with deadline, _open(deadline, request, timeout) as response:
            content = deadline.read(response, limit + 1) if response.fp else b""
            status, reason = response.status, str(response.reason)
            return Page(url, response.geturl(), status, reason, response.headers, content)
    except PrivateAddress as refusal:
        raise IntakeError(str(refusal), "url") from None
    except (
        TimeoutError,
        OSError,
        urllib.error.URLError,
        ValueError,
        http.client.HTTPException,
    ) as error:
        raise _failure(url, error, deadline, timeout) from None


def _open(deadline: Deadline, request: urllib.request.Request, timeout: float):
    try:
        return _opener(deadline).open(request, timeout=timeout)
    except urllib.error.HTTPError as error:  # an answer all the same: its status, its body
        return error


def _failure(url: str, error: Exception, deadline: Deadline, timeout: float) -> IntakeError:
    reason = getattr(error, "reason", error)
    if isinstance(reason, PrivateAddress):
        return IntakeError(str(reason), "url")
    if deadline.passed or isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return IntakeError(f"The page at {url} did not answer within {timeout:g} seconds.", "url")
    return IntakeError(f"The page at {url} could not be fetched: {reason}.", "url")


class Deadline:
    """One time limit for a whole fetch: its connections, redirects, headers and body.

    A socket's timeout bounds each read, so a page sending a byte a second would never
    reach it; when the deadline passes, a timer shuts the fetch's sockets down, which ends
    any read blocked on them at once.
    """

    CHUNK = 64 * 1024

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.passed = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0:
            self.passed = True
            raise TimeoutError("the fetch's deadline passed")
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
        sock.settimeout(self.remaining())
        if self.passed:
            self._expire()

    def read(self, response, limit: int) -> bytes:
        """Up to ``limit`` bytes of the body, within the deadline."""
        chunks, size = [], 0
        while size < limit:
            self.remaining()
            chunk = response.read(min(self.CHUNK, limit - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        self.remaining()  # a read ended by the timer looks like the body's end
        return b"".join(chunks)

    def _expire(self) -> None:
        self.passed = True
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):  # already closed
                    sock.shutdown(socket.SHUT_RDWR)


# Fetching only public pages: an editor's address (or a page's redirect) must not make the
# server read what only it can reach (its own services, the cloud's metadata address, the
# internal network). Each address is checked before the request and each connection once
# made (a name may resolve differently the second time); through a proxy, only the former.


class PrivateAddress(OSError):
    """A report address that leads to an address not on the public internet."""


# Addresses that ``is_global`` may count as public but that lead to an IPv4 address of
# any kind (a private one included) through translation or tunnelling, or that no public
# page has: refused whatever they embed.
REFUSED_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "::/96",  # IPv4-compatible (deprecated), and :: and ::1
        "::ffff:0:0/96",  # IPv4-mapped
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
        "64:ff9b::/96",  # NAT64, well-known prefix
        "64:ff9b:1::/48",  # NAT64, local-use prefix
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, Teredo (2001::/32) among them
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing (SRv6) identifiers
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
    )
)


def is_public_address(address: str) -> bool:
    """Whether a fetch may go to ``address``: globally routable, unicast, and in no range
    that translates or tunnels to another address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return False
    return not any(ip.version == net.version and ip in net for net in REFUSED_NETWORKS)


def _fetches_private() -> bool:
    return getattr(settings, "INTAKE_FETCH_PRIVATE", False)


def _allowed(address: str) -> bool:
    """An address of the networks the operator lets intake fetch (ONRECORD_INTAKE_FETCH_ALLOW)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(
        ip.version == net.version and ip in net
        for net in map(ipaddress.ip_network, getattr(settings, "INTAKE_FETCH_ALLOW", []))
    )


def _check_address(url: str, address: str) -> None:
    if not is_public_address(address) and not _allowed(address):
        raise PrivateAddress(
            f"“{url}” leads to {address}, which is not a public internet address: "
            "OnRecord fetches only public pages."
        )


def _require_public(url: str) -> None:
    if _fetches_private():
        return
    host = urlsplit(url).hostname or ""
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise IntakeError(f"The page at {url} could not be fetched: no such host.", "url") from None
    for *_, address in found:
        _check_address(url, address[0])


def _checked_on_connect(base: type[http.client.HTTPConnection], deadline: Deadline) -> type:
    class Connection(base):
        def connect(self) -> None:
            self.timeout = deadline.remaining()
            super().connect()
            deadline.watch(self.sock)
            if not _fetches_private() and not urllib.request.getproxies():
                _check_address(f"{self.host}:{self.port}", self.sock.getpeername()[0])

    return Connection


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(_checked_on_connect(http.client.HTTPConnection, self.deadline), req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def https_open(self, req):
        connection = _checked_on_connect(http.client.HTTPSConnection, self.deadline)
        return self.do_open(connection, req, context=self._context)


class _PublicRedirectHandler(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        try:
            _require_public(newurl)
        except IntakeError as error:
            raise PrivateAddress(error.message) from None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(deadline: Deadline) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        _PublicHTTPHandler(deadline), _PublicHTTPSHandler(deadline), _PublicRedirectHandler
    )


def _check_size(size: int, field: str) -> None:
    if size > max_bytes():
        raise IntakeError(
            f"The report is larger than {max_bytes() // 1000:,} kB: give only the article.",
            field,
        )


def _decode(content: bytes, charset: str | None, field: str) -> str:
    for encoding in (charset, "utf-8"):
        if not encoding:
            continue
        try:
            return content.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise IntakeError("The file is not text in UTF-8 or a declared encoding.", field) from None


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").strip()


def detect_language(text: str) -> str:
    """The report's language (py3langid, whose model ships in its package); "" if unsure."""
    import py3langid

    sample = re.sub(r"\s+", " ", text)[:20_000]
    if len(sample) < 20:
        return ""
    code, _score = py3langid.classify(sample)
    return code


def _title_line(lines: list[str]) -> str:
    if not lines:
        return ""
    first = lines[0]
    return first if len(first) <= 200 and not first.endswith((".", ":")) else ""


BYLINE = re.compile(r"^(?:by|par|von|por|автор:?)\s+(.{3,80})$", re.IGNORECASE)


def _byline(lines: list[str]) -> str:
    for line in lines:
        match = BYLINE.match(line)
        if match:
            return match.group(1).strip()
    return ""


DATE_LINE = re.compile(
    r"(\d{4}-\d{2}-\d{2})|(\d{1,2}\.\s?\d{1,2}\.\s?\d{4})|"
    r"(\d{1,2}\.?\s+[^\W\d_]{3,12}\.?\s+\d{4})|([^\W\d_]{3,12}\.?\s+\d{1,2},?\s+\d{4})"
)


def _date_in(lines: list[str]) -> str:
    """A full date (with its year) in the first lines, e.g. a dateline."""
    from intake.dates import parse_absolute

    for line in lines:
        for match in DATE_LINE.finditer(line):
            found = parse_absolute(match.group(0))
            if found:
                return found
    return ""
