"""Public dumps (dumps/): each file read by the clients its readers use, only the public
record in it, the manifest's facts, keep-N, ``dump_public --if-none``, the pages."""

from __future__ import annotations

import csv
import datetime
import gzip
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator

from dumps import services, tasks
from quotes import services as quote_services
from quotes.interchange.schema import interchange_schema
from quotes.models import Quote, Speaker
from tests.factories import (
    AffiliationFactory,
    OrganizationFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    TopicFactory,
    quote_with_related,
)
from tests.interchange_support import empty_database, run_import
from tests.test_popolo import popolo_validators

pytestmark = pytest.mark.django_db

REASON = "Misattributed: the spokesperson said it, not the minister."


@pytest.fixture
def record(reviewer) -> dict[str, Quote]:
    """A published statement, a retracted one, a draft by a speaker with nothing public, and
    a statement under review."""
    published = quote_with_related(key="published-one")
    retracted = quote_with_related(key="retracted-one")
    quote_services.quote_retract(quote=retracted, reason=REASON, user=reviewer)
    hidden = SpeakerFactory(key="hidden-speaker", name="Hidden Speaker")
    draft = QuoteFactory(key="draft-one", speaker=hidden, status=Quote.Status.DRAFT)
    review = QuoteFactory(key="review-one", status=Quote.Status.REVIEW)
    return {"published": published, "retracted": retracted, "draft": draft, "review": review}


def dump_path(manifest: dict, kind: services.DumpFile) -> Path:
    return services.dumps_dir() / manifest["version"] / kind.name(manifest["version"])


