"""Captures of cited pages: fetched from a local server, kept as WARC, excerpts checked,
drift flagged with its date, robots.txt obeyed, identical bodies stored once."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob
from warcio.archiveiterator import ArchiveIterator

from captures import fetching, services, tasks
from captures.models import Capture, CitationCheck
from quotes import services as quote_services
from quotes.models import Source
from tests.captures_support import EXCERPT, FILLER, article, capture, check_of, cited
from tests.factories import CitationFactory, QuoteFactory, SourceFactory


@pytest.mark.django_db
def test_a_capture_keeps_the_page_and_finds_the_excerpt(site):
    _routes, base = site
    source, citation = cited(base)
    taken = capture(source)
    assert taken.status == 200
    assert EXCERPT in taken.text
    assert len(taken.sha256) == 64
    assert "OnRecord" in fetching.user_agent()
    check = check_of(citation)
    assert check.in_capture is True
    assert check.found == taken
    assert check.changed_since is None


@pytest.mark.django_db
def test_an_excerpt_not_in_the_first_capture_is_not_found_but_not_a_change(site):
    _routes, base = site
    source, citation = cited(base, excerpt="Words the page never had.")
    capture(source)
    check = check_of(citation)
    assert check.in_capture is False
    assert check.changed_since is None
    assert CitationCheck.objects.to_review().filter(pk=check.pk).exists()


@pytest.mark.django_db
def test_a_passage_removed_from_the_page_is_flagged_with_the_date_it_changed(site):
    routes, base = site
    source, citation = cited(base)
    first = capture(source)
    routes["/article"] = (200, "text/html", article("The ministry revised its readout."))
    second = capture(source)
    check = check_of(citation)
    assert check.in_capture is False
    assert check.changed_since == timezone.localdate(second.fetched_at)
    assert check.found == first
    assert CitationCheck.objects.drifted().filter(pk=check.pk).exists()


@pytest.mark.django_db
def test_a_page_gone_flags_its_citations(site, client):
    routes, base = site
    source, citation = cited(base)
    capture(source)
    assert "the source's address" not in client.get(f"/sources/{source.key}/").content.decode()
    del routes["/article"]  # the server answers 404
    gone = capture(source)
    assert gone.status == 404
    check = check_of(citation)
    assert check.in_capture is False
    assert check.changed_since == timezone.localdate(gone.fetched_at)
    page = client.get(f"/sources/{source.key}/").content.decode()
    assert "the source's address answers that the page is gone (HTTP 404)" in page
    assert EXCERPT in page  # the page as it was captured


@pytest.mark.django_db
def test_a_redirect_is_followed_and_the_final_address_kept(site):
    routes, base = site
    routes["/moved"] = (301, "redirect", f"{base}/article".encode())
    source, citation = cited(base, path="/moved")
    taken = capture(source)
    assert taken.status == 200
    assert taken.final_url == f"{base}/article"
    assert check_of(citation).in_capture is True


@pytest.mark.django_db
def test_a_page_that_does_not_answer_in_time_is_a_failed_capture_that_changes_nothing(site):
    routes, base = site
    source, citation = cited(base)
    capture(source)
    routes["/article"] = (200, "slow", article(EXCERPT))
    failed = capture(source)
    assert failed.status is None
    assert "did not answer within 1 seconds" in failed.error
    assert check_of(citation).in_capture is True


@pytest.mark.django_db
def test_a_page_over_the_size_limit_is_not_kept(site, settings):
    _routes, base = site
    settings.CAPTURES_MAX_BYTES = 500
    source, citation = cited(base)
    failed = capture(source)
    assert failed.status is None
    assert "larger than the limit of 500 bytes" in failed.error
    assert not CitationCheck.objects.filter(citation=citation).exists()


@pytest.mark.django_db
def test_robots_txt_is_obeyed_unless_the_setting_says_otherwise(site, settings):
    routes, base = site
    routes["/robots.txt"] = (200, "text/plain", b"User-agent: *\nDisallow: /article\n")
    source, citation = cited(base)
    refused = capture(source)
    assert refused.status is None
    assert "robots.txt does not allow OnRecord" in refused.error
    settings.CAPTURES_RESPECT_ROBOTS = False
    assert capture(source).status == 200
    assert check_of(citation).in_capture is True


@pytest.mark.django_db
def test_identical_captures_are_stored_once(site, captures_storage):
    _routes, base = site
    source, _citation = cited(base)
    first, second = capture(source), capture(source)
    assert first.pk != second.pk
    assert first.warc == second.warc
    assert len([path for path in Path(captures_storage).rglob("*") if path.is_file()]) == 1


@pytest.mark.django_db
def test_the_warc_record_is_readable_by_warcio(site, captures_storage):
    _routes, base = site
    source, _citation = cited(base)
    taken = capture(source)
    with (Path(captures_storage) / taken.warc).open("rb") as stream:
        records = iter(ArchiveIterator(stream))
        record = next(records)
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == source.url
        assert record.http_headers.get_statuscode() == "200"
        assert record.content_stream().read() == article(EXCERPT)
        assert next(records, None) is None


@pytest.mark.django_db
def test_an_editor_dismisses_a_change_as_immaterial_until_the_next_one(site, editor):
    routes, base = site
    source, citation = cited(base)
    capture(source)
    routes["/article"] = (200, "text/html", article(EXCERPT.replace("without", "with no")))
    capture(source)
    check = services.citation_drift_dismiss(citation=citation, user=editor, note="Wording only.")
    assert check.immaterial_by == editor
    assert not CitationCheck.objects.drifted().exists()
    assert check.dismissals.get().note == "Wording only."
    routes["/article"] = (200, "text/html", article(EXCERPT))
    capture(source)
    assert check_of(citation).changed_since is None
    routes["/article"] = (404, "text/plain", b"gone")
    capture(source)
    assert CitationCheck.objects.drifted().filter(citation=citation).exists()
    assert check.dismissals.count() == 1


@pytest.mark.django_db
def test_a_saved_citation_defers_a_capture_that_the_job_takes(site, editor):
    _routes, base = site
    source = SourceFactory(url=f"{base}/article")
    quote = QuoteFactory(status="draft", text=EXCERPT)
    quote_services.quote_update(
        quote=quote,
        user=editor,
        changes={"citations": [{"source": source, "excerpt": EXCERPT}]},
    )
    job = ProcrastinateJob.objects.get(task_name="captures.tasks.source_capture")
    assert job.args == {"source_id": source.pk}
    assert job.lock == "captures-host:127.0.0.1"
    # The task's body, in the test's transaction (a worker would close its connection).
    tasks.source_capture.func.__wrapped__(**job.args)
    assert check_of(quote.citations.get()).in_capture is True


@pytest.mark.django_db
def test_only_sources_due_are_captured_with_due(site, settings):
    _routes, base = site
    source, _citation = cited(base)
    capture(source)
    call_command("sources_check", "--due", stdout=io.StringIO())
    assert Capture.objects.count() == 1
    Capture.objects.update(fetched_at=timezone.now() - datetime.timedelta(days=8))
    out = io.StringIO()
    call_command("sources_check", "--due", stdout=out)
    assert Capture.objects.count() == 2
    assert "1 source(s) captured. 200: 1" in out.getvalue()


@pytest.mark.django_db
def test_the_api_shows_captures_and_each_citations_check(site, api_client):
    routes, base = site
    source, citation = cited(base)
    first = capture(source)
    routes["/article"] = (200, "text/html", article("The ministry revised its readout."))
    second = capture(source)
    detail = api_client.get(f"/api/v1/sources/{source.key}/").json()
    assert [(c["sha256"], c["status"]) for c in detail["captures"]] == [
        (second.sha256, 200),
        (first.sha256, 200),
    ]
    assert detail["captures"][0]["captured_at"].startswith(str(timezone.localdate()))
    quoted = api_client.get(f"/api/v1/quotes/{citation.quote.key}/").json()["citations"][0]
    assert quoted["in_capture"] is False
    assert quoted["changed_since"] == timezone.localdate(second.fetched_at).isoformat()


@pytest.mark.django_db
def test_a_citation_never_captured_shows_nulls_in_the_api(api_client):
    citation = CitationFactory()
    quoted = api_client.get(f"/api/v1/quotes/{citation.quote.key}/").json()["citations"][0]
    assert quoted["in_capture"] is None
    assert quoted["changed_since"] is None
    assert api_client.get(f"/api/v1/sources/{citation.source.key}/").json()["captures"] == []


@pytest.mark.django_db
def test_the_statement_page_says_where_the_passage_was_found_and_when_it_left(site, client):
    routes, base = site
    source, citation = cited(base)
    first = capture(source)
    page = client.get(f"/quotes/{citation.quote.key}/").content.decode()
    found_on = f"{first.fetched_at:%-d %B %Y}"
    assert f'Found in the capture of <time datetime="{first.fetched_at.isoformat()}' in page
    assert f"/sources/{source.key}/#passage-{citation.quote.key}" in page
    routes["/article"] = (200, "text/html", article("The ministry revised its readout."))
    capture(source)
    page = client.get(f"/quotes/{citation.quote.key}/").content.decode()
    assert "The source no longer contains this passage</strong> since" in page
    assert "shows it" in page
    assert found_on in page


@pytest.mark.django_db
def test_the_source_page_marks_each_cited_passage_with_an_anchor(site, client, settings):
    _routes, base = site
    source, citation = cited(base)
    capture(source)
    page = client.get(f"/sources/{source.key}/").content.decode()
    assert f'<figure class="passage" id="passage-{citation.quote.key}">' in page
    assert f"<mark>{EXCERPT}</mark>" in page
    assert "From OnRecord's capture of the page on" in page
    settings.CAPTURES_SHOW_WHOLE_TEXT = True
    page = client.get(f"/sources/{source.key}/").content.decode()
    assert f'<mark id="passage-{citation.quote.key}" class="passage">' in page
    assert "She described the talks as frank" in page


@pytest.mark.django_db
def test_a_source_never_captured_shows_its_full_text_on_record(client):
    source = SourceFactory(full_text="Before. " + EXCERPT + " After.")
    citation = CitationFactory(source=source, excerpt=EXCERPT)
    page = client.get(f"/sources/{source.key}/").content.decode()
    assert "From the source's text on record." in page
    assert f'id="passage-{citation.quote.key}"' in page


@pytest.mark.django_db
def test_the_admin_shows_the_difference_between_captures_and_serves_the_warc(site, editor_client):
    routes, base = site
    source, _citation = cited(base)
    capture(source)
    routes["/article"] = (200, "text/html", article("The ministry revised its readout."))
    latest = capture(source)
    page = editor_client.get(f"/admin/captures/capture/{latest.pk}/change/").content.decode()
    assert f'<span class="diff-removed">− {FILLER}{EXCERPT}' in page
    assert '<span class="diff-added">+ ' in page
    assert "The ministry revised its readout." in page
    source_page = editor_client.get(f"/admin/quotes/source/{source.pk}/change/").content.decode()
    assert f"/admin/captures/capture/{latest.pk}/change/" in source_page
    download = editor_client.get(f"/admin/captures/capture/{latest.pk}/warc/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/warc"
    assert next(iter(ArchiveIterator(io.BytesIO(b"".join(download.streaming_content))))).rec_type
    assert Client().get(f"/admin/captures/capture/{latest.pk}/warc/").status_code == 302


@pytest.mark.django_db
def test_an_editor_marks_a_change_immaterial_in_the_admin_and_readers_no_longer_see_it(
    site, editor, editor_client
):
    routes, base = site
    source, citation = cited(base)
    capture(source)
    routes["/article"] = (404, "text/plain", b"gone")
    capture(source)
    check = check_of(citation)
    page = Client().get(f"/quotes/{citation.quote.key}/").content.decode()
    assert "no longer contains this passage" in page
    queue = editor_client.get("/admin/captures/citationcheck/?review=drift").content.decode()
    assert citation.quote.key in queue
    response = editor_client.post(
        "/admin/captures/citationcheck/",
        {"action": "dismiss_as_immaterial", "_selected_action": [check.pk]},
    )
    assert response.status_code == 302
    assert check_of(citation).immaterial_at is not None
    assert check.dismissals.get().by == editor
    page = Client().get(f"/quotes/{citation.quote.key}/").content.decode()
    assert "no longer contains this passage" not in page


@pytest.mark.django_db
def test_a_recent_source_is_due_after_a_day_an_older_one_after_the_recheck_period(site):
    _routes, base = site
    recent, _citation = cited(base)
    older, _citation = cited(base, path="/older")
    Source.objects.filter(pk=older.pk).update(created=timezone.now() - datetime.timedelta(days=60))
    capture(recent)
    capture(older)
    Capture.objects.update(fetched_at=timezone.now() - datetime.timedelta(days=2))
    assert list(services.sources_due()) == [recent]


@pytest.mark.django_db
def test_a_page_without_a_readable_text_is_kept_but_changes_no_check(site):
    routes, base = site
    source, citation = cited(base)
    capture(source)
    routes["/article"] = (200, "application/pdf", b"%PDF-1.4 not readable as text")
    kept = capture(source)
    assert kept.status == 200
    assert kept.text == ""
    assert check_of(citation).in_capture is True
    assert check_of(citation).changed_since is None


@pytest.mark.django_db
def test_the_feed_entry_tells_that_the_source_changed(site, client):
    routes, base = site
    source, citation = cited(base)
    capture(source)
    del routes["/article"]
    gone = capture(source)
    speaker = citation.quote.speaker
    feed = client.get(f"/speakers/{speaker.key}/feed.atom").content.decode()
    assert "Source changed:" in feed
    assert f"no longer contains the cited passage since {gone.fetched_at:%-d %B %Y}" in feed


@pytest.mark.django_db
def test_sources_check_names_a_source_it_cannot_capture():
    source = SourceFactory(url="")
    with pytest.raises(CommandError, match="No source has the key “nowhere”"):
        call_command("sources_check", "--source", "nowhere")
    with pytest.raises(CommandError, match="has no address to capture"):
        call_command("sources_check", "--source", source.key)


@pytest.mark.django_db
def test_the_quotes_admin_page_says_whether_each_excerpt_is_in_the_capture(site, editor_client):
    _routes, base = site
    source, citation = cited(base)
    page = editor_client.get(f"/admin/quotes/quote/{citation.quote.pk}/change/").content.decode()
    assert "Not checked against a capture yet." in page
    taken = capture(source)
    page = editor_client.get(f"/admin/quotes/quote/{citation.quote.pk}/change/").content.decode()
    assert f"Found in the capture of {taken.fetched_at:%Y-%m-%d}." in page


@pytest.mark.django_db
def test_a_cited_source_given_a_new_address_is_captured_there(site, editor):
    routes, base = site
    routes["/moved-article"] = routes["/article"]
    source, citation = cited(base)
    capture(source)
    ProcrastinateJob.objects.all().delete()
    source.url = f"{base}/moved-article"
    quote_services.record_save(
        obj=source, user=editor, correction_note="The article moved to a new address."
    )
    job = ProcrastinateJob.objects.get(task_name="captures.tasks.source_capture")
    tasks.source_capture.func.__wrapped__(**job.args)
    latest = Capture.objects.filter(source=source).first()
    assert latest.url == f"{base}/moved-article"
    assert check_of(citation).checked_at == latest.fetched_at
