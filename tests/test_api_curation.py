"""Curation through the API: the workflow by PATCH of status, retracted quotes, history,
edit conflicts (ETag and If-Match), near-duplicates, merged keys and verified citations."""

import datetime
import re
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quotes import history, services, similarity
from quotes.models import Organization, Quote, Source
from quotes.similarity import similar_to_quote
from tests.api_helpers import count_queries, result_keys
from tests.conftest import token_client
from tests.factories import (
    AffiliationFactory,
    CitationFactory,
    EditorFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    TopicFactory,
    TranslationFactory,
    UserFactory,
)

# The note of a merge that changes what published quotes show (services.corrections).
MERGED = "Two records of the same statement were merged."

pytestmark = pytest.mark.django_db
QUOTES = "/api/v1/quotes/"
Status = Quote.Status


def quote_in(status: str, *, excerpt: str = "the passage as the source has it", **kwargs):
    reason = "Misattributed." if status == Status.RETRACTED else ""
    quote = QuoteFactory(status=status, retraction_reason=reason, **kwargs)
    CitationFactory(quote=quote, excerpt=excerpt)
    return quote


def patch_status(client, quote: Quote, status: str, **extra):
    return client.patch(f"{QUOTES}{quote.key}/", {"status": status, **extra}, format="json")


# Workflow -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "action"),
    [(Status.DRAFT, Status.REVIEW, "submit"), (Status.REVIEW, Status.DRAFT, "send back")],
)
def test_editors_submit_and_send_back(editor_api, editor, source, target, action):
    quote = quote_in(source)
    response = patch_status(editor_api, quote, target)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == target
    quote.refresh_from_db()
    assert (quote.status, quote.updated_by) == (target, editor)
    latest = history.record_history(quote)[0]
    assert (latest.action, latest.username) == (action, editor.username)


def test_a_reviewer_publishes_a_quote_under_review(reviewer_api, reviewer):
    quote = quote_in(Status.REVIEW)
    response = patch_status(reviewer_api, quote, Status.PUBLISHED)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    assert history.record_history(quote)[0].action == "publish"
    quote.refresh_from_db()
    assert quote.updated_by == reviewer


def test_an_editor_may_not_publish_or_retract(editor_api):
    under_review = quote_in(Status.REVIEW, text="Original wording.")
    response = editor_api.patch(
        f"{QUOTES}{under_review.key}/",
        {"status": "published", "text": "Changed wording."},
        format="json",
    )
    assert response.status_code == 403
    assert "Only reviewers may publish" in response.json()["detail"]
    under_review.refresh_from_db()
    # Nothing of the request is saved, not even the other fields.
    assert (under_review.status, under_review.text) == (Status.REVIEW, "Original wording.")

    published = quote_in(Status.PUBLISHED)
    response = patch_status(editor_api, published, Status.RETRACTED, retraction_reason="Wrong.")
    assert response.status_code == 403
    assert "Only reviewers may retract" in response.json()["detail"]
    published.refresh_from_db()
    assert (published.status, published.retraction_reason) == (Status.PUBLISHED, "")


def test_publishing_needs_a_citation_with_an_excerpt(reviewer_api):
    quote = quote_in(Status.REVIEW, excerpt="")
    response = patch_status(reviewer_api, quote, Status.PUBLISHED)
    assert response.status_code == 400
    assert "citation that has an excerpt" in response.json()["status"][0]
    quote.refresh_from_db()
    assert quote.status == Status.REVIEW

    # The excerpt may come in the same request.
    source_key = quote.citations.get().source.key
    response = reviewer_api.patch(
        f"{QUOTES}{quote.key}/",
        {"status": "published", "citations": [{"source": source_key, "excerpt": "As said."}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["citations"][0]["excerpt"] == "As said."


def test_retracting_needs_a_reason_that_everyone_then_reads(reviewer_api, api_client):
    quote = quote_in(Status.PUBLISHED)
    for reason in [None, "", "   "]:
        extra = {} if reason is None else {"retraction_reason": reason}
        response = patch_status(reviewer_api, quote, Status.RETRACTED, **extra)
        assert response.status_code == 400
        assert "retraction_reason" in response.json()
    quote.refresh_from_db()
    assert quote.status == Status.PUBLISHED

    reason = "Misattributed: the speaker was the deputy minister."
    response = patch_status(reviewer_api, quote, Status.RETRACTED, retraction_reason=reason)
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["retraction_reason"]) == (
        "retracted",
        reason,
    )
    latest = history.record_history(quote)[0]
    assert (latest.action, latest.note) == ("retract", reason)
    public = api_client.get(f"{QUOTES}{quote.key}/").json()
    assert (public["status"], public["retraction_reason"]) == ("retracted", reason)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (Status.DRAFT, Status.PUBLISHED),
        (Status.DRAFT, Status.RETRACTED),
        (Status.REVIEW, Status.RETRACTED),
        (Status.PUBLISHED, Status.DRAFT),
        (Status.PUBLISHED, Status.REVIEW),
        (Status.RETRACTED, Status.DRAFT),
        (Status.RETRACTED, Status.REVIEW),
        (Status.RETRACTED, Status.PUBLISHED),
    ],
)
def test_moves_outside_the_workflow_are_400_naming_status(reviewer_api, source, target):
    quote = quote_in(source)
    response = patch_status(reviewer_api, quote, target, retraction_reason="A reason.")
    assert response.status_code == 400
    message = response.json()["status"][0]
    assert f"cannot move from {source} to {target}" in message
    quote.refresh_from_db()
    assert quote.status == source


