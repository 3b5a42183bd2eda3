"""Drift of cited pages: watchers of a statement mailed when its source no longer contains
the passage, and pages that became a different document flagged as gone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from alerts import delivery
from alerts import services as alert_services
from alerts.models import Alert, Change, Match
from captures.documents import different_document, resemblance
from captures.models import CitationCheck
from captures.services import citation_drift_dismiss
from quotes.models import Quote
from tests.captures_support import EXCERPT, FILLER, article, capture, check_of, cited
from tests.factories import EditorFactory, QuoteFactory

HOME = (
    b"<html><head><title>Ministry of Foreign Affairs</title></head><body><main>"
    b"<h1>Welcome to the ministry</h1><p>Find our press releases, consular services, visa "
    b"information and the minister's agenda for the week. Citizens abroad may register "
    b"with the nearest embassy through the online portal.</p></main></body></html>"
)


def watched(quote: Quote, address: str) -> Alert:
    alert = alert_services.alert_subscribe(
        email=address,
        frequency="immediate",
        target={"quote": quote.key},
        client="127.0.0.9",
        language="en",
    )
    alert_services.alert_confirm(alert=alert)
    return alert


def mails_sent(settings, mailoutbox) -> list:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ONRECORD_SITE_URL = "http://testserver"
    mailoutbox.clear()
    delivery.collect("immediate")
    delivery.send_pending()
    return [m for m in mailoutbox if "Confirm" not in m.subject]


@pytest.mark.django_db
def test_watchers_are_mailed_which_source_lost_the_passage_since_when(site, settings, mailoutbox):
    routes, base = site
    source, citation = cited(base)
    watched(citation.quote, "watcher@example.org")
    first = capture(source)
    assert not Change.objects.filter(kind=Change.Kind.DRIFTED).exists()
    routes["/article"] = (200, "text/html", article("The ministry revised its readout."))
    second = capture(source)
    [mail] = mails_sent(settings, mailoutbox)
    assert mail.to == ["watcher@example.org"]
    plain = mail.body
    since = timezone.localdate(second.fetched_at).strftime("%-d %B %Y")
    shown = timezone.localtime(first.fetched_at).strftime("%-d %B %Y")
    assert f'SOURCE CHANGED: "{source.title}" no longer contains the cited passage' in plain
    assert f"since {since}; the capture of {shown} shows it" in plain
    assert f"<http://testserver/sources/{source.key}/#passage-{citation.quote.key}>" in plain
    html = mail.alternatives[0][0]
    assert f'href="http://testserver/sources/{source.key}/#passage-{citation.quote.key}"' in html
    assert "Source changed:" in html
    capture(source)  # still without the passage: no second mail
    assert mails_sent(settings, mailoutbox) == []


@pytest.mark.django_db
def test_a_drift_of_a_statement_not_public_is_not_mailed(site, settings, mailoutbox):
    routes, base = site
    source, citation = cited(base, status=Quote.Status.DRAFT)
    alert = Alert.objects.create(
        subscriber=watched(QuoteFactory(), "w@example.org").subscriber,
        frequency="immediate",
        quote=citation.quote,
        confirmed_at=timezone.now(),
    )
    capture(source)
    del routes["/article"]
    capture(source)
    assert check_of(citation).changed_since is not None
    assert not Match.objects.filter(alert=alert).exists()
    assert not Change.objects.filter(quote=citation.quote).exists()


@pytest.mark.django_db
def test_a_dismissed_change_and_a_change_back_are_told_again_only_when_lost_again(
    site, settings, mailoutbox
):
    routes, base = site
    source, citation = cited(base)
    watched(citation.quote, "watcher@example.org")
    capture(source)
    routes["/article"] = (200, "text/html", article("The ministry revised its readout."))
    capture(source)
    assert len(mails_sent(settings, mailoutbox)) == 1
    citation_drift_dismiss(citation=citation, user=EditorFactory(), note="Typo fixed.")
    routes["/article"] = (200, "text/html", article(EXCERPT))
    capture(source)  # the passage is back
    assert check_of(citation).changed_since is None
    routes["/article"] = (200, "text/html", article("Revised again."))
    capture(source)
    [mail] = mails_sent(settings, mailoutbox)
    assert "SOURCE CHANGED" in mail.body


@pytest.mark.django_db
def test_a_redirect_to_the_home_page_is_a_page_gone_with_its_date(site, editor_client):
    routes, base = site
    source, citation = cited(base)
    capture(source)
    routes["/article"] = (301, "redirect", f"{base}/".encode())
    routes["/"] = (200, "text/html", HOME)
    moved = capture(source)
    assert moved.status == 200
    assert moved.replaced
    check = check_of(citation)
    assert check.in_capture is False
    assert check.changed_since == timezone.localdate(moved.fetched_at)
    assert CitationCheck.objects.drifted().filter(pk=check.pk).exists()
    listed = editor_client.get("/admin/captures/capture/?replaced__exact=1").content.decode()
    assert f"/admin/captures/capture/{moved.pk}/change/" in listed


@pytest.mark.django_db
def test_a_page_whose_text_no_longer_resembles_the_capture_is_a_different_document(site, client):
    routes, base = site
    source, citation = cited(base)
    capture(source)
    other = (
        "<html><head><title>Visa services</title></head><body><article><h1>Visa services</h1>"
        + "".join(
            f"<p>Applicants for a visa of type {n} must book an appointment.</p>" for n in "ABCDEF"
        )
        + "</article></body></html>"
    ).encode()
    routes["/article"] = (200, "text/html", other)
    replaced = capture(source)
    assert replaced.replaced
    assert check_of(citation).changed_since == timezone.localdate(replaced.fetched_at)
    page = client.get(f"/sources/{source.key}/").content.decode()
    assert EXCERPT in page  # the text in context is still the document's last capture
    assert "Applicants for a visa" not in page
    since = f"{timezone.localtime(replaced.fetched_at):%-d %B %Y}"
    assert f"{since}</time>, the source's address leads to a different document" in page


@pytest.mark.django_db
def test_a_revised_page_is_the_same_document(site):
    routes, base = site
    source, citation = cited(base)
    capture(source)
    routes["/article"] = (200, "text/html", article("The ministry revised its readout."))
    revised = capture(source)
    assert not revised.replaced
    assert check_of(citation).changed_since == timezone.localdate(revised.fetched_at)


def test_resemblance_of_texts_and_redirects_to_a_home_page(settings):
    settings.CAPTURES_SAME_DOCUMENT = 0.2
    text = FILLER * 3 + EXCERPT
    assert resemblance(text, text) == 1.0
    assert resemblance(text, text.upper().replace(" ", "  ")) == 1.0  # folded as excerpts are
    assert 0.5 < resemblance(text, FILLER * 3 + "A revised sentence instead.") < 1.0
    assert resemblance(text, "Nothing of the kind was ever written here at all.") == 0.0
    assert different_document(
        url="https://a.org/news/1", final_url="https://a.org/", text=text, earlier_text=text
    )
    assert not different_document(
        url="https://a.org/", final_url="https://a.org/", text=text, earlier_text=text
    )
    assert not different_document(
        url="https://a.org/n/1", final_url="https://a.org/n/2", text=text, earlier_text=""
    )
    assert different_document(
        url="https://a.org/n/1",
        final_url="",
        text="Visa services for applicants.",
        earlier_text=text,
    )
