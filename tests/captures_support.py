"""Helpers of the captures tests: an article page, a local site serving it, a citation of
it, and a capture by the command."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management import call_command

from captures import fetching
from captures.models import Capture, CitationCheck
from tests.factories import CitationFactory, QuoteFactory, SourceFactory
from tests.intake_support import serve

EXCERPT = "We call on both sides to return to the negotiating table without delay."
FILLER = (
    "The minister spoke to reporters after the meeting in the capital on Tuesday. "
    "She described the talks as frank and said that more meetings would follow soon. "
)


def article(*sentences: str) -> bytes:
    paragraphs = "".join(f"<p>{FILLER}{sentence} {FILLER}</p>" for sentence in sentences)
    return (
        "<html><head><title>Minister on the talks</title></head><body><article>"
        f"<h1>Minister on the talks</h1>{paragraphs}</article></body></html>"
    ).encode()


@contextmanager
def local_site(settings) -> Iterator[tuple[dict, str]]:
    """A local web server whose routes a test may change between captures."""
    settings.INTAKE_FETCH_PRIVATE = True
    settings.CAPTURES_HOST_INTERVAL = 0
    settings.CAPTURES_FETCH_TIMEOUT = 1.0
    fetching.forget_robots()
    routes = {"/article": (200, "text/html; charset=utf-8", article(EXCERPT))}
    with serve(routes, delay=3.0) as base:
        yield routes, base
    fetching.forget_robots()


def cited(base: str, path: str = "/article", excerpt: str = EXCERPT, **quote):
    source = SourceFactory(url=base + path)
    citation = CitationFactory(
        source=source, excerpt=excerpt, quote=QuoteFactory(text=excerpt, **quote)
    )
    return source, citation


def check_of(citation) -> CitationCheck:
    return CitationCheck.objects.get(citation=citation)


def capture(source) -> Capture:
    call_command("sources_check", "--source", source.key, stdout=io.StringIO())
    return Capture.objects.filter(source=source).first()