def test_unknown_statuses_are_400_naming_status(reviewer_api):
    quote = quote_in(Status.DRAFT)
    response = patch_status(reviewer_api, quote, "approved")
    assert response.status_code == 400
    assert "status" in response.json()


def test_sending_the_current_status_again_changes_nothing(reviewer_api):
    quote = quote_in(Status.PUBLISHED, context="")
    response = reviewer_api.patch(
        f"{QUOTES}{quote.key}/", {"status": "published", "context": "A summit."}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["context"]) == ("published", "A summit.")


@pytest.mark.parametrize("status", [None, Status.DRAFT, Status.REVIEW])
def test_a_new_quote_starts_as_draft_or_review(editor_api, status):
    SpeakerFactory(key="s")
    payload = {"speaker": "s", "text": "Hello.", "language": "en"}
    if status:
        payload["status"] = status
    response = editor_api.post(QUOTES, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == (status or Status.DRAFT)


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETRACTED])
def test_a_new_quote_may_not_start_published_or_retracted(reviewer_api, status):
    SpeakerFactory(key="s")
    payload = {"speaker": "s", "text": "Hello.", "language": "en", "status": status}
    response = reviewer_api.post(QUOTES, {**payload, "retraction_reason": "x"}, format="json")
    assert response.status_code == 400
    assert "starts as a draft or goes to review" in response.json()["status"][0]
    assert not Quote.objects.exists()


# Retracted quotes ---------------------------------------------------------------------


@pytest.fixture
def mixed_statuses():
    """One quote in each status, all by one speaker and all mentioning a ceasefire."""
    speaker = SpeakerFactory(key="envoy", name="The Envoy")
    for status in Status.values:
        quote_in(status, key=status, speaker=speaker, text=f"A ceasefire, {status} version.")


@pytest.mark.usefixtures("mixed_statuses")
def test_retracted_quotes_leave_the_default_results(api_client, editor_api):
    assert result_keys(api_client.get(QUOTES)) == ["published"]
    assert result_keys(api_client.get(QUOTES, {"q": "ceasefire"})) == ["published"]
    facets = api_client.get(f"{QUOTES}facets/", {"q": "ceasefire"}).json()
    assert facets["count"] == 1
    assert set(result_keys(editor_api.get(QUOTES, {"q": "ceasefire"}))) == {
        "draft",
        "review",
        "published",
    }


@pytest.mark.usefixtures("mixed_statuses")
def test_everyone_lists_retracted_quotes_with_the_reason(api_client, editor_api):
    for client in (api_client, editor_api):
        response = client.get(QUOTES, {"status": "retracted"})
        assert result_keys(response) == ["retracted"]
        assert response.json()["results"][0]["retraction_reason"] == "Misattributed."
        searched = client.get(QUOTES, {"status": "retracted", "q": "ceasefire"})
        assert result_keys(searched) == ["retracted"]
        facets = client.get(f"{QUOTES}facets/", {"status": "retracted"}).json()
        assert facets["count"] == 1
        assert facets["facets"]["speaker"] == [{"value": "envoy", "label": "The Envoy", "count": 1}]


@pytest.mark.usefixtures("mixed_statuses")
def test_retracted_quotes_are_readable_by_everyone_drafts_are_not(api_client):
    retracted = api_client.get(f"{QUOTES}retracted/")
    assert retracted.status_code == 200
    assert retracted.json()["retraction_reason"] == "Misattributed."
    for status in ["draft", "review"]:
        assert api_client.get(f"{QUOTES}{status}/").status_code == 404
        response = api_client.get(QUOTES, {"status": status})
        assert response.status_code == 403  # a permission matter, not malformed input
        detail = response.json()["detail"]
        assert f"Only editors may filter on status {status}" in detail
        assert "use published or retracted" in detail


# Verified citations -------------------------------------------------------------------


