"""Writes made at the same moment on records that lock each other's rows.

A speaker's change locks the speaker's row, then every quote it alters; a quote's change
locks the quote. When a quote's change also locked its speaker's row, the two deadlocked
(seen as a 500 in `make fuzz`, an editor's speaker PATCH beside a reviewer's quote PATCH).
"""

import threading
import time

import pytest
from django.db import OperationalError, connection
from psycopg import errors

from quotes.models import Quote
from tests.conftest import token_client
from tests.factories import AffiliationFactory, CitationFactory, QuoteFactory, ReviewerFactory

CORRECTED = "The role shown was not the speaker's on that day."


def in_thread(results: list, client, method: str, url: str, body: dict) -> threading.Thread:
    def send() -> None:
        try:
            results.append(getattr(client, method)(url, body, format="json"))
        finally:
            connection.close()

    thread = threading.Thread(target=send)
    thread.start()
    return thread


# Real transactions, one per thread; serialized_rollback restores the migrated data.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_speakers_change_and_a_change_of_their_quote_at_once_both_succeed(monkeypatch):
    from quotes.services import speakers

    affiliation = AffiliationFactory(start="2020")
    quote = QuoteFactory(
        speaker=affiliation.speaker, role=affiliation, role_resolution=Quote.RoleResolution.RESOLVED
    )
    CitationFactory(quote=quote)
    speaker_saved, replace = threading.Event(), speakers._affiliations_replace

    def replace_slowly(*args, **kwargs):
        # The speaker's row is written by now: let the quote's change start meanwhile.
        speaker_saved.set()
        time.sleep(1)
        return replace(*args, **kwargs)

    monkeypatch.setattr(speakers, "_affiliations_replace", replace_slowly)
    editors = [token_client(ReviewerFactory()) for _ in range(2)]
    results: list = []
    speaker_url = f"/api/v1/speakers/{affiliation.speaker.key}/"
    speaker_body = {"affiliations": [], "correction_note": CORRECTED}
    first = in_thread(results, editors[0], "patch", speaker_url, speaker_body)
    assert speaker_saved.wait(timeout=10)
    body = {"context": "At a press conference.", "correction_note": "The occasion was missing."}
    second = in_thread(results, editors[1], "patch", f"/api/v1/quotes/{quote.key}/", body)
    for thread in (first, second):
        thread.join(timeout=30)
    assert sorted(response.status_code for response in results) == [200, 200], [
        response.content for response in results
    ]
    quote.refresh_from_db()
    assert (quote.role, quote.context) == (None, "At a press conference.")
    assert {c["note"] for c in quote.corrections} >= {CORRECTED}


def test_a_write_postgresql_ends_for_a_concurrent_one_is_answered_503(monkeypatch, editor_api):
    from quotes import services

    def collide(**kwargs):
        raise OperationalError("deadlock detected") from errors.DeadlockDetected("deadlock")

    monkeypatch.setattr(services, "speaker_write", collide)
    speaker = AffiliationFactory().speaker
    response = editor_api.patch(f"/api/v1/speakers/{speaker.key}/", {"name": "X"}, format="json")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "collided with another" in response.json()["detail"]
