"""Every write of captures: taking a capture of a source's page, checking the citations of
the source against it, and an editor's dismissal of a change as immaterial."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from alerts.drift import drift_record
from captures import documents, fetching
from captures.models import Capture, CitationCheck, Dismissal
from quotes.actors import Actor, person
from quotes.exceptions import CurationError
from quotes.excerpts import Folded, fold
from quotes.models import Citation, Source
from quotes.permissions import require


def source_capture(*, source: Source, actor: Actor) -> Capture:
    """Fetch the source's page (never inside a transaction: the fetch may take its whole
    time limit), keep it as a capture and check the source's citations against it."""
    require(actor, "edit", "source")
    if not source.url:
        raise CurationError(f"“{source}” has no address to capture.", field="url")
    host = fetching.host_of(source.url)
    last = Capture.objects.filter(host=host).aggregate(last=Max("fetched_at"))["last"]
    fetching.wait_for_host(host, last.timestamp() if last else None)
    capture = _capture_of(source, host, fetching.fetch(source.url))
    capture.replaced = _replaced(capture)
    return _capture_save(capture, actor)


def _replaced(capture: Capture) -> bool:
    """Whether the page that answered is a different document than the source's last
    capture of it (captures/documents.py)."""
    if not capture.has_text:
        return False
    earlier = Capture.objects.of_the_document().filter(source=capture.source).only("text").first()
    return documents.different_document(
        url=capture.url,
        final_url=capture.final_url,
        text=capture.text,
        earlier_text=earlier.text if earlier else "",
    )


def _capture_of(source: Source, host: str, answer: fetching.Answer) -> Capture:
    """The capture of an answer, its WARC file stored and its text read (outside any
    transaction: the storage may be a remote store)."""
    now = timezone.now()
    capture = Capture(source=source, url=source.url, host=host, fetched_at=now)
    page = answer.page
    if page is None:
        capture.error = answer.error
        return capture
    capture.sha256, capture.warc = fetching.warc_store(page, now)
    capture.status, capture.final_url = page.status, page.url[:1000]
    capture.headers = dict(page.headers.items())
    capture.text = fetching.page_text(page)
    return capture


@transaction.atomic
def _capture_save(capture: Capture, actor: Actor) -> Capture:
    capture.full_clean(exclude=["final_url"])  # where the site sent us, whatever its form
    capture.save()
    if capture.checkable:
        source_check(source=capture.source, actor=actor, capture=capture)
    return capture


@transaction.atomic
def source_check(*, source: Source, actor: Actor, capture: Capture | None = None) -> int:
    """Check every citation of ``source`` against ``capture`` (its latest capture
    that has a text or found the page gone, by default); returns how many checks were
    made. No such capture: nothing to check."""
    require(actor, "edit", "source")
    capture = capture or Capture.objects.checkable().filter(source=source).first()
    if capture is None or not capture.checkable:
        return 0
    folded = fold(capture.text)
    citations = Citation.objects.filter(source=source).select_related("capture_check")
    drifted = []
    for citation in citations:
        check = getattr(citation, "capture_check", None) or CitationCheck(citation=citation)
        before = check.changed_since
        _check(check, citation.excerpt, capture, folded)
        check.save()
        if before is None and check.changed_since is not None:
            drifted.append(citation.quote_id)
    drift_record(quote_ids=drifted, at=capture.fetched_at)  # watchers are told
    return len(citations)


def _check(check: CitationCheck, excerpt: str, capture: Capture, folded: Folded) -> None:
    """The project's normalization (quotes.excerpts) finds the excerpt in the capture's text.
    A page gone (404, 410) has none of its excerpts."""
    before = check.in_capture
    check.checked, check.checked_at = capture, capture.fetched_at
    if not excerpt.strip():
        check.in_capture = None
        return
    if capture.has_text and folded.span_of(excerpt) is not None:
        check.in_capture, check.changed_since = True, None
        check.found, check.found_at = capture, capture.fetched_at
        check.immaterial_by = check.immaterial_at = None
        return
    check.in_capture = False
    if check.changed_since is None and (before is True or capture.gone):
        check.changed_since = timezone.localdate(capture.fetched_at)
        check.immaterial_by = check.immaterial_at = None


@transaction.atomic
def citation_drift_dismiss(*, citation: Citation, user: Actor, note: str = "") -> CitationCheck:
    """An editor's decision that the change of the cited passage is immaterial: readers no
    longer see the drift notice, and the citation leaves the queue, until the next change."""
    require(user, "edit", "citation")
    check = CitationCheck.objects.select_for_update().filter(citation=citation).first()
    if check is None or check.changed_since is None:
        raise CurationError(
            f"The citation of “{citation.source}” has no change to dismiss.", field="citation"
        )
    if check.immaterial_at is None:
        check.immaterial_by, check.immaterial_at = person(user), timezone.now()
        check.save(update_fields=["immaterial_by", "immaterial_at"])
        Dismissal.objects.create(
            check_of=check,
            changed_since=check.changed_since,
            by=person(user),
            by_name=user.get_username(),
            at=check.immaterial_at,
            note=note.strip(),
        )
    return check


def sources_due(*, now: datetime.datetime | None = None) -> QuerySet[Source]:
    """Cited sources with an address whose last capture is older than the re-check period
    (``CAPTURES_RECHECK_DAYS``), or than a day for a source added within
    ``CAPTURES_RECENT_DAYS`` (a new readout is revised in its first days), or that have
    none."""
    now = now or timezone.now()
    before = now - datetime.timedelta(days=settings.CAPTURES_RECHECK_DAYS)
    recent = Q(created__gte=now - datetime.timedelta(days=settings.CAPTURES_RECENT_DAYS))
    day_before = now - datetime.timedelta(days=1)
    cited = Source.objects.exclude(url="").filter(citations__isnull=False).distinct()
    return (
        cited.annotate(last_capture=Max("captures__fetched_at"))
        .filter(
            Q(last_capture__isnull=True)
            | Q(last_capture__lt=before)
            | recent & Q(last_capture__lt=day_before)
        )
        .order_by("pk")
    )


def source_capture_or_check(*, source: Source, actor: Actor) -> Capture | None:
    """A fresh capture when the last is older than the re-check period or of another
    address, else a check of the citations against it (a citation saved a day after a
    capture needs no new fetch)."""
    last = Capture.objects.filter(source=source).only("url").first()
    if last is None or last.url != source.url or sources_due().filter(pk=source.pk).exists():
        return source_capture(source=source, actor=actor)
    source_check(source=source, actor=actor)
    return None