def test_citations_say_who_verified_them_and_when(api_client, reviewer):
    quote = quote_in(Status.PUBLISHED)
    services.citation_verify(citation=quote.citations.get(), user=reviewer)
    [citation] = api_client.get(f"{QUOTES}{quote.key}/").json()["citations"]
    assert citation["verified"] is True
    assert citation["verified_by"] == reviewer.username
    verified_at = datetime.datetime.fromisoformat(citation["verified_at"])
    assert verified_at == quote.citations.get().verified_at
    [listed] = api_client.get(QUOTES).json()["results"]
    assert listed["citations"] == [citation]


def test_verified_citations_add_no_query_per_quote(api_client, reviewer):
    for _ in range(12):
        services.citation_verify(citation=quote_in(Status.PUBLISHED).citations.get(), user=reviewer)
    small = count_queries(api_client, QUOTES, {"page_size": 1})
    assert small == count_queries(api_client, QUOTES, {"page_size": 12})


# Edit conflicts: ETag and If-Match -----------------------------------------------------


def etag_of(obj) -> str:
    return f'"{history.record_version(obj)!s}"'


@pytest.fixture
def records():
    """A quote, its speaker (with an affiliation), its source and an organization."""
    quote = quote_in(Status.DRAFT, key="q", text="First wording.", context="")
    AffiliationFactory(speaker=quote.speaker, organization__key="org")
    return {
        "quotes": quote,
        "speakers": quote.speaker,
        "organizations": Organization.objects.get(key="org"),
        "sources": quote.citations.get().source,
    }


@pytest.mark.parametrize("collection", ["quotes", "speakers", "organizations", "sources"])
def test_every_record_carries_its_version_as_etag(api_client, editor_api, records, collection):
    obj = records[collection]
    quote = records["quotes"]  # published, so that readers see it and the records around it
    quote.status = Status.PUBLISHED
    quote.save()
    response = api_client.get(f"/api/v1/{collection}/{obj.key}/")
    assert response.status_code == 200
    assert re.fullmatch(r'"\d+"', response["ETag"])
    assert response["ETag"] == etag_of(obj)
    assert editor_api.get(f"/api/v1/{collection}/{obj.key}/")["ETag"] == etag_of(obj)


def test_the_etag_changes_with_any_part_of_the_quote(editor_api, records):
    url = f"{QUOTES}q/"
    first = editor_api.get(url)["ETag"]
    TranslationFactory(quote=records["quotes"], language="de")
    second = editor_api.get(url)["ETag"]
    assert second != first
    records["quotes"].citations.update(excerpt="Another passage.")
    assert editor_api.get(url)["ETag"] not in (first, second)


