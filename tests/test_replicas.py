"""Reads on a real streaming replica, writes and a writer's next reads on the primary.

The suite starts a primary and a streaming replica of it (tests/replication.py) and serves
OnRecord from gunicorn with DATABASE_URL on the primary and DATABASE_REPLICA_URLS on the
replica. Pausing the replica's replay makes it visibly stale, which shows where each read
went.
"""

import time

import pytest

from tests.live_site import call, editor_token, manage, serving, site_environment
from tests.replication import StreamingPair

STICKY_SECONDS = 6  # long enough for the writer's six reads on a loaded machine


@pytest.fixture(scope="module")
def pair():
    streaming = StreamingPair()
    try:
        streaming.start()
        yield streaming
    finally:
        streaming.stop()


@pytest.fixture(scope="module")
def site(pair, tmp_path_factory):
    """OnRecord served over the pair; yields (base URL, an editor's token)."""
    environment = site_environment(
        pair.primary.url(),
        tmp_path_factory.mktemp("replica-site"),
        DATABASE_REPLICA_URLS=pair.replica.url(),
        ONRECORD_REPLICA_STICKY_SECONDS=str(STICKY_SECONDS),
    )
    manage(environment, "migrate", "--no-input", "-v0")
    token = editor_token(environment)
    # Two workers, as `make run` serves: the writer's mark must reach both (the shared cache).
    with serving(environment, workers=2) as base:
        pair.wait_for_replay()
        yield base, token


def test_reads_go_to_the_replica_and_a_writer_reads_its_writes_on_the_primary(pair, site):
    base, token = site
    topics = f"{base}/api/v1/topics/"
    with pair.replay_paused():
        status, _, _ = call("POST", topics, token, {"key": "gaza", "name": "Gaza"})
        assert status == 201  # the write reached the primary: the replica is read-only

        # The writer reads its own write at once, from the primary, whichever worker answers
        # (each request is a new connection, which either worker may accept).
        assert [call("GET", f"{topics}gaza/", token)[0] for _ in range(6)] == [200] * 6
        # Another client reads from the replica, which has not replayed the write yet.
        assert [call("GET", f"{topics}gaza/")[0] for _ in range(6)] == [404] * 6
        assert call("GET", topics)[1]["count"] == 0

        # Once the sticky time is over, the writer's reads go to the replica again.
        time.sleep(STICKY_SECONDS + 0.5)
        assert call("GET", f"{topics}gaza/", token)[0] == 404
    pair.wait_for_replay()
    # From the replica, for an editor: readers see a topic once a public statement has it.
    status, topic, _ = call("GET", f"{topics}gaza/", token)
    assert (status, topic["name"]) == (200, "Gaza")


def test_a_request_that_writes_reads_on_the_primary_too(pair, site):
    base, token = site
    topics = f"{base}/api/v1/topics/"
    with pair.replay_paused():
        assert call("POST", topics, token, {"key": "nato", "name": "NATO"})[0] == 201
        # Updating the topic reads it first: on the primary, where it exists.
        status, topic, _ = call("PATCH", f"{topics}nato/", token, {"name": "Nato"})
        assert (status, topic["name"]) == (200, "Nato")


def test_readyz_names_a_replica_that_does_not_answer(pair, site):
    base, _token = site
    assert call("GET", f"{base}/readyz")[:2] == (200, {"status": "ok"})
    pair.stop_replica()
    status, body, _ = call("GET", f"{base}/readyz")
    assert status == 503
    assert body["reasons"][0].startswith("database 'replica_1' does not answer")