def ndjson_records(manifest: dict) -> list[dict]:
    with gzip.open(dump_path(manifest, services.NDJSON), "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def csv_rows(manifest: dict) -> list[dict]:
    with gzip.open(dump_path(manifest, services.CSV), "rt", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def popolo_document(manifest: dict) -> dict:
    with gzip.open(dump_path(manifest, services.POPOLO), "rt", encoding="utf-8") as text:
        return json.load(text)


def test_the_ndjson_dump_is_valid_interchange_of_the_public_record_only(record):
    records = ndjson_records(services.dump_create())
    validator = Draft202012Validator(interchange_schema())
    for line in records:
        assert list(validator.iter_errors(line)) == [], line
    quotes = {r["key"]: r for r in records if r["type"] == "quote"}
    assert set(quotes) == {"published-one", "retracted-one"}
    assert quotes["retracted-one"]["status"] == "retracted"
    assert quotes["retracted-one"]["retraction_reason"] == REASON
    speakers = {r["key"] for r in records if r["type"] == "speaker"}
    assert speakers == set(Speaker.objects.public().values_list("key", flat=True))
    assert "hidden-speaker" not in speakers


def test_records_no_public_statement_refers_to_are_left_out(record):
    """A record is public once a public statement refers to it (quotes.models), in the dump
    as everywhere: an organization's parent that is not public is left out of it."""
    parent = OrganizationFactory(key="private-parent")
    role = record["published"].role
    role.organization.parent = parent
    role.organization.save()
    SourceFactory(key="unused-source")
    TopicFactory(key="unused-topic")
    AffiliationFactory(speaker=record["draft"].speaker, organization=OrganizationFactory(key="x"))
    records = ndjson_records(services.dump_create())
    keys = {(r["type"], r["key"]) for r in records}
    for hidden in ["private-parent", "x", "unused-source", "unused-topic", "hidden-speaker"]:
        assert not any(key == hidden for _, key in keys), hidden
    [organization] = [r for r in records if r["key"] == role.organization.key]
    assert "parent" not in organization
    assert ("organization", role.organization.key) in keys


def test_the_csv_dump_has_the_download_columns_and_the_public_statements(record):
    from quotes.interchange.csv_export import HEADER

    rows = csv_rows(services.dump_create())
    assert list(rows[0]) == HEADER
    by_key = {row["key"]: row for row in rows}
    assert set(by_key) == {"published-one", "retracted-one"}
    assert by_key["retracted-one"]["status"] == "retracted"
    assert by_key["retracted-one"]["retraction_reason"] == REASON
    assert by_key["published-one"]["uid"] == str(record["published"].uid)


def test_the_popolo_dump_is_valid_against_the_popolo_schemas(record):
    document = popolo_document(services.dump_create())
    validators = popolo_validators()
    for collection, entries in document.items():
        for entry in entries:
            assert list(validators[collection].iter_errors(entry)) == [], (collection, entry)
    speeches = {speech["key"]: speech for speech in document["speeches"]}
    assert set(speeches) == {"published-one", "retracted-one"}
    assert speeches["retracted-one"]["retraction"]["reason"] == REASON
    assert "hidden-speaker" not in {person["id"] for person in document["persons"]}


def test_the_ndjson_dump_imports_into_an_empty_database(record, tmp_path):
    manifest = services.dump_create()
    text = gzip.decompress(dump_path(manifest, services.NDJSON).read_bytes()).decode("utf-8")
    empty_database()
    outcome = run_import(tmp_path / "dump.ndjson", text)
    assert outcome.ok, outcome.err
    statuses = dict(Quote.objects.values_list("key", "status"))
    assert statuses == {"published-one": "published", "retracted-one": "retracted"}
    assert Quote.objects.get(key="retracted-one").retraction_reason == REASON


def test_the_manifest_states_each_files_size_sha256_counts_and_licence(record, settings):
    settings.DUMPS_LICENSE = "CC BY 4.0"
    settings.DUMPS_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
    manifest = services.dump_create()
    on_disk = json.loads((services.dumps_dir() / manifest["version"] / "manifest.json").read_text())
    assert on_disk == manifest
    assert manifest["license"] == {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    for entry in manifest["files"]:
        data = (services.dumps_dir() / manifest["version"] / entry["name"]).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    counts = {entry["name"]: entry["records"] for entry in manifest["files"]}
    version = manifest["version"]
    assert counts[services.NDJSON.name(version)]["quote"] == 2
    assert counts[services.CSV.name(version)] == {"quote": 2}
    assert counts[services.POPOLO.name(version)]["speeches"] == 2


def test_a_version_is_named_by_its_utc_time():
    moment = datetime.datetime(2026, 12, 5, 23, 0, 7, tzinfo=datetime.UTC)
    assert services.dump_create(now=moment)["version"] == "2026-12-05T230007Z"
    with pytest.raises(services.DumpExists):
        services.dump_create(now=moment)


def test_only_the_newest_versions_are_kept(settings):
    settings.DUMPS_KEEP = 2
    start = datetime.datetime(2026, 12, 1, 2, 0, tzinfo=datetime.UTC)
    for day in range(4):
        services.dump_create(now=start + datetime.timedelta(days=day))
    assert services.dump_versions() == ["2026-12-04T020000Z", "2026-12-03T020000Z"]
    assert sorted(p.name for p in services.dumps_dir().iterdir()) == [
        "2026-12-03T020000Z",
        "2026-12-04T020000Z",
    ]


def test_a_half_written_dump_is_never_listed():
    root = services.dumps_dir()
    (root / ".partial-2026-12-05T230000Z-x").mkdir(parents=True)
    (root / "2026-12-05T230000Z").mkdir()  # no manifest: not complete
    assert services.dump_versions() == []
    assert services.dump_file(version="2026-12-05T230000Z", name="manifest.json") is None


def test_dump_public_if_none_writes_only_the_first():
    out = io.StringIO()
    call_command("dump_public", if_none=True, stdout=out)
    assert "onrecord-statements-" in out.getvalue()
    first = services.dump_versions()
    call_command("dump_public", "--if-none", stdout=(out := io.StringIO()))
    assert "A dump exists already" in out.getvalue()
    assert services.dump_versions() == first


def test_the_job_is_periodic_by_the_cron_setting(settings):
    from procrastinate.contrib.django import app

    periodic = app.periodic_registry.periodic_tasks
    assert periodic[("dumps.tasks.dumps_public", "dumps-public")].cron == settings.DUMPS_CRON


def test_the_periodic_job_writes_a_dump(settings):
    # The task's body, without own_connections, which would close the test's connection.
    tasks.dumps_public.func.__wrapped__(timestamp=0)
    assert len(services.dump_versions()) == 1


def test_the_dumps_page_lists_each_file_with_its_digest_and_the_licence(client, record):
    manifest = services.dump_create()
    response = client.get("/dumps/")
    assert response.status_code == 200
    page = response.content.decode()
    for entry in manifest["files"]:
        assert entry["name"] in page
        assert entry["sha256"] in page
    assert 'rel="license"' in page
    assert "CC BY 4.0" in page
    assert 'href="/dumps/"' in client.get("/about/").content.decode()


def test_the_dumps_page_says_when_there_is_none(client):
    response = client.get("/dumps/")
    assert response.status_code == 200
    assert "No dump has been made yet." in response.content.decode()


def test_index_json_lists_the_manifests_with_their_addresses(client, record):
    manifest = services.dump_create()
    listing = client.get("/dumps/index.json").json()
    assert listing["license"]["name"] == manifest["license"]["name"]
    [listed] = listing["dumps"]
    assert listed["version"] == manifest["version"]
    first = listed["files"][0]
    assert first["url"] == f"http://testserver/dumps/{manifest['version']}/{first['name']}"


def test_a_dump_file_is_served_whole_with_its_type_and_length(client, record):
    manifest = services.dump_create()
    entry = manifest["files"][0]
    response = client.get(f"/dumps/{manifest['version']}/{entry['name']}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert int(response["Content-Length"]) == entry["size"]
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == entry["sha256"]
    served = client.get(f"/dumps/{manifest['version']}/manifest.json")
    assert served["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "path",
    [
        "/dumps/2020-01-01T000000Z/manifest.json",
        "/dumps/{version}/other.csv.gz",
        "/dumps/{version}/..%2F..%2Fsecret-key",
        "/dumps/..%2F{version}/manifest.json",
        "/dumps/{version}/%2Fetc%2Fpasswd",
    ],
)
def test_unknown_or_outside_names_are_404(client, path):
    version = services.dump_create()["version"]
    assert client.get(path.format(version=version)).status_code == 404


def test_the_ndjson_dump_carries_the_links_readers_see_only(record, reviewer, tmp_path):
    """A confirmed link between two public statements of two speakers ("also attributed
    to" on every public output), without the reviewer's note or name; no dismissed pair,
    no link to a statement that is not public, none between one speaker's statements."""
    from lineage.models import Decision
    from lineage.services import lineage_decide

    published, retracted = record["published"], record["retracted"]
    repeated = quote_with_related(key="repeated-one", speaker=published.speaker)
    decide = {"user": reviewer, "note": "Reviewer's own words."}
    lineage_decide(quote=published, other=retracted, verdict="confirmed", **decide)
    lineage_decide(quote=published, other=record["draft"], verdict="confirmed", **decide)
    lineage_decide(quote=retracted, other=repeated, verdict="dismissed", **decide)
    lineage_decide(quote=published, other=repeated, verdict="confirmed", **decide)
    manifest = services.dump_create()
    decisions = [r for r in ndjson_records(manifest) if r["type"] == "decision"]
    assert decisions == [
        {
            "type": "decision",
            "quotes": ["published-one", "retracted-one"],
            "verdict": "confirmed",
            "decided_at": decisions[0]["decided_at"],
        }
    ]
    ndjson_entry = next(e for e in manifest["files"] if e["name"].endswith(".ndjson.gz"))
    assert ndjson_entry["records"]["decision"] == 1
    text = gzip.decompress(dump_path(manifest, services.NDJSON).read_bytes()).decode("utf-8")
    empty_database()
    assert run_import(tmp_path / "dump.ndjson", text).ok
    decision = Decision.objects.get()
    assert {decision.first.key, decision.second.key} == {"published-one", "retracted-one"}
    assert (decision.note, decision.reviewer_name) == ("", None)