def test_topics_have_no_history_and_no_etag(editor_api):
    TopicFactory(key="gaza")
    assert "ETag" not in editor_api.get("/api/v1/topics/gaza/")
    stale = editor_api.patch(
        "/api/v1/topics/gaza/", {"name": "Gaza Strip"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 412
    any_version = editor_api.patch(
        "/api/v1/topics/gaza/", {"name": "Gaza Strip"}, format="json", HTTP_IF_MATCH="*"
    )
    assert any_version.status_code == 200


def test_writes_answer_with_the_new_etag(editor_api, records):
    url = f"{QUOTES}q/"
    tag = editor_api.get(url)["ETag"]
    response = editor_api.patch(url, {"context": "Call."}, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 200, response.content
    assert response["ETag"] not in (None, tag)
    assert response["ETag"] == editor_api.get(url)["ETag"] == etag_of(records["quotes"])
    # The new ETag is good for the next write.
    again = editor_api.patch(
        url, {"context": "A call."}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert again.status_code == 200, again.content

    SpeakerFactory(key="s")
    created = editor_api.post(
        QUOTES, {"speaker": "s", "text": "Hi.", "language": "en"}, format="json"
    )
    assert created.status_code == 201
    assert created["ETag"] == etag_of(Quote.objects.get(key=created.json()["key"]))


def test_a_stale_if_match_is_412_with_what_changed(editor_api, records):
    url = f"{QUOTES}q/"
    tag = editor_api.get(url)["ETag"]
    alice = EditorFactory(username="alice")
    changed = token_client(alice).patch(url, {"text": "Alice's wording."}, format="json")
    assert changed.status_code == 200

    response = editor_api.patch(
        url, {"context": "Bob's context."}, format="json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == 412
    body = response.json()
    assert body["detail"] == (
        "alice changed this quote after you opened it. Your changes were not saved."
    )
    assert body["etag"] == response["ETag"] == changed["ETag"]
    [entry] = body["changes"]
    assert entry["user"] == "alice"
    assert entry["version"] == int(changed["ETag"].strip('"'))
    [change] = entry["changes"]
    assert (change["part"], change["action"]) == ("quote", "changed")
    # (the role, resolved from the affiliation added after the quote, changed too)
    assert [field for field in change["fields"] if field["name"] == "text"] == [
        {
            "name": "text",
            "label": "text",
            "before": "First wording.",
            "after": "Alice's wording.",
            "before_display": "First wording.",
            "after_display": "Alice's wording.",
        }
    ]
    quote = Quote.objects.get(key="q")
    assert (quote.text, quote.context) == ("Alice's wording.", "")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_every_write_method_checks_if_match(editor_api, records, method):
    url = f"{QUOTES}q/"
    stale = editor_api.get(url)["ETag"]
    TranslationFactory(quote=records["quotes"], language="de")
    current = editor_api.get(url)["ETag"]
    payload = {
        "speaker": records["speakers"].key,
        "text": "New wording.",
        "language": "en",
        "status": "draft",
    }
    send = getattr(editor_api, method)
    assert send(url, payload, format="json", HTTP_IF_MATCH=stale).status_code == 412
    assert Quote.objects.get(key="q").text == "First wording."
    response = send(url, payload, format="json", HTTP_IF_MATCH=current)
    assert response.status_code == (204 if method == "delete" else 200), response.content


@pytest.mark.parametrize("collection", ["speakers", "organizations", "sources"])
def test_other_records_are_protected_too(editor_api, records, collection):
    obj = records[collection]
    url = f"/api/v1/{collection}/{obj.key}/"
    stale = editor_api.get(url)["ETag"]
    change_meanwhile = {
        "speakers": lambda: AffiliationFactory(speaker=obj, role="Envoy"),  # a part
        "organizations": lambda: Organization.objects.filter(pk=obj.pk).update(name="Renamed"),
        "sources": lambda: Source.objects.filter(pk=obj.pk).update(title="Retitled"),
    }
    change_meanwhile[collection]()
    response = editor_api.patch(url, {}, format="json", HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    assert response.json()["changes"]
    current = editor_api.get(url)["ETag"]
    assert editor_api.patch(url, {}, format="json", HTTP_IF_MATCH=current).status_code == 200


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, 200),  # no header: an unconditional write
        ("*", 200),  # any existing version
        ("CURRENT", 200),
        ('"1", CURRENT', 200),  # one of several
        ("W/CURRENT", 412),  # weak ETags never match a write's precondition
        ('"1"', 412),
        ('"abc"', 412),
        ("CURRENT-unquoted", 400),
        ("", 400),
    ],
)
def test_if_match_forms(editor_api, records, header, expected):
    url = f"{QUOTES}q/"
    current = editor_api.get(url)["ETag"]
    extra = {}
    if header is not None:
        header = header.replace("CURRENT-unquoted", current.strip('"'))
        extra["HTTP_IF_MATCH"] = header.replace("CURRENT", current)
    response = editor_api.patch(url, {"context": "New."}, format="json", **extra)
    assert response.status_code == expected, response.content
    if expected == 400:
        assert "If-Match" in response.json()


# Real transactions, one per thread. serialized_rollback: the tests after it find the
# database as migrations left it (groups included).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_of_two_writers_with_the_same_etag_only_one_gets_through(monkeypatch):
    """Both send the version they read at the same time. Each waits, once its check has
    passed, for the other to pass too: without the lock taken by the check both would,
    and both would save. With it, the second waits for the first to commit, then fails."""
    quote = quote_in(Status.DRAFT, text="First wording.")
    writers = [token_client(EditorFactory()) for _ in range(2)]
    url = f"{QUOTES}{quote.key}/"
    tag = writers[0].get(url)["ETag"]
    passed, both_passed = [], threading.Event()
    check = services.record_check_version

    def check_then_wait(**kwargs):
        check(**kwargs)
        passed.append(True)
        if len(passed) == 2:
            both_passed.set()
        both_passed.wait(timeout=1)

    monkeypatch.setattr(services, "record_check_version", check_then_wait)
    statuses = []

    def write(client, text: str) -> None:
        try:
            response = client.patch(url, {"text": text}, format="json", HTTP_IF_MATCH=tag)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=write, args=(client, f"Wording {n}."))
        for n, client in enumerate(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 412]
    assert len(passed) == 1
    assert Quote.objects.get(pk=quote.pk).text in {"Wording 0.", "Wording 1."}


# History ------------------------------------------------------------------------------


def test_editors_read_who_changed_what_and_when(editor_api, editor, reviewer_api, reviewer):
    quote = quote_in(Status.REVIEW, key="q", text="First wording.")
    editor_api.patch(f"{QUOTES}q/", {"text": "Second wording."}, format="json")
    patch_status(reviewer_api, quote, Status.PUBLISHED)

    response = editor_api.get(f"{QUOTES}q/history/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"]) == 4  # created, citation added, edit, publish
    publish, edit = body["results"][:2]
    assert (publish["user"], publish["who"], publish["action"]) == (
        reviewer.username,
        reviewer.username,
        "publish",
    )
    assert [(f["name"], f["before"], f["after"]) for f in publish["changes"][0]["fields"]] == [
        ("status", "review", "published")
    ]
    assert edit["user"] == editor.username
    assert edit["action"] is None
    [text] = [f for f in edit["changes"][0]["fields"] if f["name"] == "text"]
    assert (text["before"], text["after"]) == ("First wording.", "Second wording.")
    assert datetime.datetime.fromisoformat(edit["at"]) <= datetime.datetime.fromisoformat(
        publish["at"]
    )
    # The newest entry's version is the quote's ETag.
    assert f'"{publish["version"]}"' == editor_api.get(f"{QUOTES}q/")["ETag"]
    citation = body["results"][-2]["changes"][0]
    assert (citation["part"], citation["action"]) == ("citation", "added")


def test_history_is_for_editors_only(api_client, editor_api):
    quote_in(Status.PUBLISHED, key="q")
    assert api_client.get(f"{QUOTES}q/history/").status_code == 401
    outsider = token_client(UserFactory())
    response = outsider.get(f"{QUOTES}q/history/")
    assert response.status_code == 403
    assert "Only editors may read the history" in response.json()["detail"]
    quote_in(Status.DRAFT, key="draft")
    assert editor_api.get(f"{QUOTES}draft/history/").status_code == 200
    assert editor_api.get(f"{QUOTES}nothing/history/").status_code == 404


def test_history_comes_in_pages(editor_api):
    quote = quote_in(Status.DRAFT, key="q")
    for n in range(4):
        editor_api.patch(f"{QUOTES}q/", {"context": f"Version {n}"}, format="json")
    first = editor_api.get(f"{QUOTES}q/history/", {"page_size": 2}).json()
    assert (first["count"], len(first["results"])) == (6, 2)
    walked, url = [], f"{QUOTES}q/history/?page_size=2"
    while url:
        page = editor_api.get(url).json()
        walked.extend(entry["version"] for entry in page["results"])
        url = page["next"]
    assert walked == [entry.version for entry in history.record_history(quote)]
    response = editor_api.get(f"{QUOTES}q/history/", {"page_size": "two"})
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_history_takes_as_many_queries_for_many_changes_as_for_few(editor_api):
    quote_in(Status.DRAFT, key="q")
    sources = SourceFactory.create_batch(5)
    editors = [token_client(EditorFactory()) for _ in sources]
    url = f"{QUOTES}q/history/"
    editor_api.patch(f"{QUOTES}q/", {"context": "First version"}, format="json")
    with CaptureQueriesContext(connection) as few:
        editor_api.get(url)
    for n, (source, client) in enumerate(zip(sources, editors, strict=True)):
        change = {
            "context": f"Version {n}",
            "translations": [{"language": "de", "text": f"Fassung {n}"}],
            "citations": [{"source": source.key, "excerpt": f"Passage {n}"}],
        }
        assert client.patch(f"{QUOTES}q/", change, format="json").status_code == 200
    with CaptureQueriesContext(connection) as many:
        entries = editor_api.get(url, {"page_size": 100}).json()["results"]
    assert len(entries) == 8
    assert len({entry["user"] for entry in entries}) == 7  # six editors, and none
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize("collection", ["speakers", "organizations", "sources"])
def test_other_records_have_a_history_too(editor_api, editor, records, collection):
    obj = records[collection]
    url = f"/api/v1/{collection}/{obj.key}/"
    field = "title" if collection == "sources" else "name"
    assert editor_api.patch(url, {field: "Renamed"}, format="json").status_code == 200
    latest = editor_api.get(f"{url}history/").json()["results"][0]
    assert latest["user"] == editor.username
    changed = {f["name"]: f["after"] for f in latest["changes"][0]["fields"]}
    assert changed[field] == "Renamed"


# Near-duplicates ----------------------------------------------------------------------

REMARK = "Collective punishment of the people of Gaza must stop immediately."


@pytest.fixture
def near_duplicates():
    """A published remark and its near-duplicates in every status, plus unrelated quotes."""
    speaker = SpeakerFactory(key="wang-yi")
    quote_in(Status.PUBLISHED, key="remark", speaker=speaker, text=REMARK)
    variants = {
        "published-variant": (Status.PUBLISHED, REMARK.replace("must", "should")),
        "retracted-variant": (Status.RETRACTED, REMARK.replace("immediately", "at once")),
        "draft-variant": (Status.DRAFT, REMARK + " Now."),
        "review-variant": (Status.REVIEW, "Collective punishment of the people of Gaza"),
    }
    for key, (status, text) in variants.items():
        quote_in(status, key=key, speaker=speaker, text=text, said="2023-10-15")
    quote_in(Status.PUBLISHED, key="other-speaker", text=REMARK)
    quote_in(Status.PUBLISHED, key="years-apart", speaker=speaker, text=REMARK, said="2019")
    quote_in(Status.PUBLISHED, key="unrelated", speaker=speaker, text="We support two states.")


@pytest.mark.usefixtures("near_duplicates")
def test_similar_quotes_with_their_score(editor_api):
    response = editor_api.get(f"{QUOTES}remark/similar/")
    assert response.status_code == 200, response.content
    found = response.json()
    assert {item["key"]: item["relation"] for item in found} == {
        "published-variant": "same_speaker",
        "retracted-variant": "same_speaker",
        "draft-variant": "same_speaker",
        "review-variant": "same_speaker",
        # The same words, said by someone else the same day: a possible misattribution.
        "other-speaker": "other_speaker",
    }
    scores = [item["score"] for item in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0.3 <= score <= 1 for score in scores)
    remark = Quote.objects.get(key="remark")
    expected = {item.quote.key: item.score for item in similar_to_quote(remark)}
    assert {item["key"]: item["score"] for item in found} == expected
    assert found[0]["speaker"]["key"] == "wang-yi"
    assert found[0]["citations"][0]["excerpt"]
    assert "highlight" not in found[0]


@pytest.mark.usefixtures("near_duplicates")
def test_anonymous_clients_see_only_public_similar_quotes(api_client):
    found = api_client.get(f"{QUOTES}remark/similar/").json()
    statuses = {item["key"]: item["status"] for item in found}
    assert statuses == {
        "published-variant": "published",
        "retracted-variant": "retracted",
        "other-speaker": "published",
    }
    assert api_client.get(f"{QUOTES}draft-variant/similar/").status_code == 404


@pytest.mark.usefixtures("near_duplicates")
def test_similar_quotes_limit(editor_api):
    assert len(editor_api.get(f"{QUOTES}remark/similar/", {"limit": 2}).json()) == 2
    for bad in ["0", "51", "two"]:
        response = editor_api.get(f"{QUOTES}remark/similar/", {"limit": bad})
        assert response.status_code == 400
        assert "limit" in response.json()


def test_similar_quotes_take_as_many_queries_for_many_as_for_one(editor_api):
    speaker = SpeakerFactory()
    quote_in(Status.PUBLISHED, key="remark", speaker=speaker, text=REMARK)
    quote_in(Status.PUBLISHED, speaker=speaker, text=REMARK + " One.")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert editor_api.get(f"{QUOTES}remark/similar/").json()
        return len(captured)

    one = queries()
    for n in range(6):
        quote = quote_in(Status.PUBLISHED, speaker=speaker, text=f"{REMARK} {n} more.")
        quote.topics.add(TopicFactory())
        TranslationFactory(quote=quote)
    assert len(editor_api.get(f"{QUOTES}remark/similar/").json()) == 7
    assert queries() == one


def test_a_statement_timeout_in_the_similar_check_is_a_503(editor_api):
    """Issue 18, item 8: the check's settings were restored in a ``finally``, by a query in
    the transaction the timeout had aborted: an InternalError, a 500."""
    speaker = SpeakerFactory()
    quote_in(Status.PUBLISHED, key="remark", speaker=speaker, text=REMARK)

    def slow_check(execute, sql, params, many, context):
        if sql != similarity._QUERY:
            return execute(sql, params, many, context)
        execute("SET LOCAL statement_timeout = '50ms'", None, False, context)
        return execute("SELECT pg_sleep(2)", None, False, context)

    with connection.execute_wrapper(slow_check):
        response = editor_api.get(f"{QUOTES}remark/similar/")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "took too long" in response.json()["detail"]
    assert editor_api.get(f"{QUOTES}remark/similar/").status_code == 200  # the worker goes on


# Merges and the keys of merged records --------------------------------------------------


@pytest.fixture
def merged_quotes(reviewer):
    """ "duplicate" merged into "survivor" (both published, by one speaker)."""
    speaker = SpeakerFactory(key="wang-yi")
    survivor = quote_in(Status.PUBLISHED, key="survivor", speaker=speaker, text=REMARK)
    duplicate = quote_in(Status.PUBLISHED, key="duplicate", speaker=speaker, text=REMARK + ".")
    TranslationFactory(quote=duplicate, language="en")
    services.quote_merge(
        survivor=survivor, duplicate=duplicate, user=reviewer, correction_note=MERGED
    )
    return survivor


@pytest.mark.usefixtures("merged_quotes")
@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("duplicate/", "survivor/"),
        ("duplicate/similar/", "survivor/similar/"),
        ("duplicate/similar/?limit=2", "survivor/similar/?limit=2"),
        ("duplicate.json", "survivor.json"),
    ],
)
def test_the_key_of_a_merged_quote_redirects_to_the_survivor(api_client, path, target):
    response = api_client.get(f"{QUOTES}{path}")
    assert response.status_code == 301
    assert response["Location"] == f"http://testserver{QUOTES}{target}"
    assert response.json()["location"] == response["Location"]
    assert "duplicate was merged into survivor" in response.json()["detail"]
    assert api_client.get(response["Location"]).status_code == 200


@pytest.mark.usefixtures("merged_quotes")
def test_merged_keys_redirect_history_and_writes_too(api_client, editor_api):
    history = editor_api.get(f"{QUOTES}duplicate/history/")
    assert history.status_code == 301
    assert history["Location"] == f"http://testserver{QUOTES}survivor/history/"
    assert api_client.get(f"{QUOTES}duplicate/history/").status_code == 401
    # A write keeps its method and body through a 308.
    patch = editor_api.patch(f"{QUOTES}duplicate/", {"context": "A call."}, format="json")
    assert patch.status_code == 308
    assert patch["Location"] == f"http://testserver{QUOTES}survivor/"
    assert Quote.objects.get(key="survivor").context != "A call."


def test_a_merged_key_leads_nowhere_the_client_may_not_go(api_client, editor_api, reviewer):
    speaker = SpeakerFactory()
    survivor = quote_in(Status.DRAFT, key="survivor", speaker=speaker)
    duplicate = quote_in(Status.PUBLISHED, key="duplicate", speaker=speaker)
    services.quote_merge(
        survivor=survivor, duplicate=duplicate, user=reviewer, correction_note=MERGED
    )
    assert api_client.get(f"{QUOTES}duplicate/").status_code == 404
    assert editor_api.get(f"{QUOTES}duplicate/").status_code == 301
    assert api_client.get(f"{QUOTES}never-existed/").status_code == 404


def test_keys_merged_twice_lead_to_the_last_survivor(api_client, reviewer):
    speaker = SpeakerFactory()
    first, second, third = (quote_in(Status.PUBLISHED, speaker=speaker) for _ in range(3))
    services.quote_merge(survivor=second, duplicate=first, user=reviewer, correction_note=MERGED)
    services.quote_merge(survivor=third, duplicate=second, user=reviewer, correction_note=MERGED)
    response = api_client.get(f"{QUOTES}{first.key}/")
    assert response["Location"] == f"http://testserver{QUOTES}{third.key}/"


def test_the_key_of_a_merged_speaker_redirects(api_client, editor_api, reviewer):
    survivor = SpeakerFactory(key="wang-yi")
    duplicate = SpeakerFactory(key="wang-yi-2")
    QuoteFactory(speaker=duplicate)  # published: readers see the speaker
    services.speaker_merge(
        survivor=survivor, duplicate=duplicate, user=reviewer, correction_note=MERGED
    )
    response = api_client.get("/api/v1/speakers/wang-yi-2/")
    assert response.status_code == 301
    assert response["Location"] == "http://testserver/api/v1/speakers/wang-yi/"
    history = editor_api.get("/api/v1/speakers/wang-yi-2/history/")
    assert history["Location"] == "http://testserver/api/v1/speakers/wang-yi/history/"


def test_a_reviewer_merges_two_quotes_through_the_api(reviewer_api, reviewer, api_client):
    speaker = SpeakerFactory()
    survivor = quote_in(Status.PUBLISHED, key="survivor", speaker=speaker, context="")
    duplicate = quote_in(Status.PUBLISHED, key="duplicate", speaker=speaker, context="A call.")
    TranslationFactory(quote=duplicate, language="de")
    duplicate.topics.add(TopicFactory(key="gaza"))

    tag = reviewer_api.get(f"{QUOTES}survivor/")["ETag"]
    response = reviewer_api.post(
        f"{QUOTES}survivor/merge/",
        {"duplicate": "duplicate", "correction_note": MERGED},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["key"] == "survivor"
    assert body["context"] == "A call."
    assert [t["language"] for t in body["translations"]] == ["de"]
    assert [t["key"] for t in body["topics"]] == ["gaza"]
    assert len(body["citations"]) == 2
    assert response["ETag"] == etag_of(survivor)
    assert not Quote.objects.filter(pk=duplicate.pk).exists()
    assert api_client.get(f"{QUOTES}duplicate/")["Location"].endswith(f"{QUOTES}survivor/")
    # The published survivor gained a citation: the merge, then its public correction.
    assert body["corrections"][-1]["note"] == MERGED
    # Each step of the request is an entry of the history of its own: the merge, then its
    # public correction, both the reviewer's.
    correction, merge = reviewer_api.get(f"{QUOTES}survivor/history/").json()["results"][:2]
    assert (correction["action"], correction["note"]) == ("correct", MERGED)
    assert (merge["action"], merge["note"]) == ("merge", "duplicate merged into survivor")
    assert correction["user"] == merge["user"] == reviewer.username


def test_a_reviewer_merges_two_speakers_through_the_api(reviewer_api):
    survivor = SpeakerFactory(key="wang-yi", name="Wang Yi")
    quote = quote_in(Status.PUBLISHED, speaker=SpeakerFactory(key="wang-yi-2", name="王毅"))
    response = reviewer_api.post(
        "/api/v1/speakers/wang-yi/merge/",
        {"duplicate": "wang-yi-2", "correction_note": MERGED},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert {"name": "王毅", "language": ""} in response.json()["names"]
    quote.refresh_from_db()
    assert quote.speaker == survivor


def test_merges_are_for_reviewers(api_client, editor_api):
    speaker = SpeakerFactory()
    quote_in(Status.PUBLISHED, key="a", speaker=speaker)
    quote_in(Status.PUBLISHED, key="b", speaker=speaker)
    assert api_client.post(f"{QUOTES}a/merge/", {"duplicate": "b"}).status_code == 401
    response = editor_api.post(
        f"{QUOTES}a/merge/", {"duplicate": "b", "correction_note": MERGED}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Only reviewers may merge quotes."
    assert Quote.objects.filter(key__in=["a", "b"]).count() == 2


@pytest.mark.parametrize(
    ("duplicate", "message"),
    [
        ("nothing", "No quote has the key nothing."),
        ("merged", "merged was merged into b already."),
        ("a", "A quote cannot be merged into itself."),
        ("elsewhere", "have different speakers"),
        ("bad key!", "A key may contain only"),
        ("", "This field may not be blank."),
    ],
)
def test_merges_that_make_no_sense_are_400_naming_duplicate(
    reviewer_api, reviewer, duplicate, message
):
    speaker = SpeakerFactory()
    quote_in(Status.PUBLISHED, key="a", speaker=speaker)
    b = quote_in(Status.PUBLISHED, key="b", speaker=speaker)
    merged = quote_in(Status.PUBLISHED, key="merged", speaker=speaker)
    services.quote_merge(survivor=b, duplicate=merged, user=reviewer, correction_note=MERGED)
    quote_in(Status.PUBLISHED, key="elsewhere")
    response = reviewer_api.post(
        f"{QUOTES}a/merge/", {"duplicate": duplicate, "correction_note": MERGED}, format="json"
    )
    assert response.status_code == 400
    assert message in response.json()["duplicate"][0]
    assert Quote.objects.filter(key__in=["a", "b", "elsewhere"]).count() == 3


def test_a_merge_with_a_stale_if_match_is_412(reviewer_api):
    speaker = SpeakerFactory()
    survivor = quote_in(Status.PUBLISHED, key="a", speaker=speaker)
    quote_in(Status.PUBLISHED, key="b", speaker=speaker)
    stale = reviewer_api.get(f"{QUOTES}a/")["ETag"]
    TranslationFactory(quote=survivor, language="de")
    response = reviewer_api.post(
        f"{QUOTES}a/merge/",
        {"duplicate": "b", "correction_note": MERGED},
        format="json",
        HTTP_IF_MATCH=stale,
    )
    assert response.status_code == 412
    assert Quote.objects.filter(key="b").exists()


def verification_url(quote: Quote) -> str:
    return f"{QUOTES}{quote.key}/citations/{quote.citations.get().source.key}/verification/"


def test_a_reviewer_verifies_a_citation_through_the_api(reviewer_api, reviewer):
    quote = quote_in(Status.REVIEW)
    response = reviewer_api.post(verification_url(quote))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["verified"], body["verified_by"]) == (True, reviewer.username)
    citation = quote.citations.get()
    assert (citation.verified_by, citation.verified_at) == (
        reviewer,
        datetime.datetime.fromisoformat(body["verified_at"]),
    )
    assert reviewer_api.get(f"{QUOTES}{quote.key}/").json()["citations"] == [body]

    withdrawn = reviewer_api.delete(verification_url(quote))
    assert withdrawn.status_code == 200
    assert (withdrawn.json()["verified"], withdrawn.json()["verified_by"]) == (False, None)
    assert not quote.citations.get().is_verified


def test_verifying_is_for_reviewers(api_client, editor_api):
    quote = quote_in(Status.PUBLISHED)
    assert api_client.post(verification_url(quote)).status_code == 401
    response = editor_api.post(verification_url(quote))
    assert response.status_code == 403
    assert response.json()["detail"] == "Only reviewers may verify citations."
    assert not quote.citations.get().is_verified


def test_only_citations_with_an_excerpt_found_in_the_source_are_verified(reviewer_api):
    empty = quote_in(Status.DRAFT, excerpt="")
    response = reviewer_api.post(verification_url(empty))
    assert response.status_code == 400
    assert "has no excerpt to verify" in response.json()["excerpt"][0]

    quote = quote_in(Status.DRAFT, excerpt="Words the source never had.")
    Source.objects.filter(citations__quote=quote).update(full_text="Quite other words.")
    response = reviewer_api.post(verification_url(quote))
    assert response.status_code == 400
    assert "does not occur in the full text" in response.json()["excerpt"][0]

    missing = reviewer_api.post(f"{QUOTES}{quote.key}/citations/no-such-source/verification/")
    assert missing.status_code == 404
