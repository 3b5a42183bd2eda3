"""Importing records whose keys exist updates them in place; counts, dry runs and stdin."""

import io
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from quotes import services
from quotes.interchange import importer
from quotes.models import Affiliation, Citation, Quote, Speaker, SpeakerName, Topic, Translation
from tests.factories import SYSTEM, EditorFactory, ReviewerFactory
from tests.interchange_support import (
    ORGANIZATION,
    QUOTE,
    SOURCE,
    SPEAKER,
    VALID,
    ndjson,
    run_import,
    snapshot,
)

pytestmark = pytest.mark.django_db

OTHER_ORGANIZATION = {"type": "organization", "key": "un", "name": "United Nations"}


@pytest.fixture
def path(tmp_path):
    return tmp_path / "records.ndjson"


@pytest.fixture
def imported(path):
    outcome = run_import(path, ndjson(OTHER_ORGANIZATION, *VALID))
    assert outcome.ok, outcome.err


def counts_line(outcome, kind: str) -> str:
    return " ".join(
        next(line for line in outcome.out.splitlines() if line.startswith(kind)).split()
    )


def corrected(count: int) -> dict:
    """The corrections of a published quote changed ``count`` times (each change of what
    readers rely on brings one)."""
    return {
        "corrections": [
            {"date": f"2024-01-{day:02d}", "note": f"Correction {day}."}
            for day in range(1, count + 1)
        ]
    }


def test_importing_an_existing_key_updates_the_record(path, imported):
    speaker_pk = Speaker.objects.get().pk
    quote_pk = Quote.objects.get().pk
    outcome = run_import(
        path,
        ndjson(
            {**SPEAKER, "name": "WANG Yi"},
            {**QUOTE, "text": "新的文本", "context": "Phone call", **corrected(1)},
            SOURCE,
        ),
    )
    assert outcome.ok, outcome.err
    assert counts_line(outcome, "speakers") == "speakers 0 created 1 updated 0 unchanged"
    assert counts_line(outcome, "sources") == "sources 0 created 0 updated 1 unchanged"
    assert counts_line(outcome, "quotes") == "quotes 0 created 1 updated 0 unchanged"
    speaker, quote = Speaker.objects.get(), Quote.objects.get()
    assert (speaker.pk, speaker.name) == (speaker_pk, "WANG Yi")
    assert (quote.pk, quote.text, quote.context) == (quote_pk, "新的文本", "Phone call")


def test_a_record_is_replaced_whole_so_absent_optional_fields_are_cleared(path, imported):
    assert run_import(path, ndjson({**QUOTE, "context": "Phone call"})).ok
    bare = {name: value for name, value in QUOTE.items() if name not in {"translations", "kind"}}
    assert run_import(path, ndjson({**bare, **corrected(1)})).ok
    quote = Quote.objects.get()
    assert quote.context == ""
    assert quote.kind == Quote.Kind.DIRECT
    assert not quote.translations.exists()


def test_speaker_names_are_replaced_and_kept_ones_stay(path, imported):
    kept = SpeakerName.objects.get(name="王毅")
    names = [{"name": "王毅", "language": "zh"}, {"name": "Wáng Yì", "language": "zh-latn"}]
    assert run_import(path, ndjson({**SPEAKER, "names": names})).ok
    assert sorted(SpeakerName.objects.values_list("name", "language")) == [
        ("Wáng Yì", "zh-Latn"),
        ("王毅", "zh"),
    ]
    assert SpeakerName.objects.get(name="王毅").pk == kept.pk


def test_affiliations_are_updated_in_place_and_removed_ones_release_their_quotes(path):
    speaker = {
        **SPEAKER,
        "affiliations": [
            {"organization": "prc-mfa", "role": "Minister", "start": "2013", "end": "2022"},
            {"organization": "un", "role": "Envoy", "start": "2023-01"},
        ],
    }
    said_2023 = {**QUOTE, "key": "q-2023", "said": "2023-10-14"}
    said_2020 = {**QUOTE, "key": "q-2020", "said": "2020-05"}
    assert run_import(path, ndjson(OTHER_ORGANIZATION, ORGANIZATION, speaker, SOURCE)).ok
    assert run_import(path, ndjson(said_2023, said_2020)).ok
    minister = Affiliation.objects.get(role="Minister")
    assert Quote.objects.get(key="q-2023").role.role == "Envoy"
    assert Quote.objects.get(key="q-2020").role == minister

    speaker["affiliations"] = [
        {"organization": "prc-mfa", "role": "Minister", "start": "2013"},
        {"organization": "un", "role": "Observer", "start": "2024"},
    ]
    note = "The speaker's roles at the United Nations were corrected."
    outcome = run_import(path, ndjson({**speaker, "correction_note": note}))
    assert outcome.ok, outcome.err
    assert counts_line(outcome, "speakers") == "speakers 0 created 1 updated 0 unchanged"
    # Only the quote whose role changed is corrected.
    assert [c["note"] for c in Quote.objects.get(key="q-2023").corrections] == [note]
    assert Quote.objects.get(key="q-2020").corrections == []
    minister.refresh_from_db()
    assert minister.end is None, "the matching affiliation was updated in place"
    assert Affiliation.objects.get(role="Minister").pk == minister.pk
    assert not Affiliation.objects.filter(role="Envoy").exists()
    # The quote of the removed affiliation is re-resolved against what is left.
    assert Quote.objects.get(key="q-2023").role == minister
    assert Quote.objects.get(key="q-2023").role_resolution == Quote.RoleResolution.RESOLVED
    assert Quote.objects.get(key="q-2020").role == minister


def test_quotes_after_a_speaker_in_the_same_file_resolve_against_its_new_affiliations(path):
    speaker = {
        **SPEAKER,
        "affiliations": [{"organization": "prc-mfa", "role": "Minister", "start": "2013"}],
    }
    assert run_import(path, ndjson(OTHER_ORGANIZATION, ORGANIZATION, speaker, SOURCE)).ok
    # Quotes, then the speaker with other affiliations, then more quotes, in one file.
    changed = {**speaker, "affiliations": [{"organization": "un", "role": "Envoy"}]}
    before = {**QUOTE, "key": "before", "said": "2020-05"}
    after = {**QUOTE, "key": "after", "said": "2020-06"}
    outcome = run_import(path, ndjson(before, changed, after))
    assert outcome.ok, outcome.err
    envoy = Affiliation.objects.get()
    assert envoy.role == "Envoy"
    for key in ("before", "after"):
        quote = Quote.objects.get(key=key)
        assert (quote.role, quote.role_resolution) == (envoy, Quote.RoleResolution.RESOLVED)


def test_a_new_affiliation_resolves_the_quotes_it_covers(path):
    speaker = {**SPEAKER, "affiliations": []}
    assert run_import(path, ndjson(ORGANIZATION, speaker, SOURCE, {**QUOTE, "said": "2010"})).ok
    assert Quote.objects.get().role_resolution == Quote.RoleResolution.NONE
    speaker["affiliations"] = [{"organization": "prc-mfa", "role": "Vice Minister", "end": "2012"}]
    speaker["correction_note"] = "Added the role he held then."
    assert run_import(path, ndjson(speaker)).ok
    quote = Quote.objects.get()
    assert quote.corrections[-1]["note"] == "Added the role he held then."
    assert quote.role.role == "Vice Minister"
    assert quote.role_resolution == Quote.RoleResolution.RESOLVED


def test_an_explicit_role_without_an_affiliation_creates_an_undated_one(path, imported):
    explicit = {
        **QUOTE,
        "key": "as-envoy",
        "role": {"organization": "un", "role": "Special Envoy"},
        "allow_similar": True,  # the same text, said in another role
    }
    outcome = run_import(path, ndjson(explicit))
    # The new undated affiliation overlaps the minister's term: the published quote on
    # record would lose its role, a correction the file does not make.
    assert not outcome.ok
    assert "line 1, field role: this role gives the speaker a new affiliation" in outcome.err
    # With the quote's correction in the file, it imports.
    outcome = run_import(path, ndjson(explicit, {**QUOTE, **corrected(1)}))
    assert outcome.ok, outcome.err
    quote = Quote.objects.get(key="as-envoy")
    assert quote.role_resolution == Quote.RoleResolution.EXPLICIT
    assert (quote.role.organization.key, quote.role.role) == ("un", "Special Envoy")
    assert (quote.role.start, quote.role.end) == (None, None)
    # The new undated affiliation overlaps the minister's term: no longer resolvable.
    other = Quote.objects.get(key=QUOTE["key"])
    assert other.role_resolution == Quote.RoleResolution.AMBIGUOUS


def test_an_explicit_role_names_an_existing_affiliation(path, imported):
    explicit = {
        **QUOTE,
        "role": {"organization": "prc-mfa", "role": "Minister of Foreign Affairs"},
    }
    minister = Affiliation.objects.get()
    outcome = run_import(path, ndjson(explicit))
    assert outcome.ok, outcome.err
    assert counts_line(outcome, "quotes") == "quotes 0 created 1 updated 0 unchanged"
    quote = Quote.objects.get()
    assert (quote.role, quote.role_resolution) == (minister, Quote.RoleResolution.EXPLICIT)
    assert Affiliation.objects.count() == 1
    with_start = {**explicit, "role": {**explicit["role"], "start": "2013-03-16"}}
    assert run_import(path, ndjson(with_start)).ok
    assert Quote.objects.get().role == minister


def test_translations_and_citations_are_updated_in_place(path, imported):
    translation = Translation.objects.get()
    citation = Citation.objects.get()
    editor = EditorFactory()
    Citation.objects.filter(pk=citation.pk).update(verified_by=editor, verified_at=timezone.now())
    changed = {
        **QUOTE,
        "translations": [{"language": "en", "text": "Stop it.", "official": True}],
        **corrected(1),
    }
    assert run_import(path, ndjson(changed)).ok
    translation.refresh_from_db()
    assert (translation.text, translation.official) == ("Stop it.", True)
    citation.refresh_from_db()
    assert citation.verified_by == editor, "an unchanged citation keeps its verification"

    second = {**SOURCE, "key": "second", "url": "https://example.org/2"}
    reordered = {
        **changed,
        "citations": [{"source": "second"}, *QUOTE["citations"]],
        **corrected(2),
    }
    assert run_import(path, ndjson(second, reordered)).ok
    citations = list(Quote.objects.get().citations.order_by("pk"))
    assert [c.source.key for c in citations] == ["second", "mfa-2023-10-14"]
    assert citations[1].verified_by == editor, "verification survives a new order"

    new_excerpt = {
        **reordered,
        "citations": [{"source": "second", "excerpt": "new"}],
        **corrected(3),
    }
    assert run_import(path, ndjson(new_excerpt)).ok
    assert Quote.objects.get().citations.get().excerpt == "new"


def test_new_topics_are_created_with_a_name_from_their_key(path, imported):
    outcome = run_import(path, ndjson({**QUOTE, "topics": ["israel-hamas-war", "gaza"]}))
    assert outcome.ok, outcome.err
    assert "new topics            2" in outcome.out
    assert Topic.objects.get(key="israel-hamas-war").name == "Israel hamas war"
    assert run_import(path, ndjson({**QUOTE, "topics": ["gaza"]})).ok
    assert list(Quote.objects.get().topics.values_list("key", flat=True)) == ["gaza"]
    assert Topic.objects.count() == 2


def test_dry_run_counts_and_writes_nothing(path, imported):
    before = snapshot()
    outcome = run_import(
        path,
        ndjson(
            {**SPEAKER, "name": "WANG Yi", "correction_note": "The name's spelling."},
            {**QUOTE, "key": "new"},
        ),
        "--dry-run",
        "--allow-similar",
    )
    assert outcome.ok, outcome.err
    assert outcome.out.startswith("Dry run: nothing was written.")
    assert counts_line(outcome, "speakers") == "speakers 0 created 1 updated 0 unchanged"
    assert counts_line(outcome, "quotes") == "quotes 1 created 0 updated 0 unchanged"
    assert snapshot() == before
    assert Speaker.objects.get().name == "Wang Yi"


def test_dry_run_reports_errors_too(path):
    outcome = run_import(path, ndjson({**QUOTE, "said": "2023-13-45"}), "--dry-run")
    assert not outcome.ok
    assert 'line 1, field said: "2023-13-45": month 13 does not exist' in outcome.error_lines


def test_standard_input(monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(ndjson(*VALID).encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    outcome = run_import(Path("-"))
    assert outcome.ok, outcome.err
    assert counts_line(outcome, "quotes") == "quotes 1 created 0 updated 0 unchanged"
    assert Quote.objects.get().key == QUOTE["key"]


def test_standard_input_that_cannot_seek(monkeypatch):
    class Pipe(io.BufferedReader):
        def seekable(self) -> bool:
            return False

    content = ndjson(*VALID).encode()
    stdin = io.TextIOWrapper(Pipe(io.BytesIO(content)), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    outcome = run_import(Path("-"))
    assert outcome.ok, outcome.err
    assert Quote.objects.count() == 1


def test_user_is_recorded_as_author_and_in_the_history(path):
    editor = ReviewerFactory(username="importer")
    outcome = run_import(path, ndjson(*VALID), "--user", "importer")
    assert outcome.ok, outcome.err
    quote = Quote.objects.get()
    assert (quote.created_by, quote.updated_by) == (editor, editor)
    QuoteEvent = apps.get_model("quotes", "QuoteEvent")
    event = QuoteEvent.objects.select_related("pgh_context").get(pgh_obj=quote)
    assert event.pgh_label == "insert"
    assert (
        event.pgh_context.metadata.items()
        >= {
            "command": "import_records",
            "file": "records.ndjson",
            "user": editor.pk,
        }.items()
    )


def test_unknown_user(path):
    outcome = run_import(path, ndjson(*VALID), "--user", "nobody")
    assert not outcome.ok
    assert 'No user named "nobody".' in outcome.err
    assert not any(snapshot().values())


def test_bulk_writes_are_recorded_in_the_history(path, imported):
    AffiliationEvent = apps.get_model("quotes", "AffiliationEvent")
    assert AffiliationEvent.objects.filter(pgh_label="insert").count() == 1
    speaker = {**SPEAKER, "affiliations": [], "correction_note": "The role was wrong."}
    assert run_import(path, ndjson(speaker)).ok
    assert AffiliationEvent.objects.filter(pgh_label="delete").count() == 1
    QuoteEvent = apps.get_model("quotes", "QuoteEvent")
    # Its role was released, then the correction added.
    assert QuoteEvent.objects.filter(pgh_label="update").count() == 2


def test_progress_is_reported_for_both_passes(path):
    content = ndjson(*VALID).encode()
    seen = {}

    class Bar:
        def __init__(self, description, total):
            self.description, self.total, self.done = description, total, 0

        def update(self, n):
            self.done += n

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            seen[self.description] = (self.total, self.done)

    report = services.records_import(
        lines_or_stream=io.BytesIO(content), dry_run=True, progress=Bar, user=SYSTEM
    )
    assert report.ok
    assert seen == {"Checking": (len(content), len(content)), "Importing": (len(content),) * 2}


def test_importing_a_file_with_unlisted_explicit_roles_twice_changes_nothing(path):
    explicit = {**QUOTE, "role": {"organization": "prc-mfa", "role": "Special Envoy"}}
    content = ndjson(ORGANIZATION, SPEAKER, SOURCE, explicit)
    assert run_import(path, content).ok
    envoy = Affiliation.objects.get(role="Special Envoy")
    assert Quote.objects.get().role == envoy
    outcome = run_import(path, content)
    assert outcome.ok, outcome.err
    assert counts_line(outcome, "speakers") == "speakers 0 created 0 updated 1 unchanged"
    assert counts_line(outcome, "quotes") == "quotes 0 created 0 updated 1 unchanged"
    assert Affiliation.objects.get(role="Special Envoy").pk == envoy.pk


def test_an_explicit_role_at_a_stored_organization_not_listed_for_the_speaker(path, imported):
    speaker = {**SPEAKER, "key": "zhang-jun", "name": "Zhang Jun", "affiliations": []}
    explicit = {
        **QUOTE,
        "key": "zhang-jun-2023",
        "speaker": "zhang-jun",
        "role": {"organization": "un", "role": "Permanent Representative", "start": "2019"},
        "allow_similar": True,
    }
    outcome = run_import(path, ndjson(speaker, explicit))
    assert outcome.ok, outcome.err
    quote = Quote.objects.get(key="zhang-jun-2023")
    assert (quote.role.organization.key, quote.role.role, str(quote.role.start)) == (
        "un",
        "Permanent Representative",
        "2019",
    )
    assert quote.role.speaker.key == "zhang-jun"
    assert run_import(path, ndjson(speaker, explicit)).ok
    assert Affiliation.objects.filter(speaker__key="zhang-jun").count() == 1


def test_a_large_import_refreshes_the_planner_statistics(path, monkeypatch):
    monkeypatch.setattr(importer, "ANALYZE_AFTER_RECORDS", 4)
    assert run_import(path, ndjson(*VALID)).ok
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'quotes_quote'")
        assert cursor.fetchone()[0] == 1


def test_errors_on_standard_input(monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(b'{"type": "quote"\n'), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    outcome = run_import(Path("-"))
    assert not outcome.ok
    assert outcome.error_lines == ["line 1: invalid JSON: Expecting ',' delimiter (column 17)"]
    assert "1 error in standard input: nothing was imported." in outcome.err


def test_imported_quotes_are_searchable_by_text_translation_and_speaker(path, client):
    assert run_import(path, ndjson(*VALID)).ok
    for query in ["集体惩罚", "punishment", "王毅"]:
        response = client.get("/api/v1/quotes/", {"q": query})
        assert [r["key"] for r in response.json()["results"]] == ["wang-yi-2023-10-14"], query
    translation = Translation.objects.get()
    changed = {
        **QUOTE,
        "translations": [{"language": "en", "text": "stop the blockade"}],
        **corrected(1),
    }
    assert run_import(path, ndjson(*VALID[:3], changed)).ok
    assert Translation.objects.get().pk == translation.pk
    assert client.get("/api/v1/quotes/", {"q": "punishment"}).json()["count"] == 0
    assert client.get("/api/v1/quotes/", {"q": "blockade"}).json()["count"] == 1


def test_an_editor_may_not_import_published_quotes(path):
    EditorFactory(username="editor-only")
    outcome = run_import(path, ndjson(*VALID), "--user", "editor-only")
    assert not outcome.ok
    assert "field status: only reviewers may import published quotes" in outcome.err
    assert not Quote.objects.exists()


# A new quote similar to one on record is refused, as on every path (quotes/similarity.py).

COPY = {
    **QUOTE,
    "key": "copy",
    "language": "en",
    "text": "Stop the collective punishment!",
    "translations": [],
}


def test_a_new_quote_similar_to_one_on_record_is_an_error_unless_allowed(path, imported):
    outcome = run_import(path, ndjson(SPEAKER, COPY))  # like the translation on record
    assert not outcome.ok
    [error] = outcome.error_lines
    assert error.startswith("line 2, field text: similar to quotes on record: wang-yi-2023-10-14")
    assert "same_speaker" in error
    assert not Quote.objects.filter(key="copy").exists()
    assert run_import(path, ndjson(SPEAKER, COPY), "--allow-similar").ok
    assert Quote.objects.filter(key="copy").exists()


def test_a_record_may_allow_its_similar_text(path, imported):
    outcome = run_import(path, ndjson(SPEAKER, {**COPY, "allow_similar": True}))
    assert outcome.ok, outcome.err
    assert Quote.objects.filter(key="copy").exists()
    again = run_import(path, ndjson(SPEAKER, {**COPY, "allow_similar": True}))
    assert "1 unchanged" in " ".join(again.out.split())  # the instruction is not stored


def test_the_quotes_of_one_file_and_unchanged_ones_are_not_compared(path):
    first = run_import(path, ndjson(*VALID, COPY))  # similar to each other, new together
    assert first.ok, first.err
    second = run_import(path, ndjson(*VALID, COPY))
    assert second.ok, second.err
    assert Quote.objects.count() == 2


def test_the_similar_check_is_one_query_per_batch(imported):
    from django.test.utils import CaptureQueriesContext

    texts = [f"A statement number {n} about something else entirely." for n in range(5)]
    records = [{**COPY, "key": f"new-{n}", "text": text} for n, text in enumerate(texts)]
    with CaptureQueriesContext(connection) as queries:
        report = importer.records_import(
            lines_or_stream=ndjson(SPEAKER, *records, COPY).splitlines(keepends=True),
            dry_run=False,
            user=SYSTEM,
            batch_size=2,
        )
    assert [(e.line, e.field) for e in report.errors] == [(7, "text")]
    checks = [q for q in queries.captured_queries if "onrecord_passages" in q["sql"]]
    assert len(checks) == 3  # six new quotes in batches of two


def test_fault_11_an_import_lists_a_bounded_number_of_errors_and_counts_the_rest(path, settings):
    settings.ONRECORD_IMPORT_MAX_ERRORS = 3
    outcome = run_import(path, "{not json\n" * 5)
    assert not outcome.ok
    assert len(outcome.error_lines) == 3
    assert "… and 2 more errors, not listed." in outcome.err
    assert "5 errors in" in outcome.err


def test_fault_11_the_similar_check_stops_once_the_import_is_refused_anyway(imported, settings):
    from django.test.utils import CaptureQueriesContext

    settings.ONRECORD_IMPORT_MAX_ERRORS = 2
    copies = [{**COPY, "key": f"copy-{n}"} for n in range(6)]
    with CaptureQueriesContext(connection) as queries:
        report = importer.records_import(
            lines_or_stream=ndjson(SPEAKER, *copies).splitlines(keepends=True),
            dry_run=False,
            user=SYSTEM,
            batch_size=2,
        )
    assert [(e.line, e.field) for e in report.errors] == [(2, "text"), (3, "text")]
    assert report.stopped_at == 3
    assert "the 4 lines after it were not checked" in report.error_summary()[-1]
    checks = [q for q in queries.captured_queries if "onrecord_passages" in q["sql"]]
    assert len(checks) == 1  # not one per batch of the six new quotes
    assert not Quote.objects.filter(key__startswith="copy").exists()


# The permanent identifier, the public dates, topics' names and verifications.

VERIFIED = {
    **QUOTE,
    "citations": [
        {
            "source": "mfa-2023-10-14",
            "excerpt": "collective punishment",
            "verified_at": "2024-02-01T09:30:00Z",
            "verified_by": "someone-elsewhere",
        }
    ],
}


def test_a_file_without_the_public_dates_moves_none_of_them(path, imported):
    before = Quote.objects.values("uid", "published_at", "corrected_at").get()
    outcome = run_import(path, ndjson(OTHER_ORGANIZATION, *VALID))
    assert outcome.ok, outcome.err
    assert "quotes 0 created 0 updated 1 unchanged" in counts_line(outcome, "quotes")
    assert Quote.objects.values("uid", "published_at", "corrected_at").get() == before


def test_given_public_dates_and_uid_are_kept(path):
    uid = "6f1c1d2e-0000-4000-8000-000000000001"
    dated = {
        **QUOTE,
        "uid": uid,
        "published_at": "2023-10-15T08:00:00Z",
        "status": "retracted",
        "retraction_reason": "Misattributed.",
        "retracted_at": "2024-03-01T12:00:00.5Z",
    }
    outcome = run_import(path, ndjson(*VALID[:-1], dated))
    assert outcome.ok, outcome.err
    quote = Quote.objects.get()
    assert str(quote.uid) == uid
    assert quote.published_at.isoformat() == "2023-10-15T08:00:00+00:00"
    assert quote.retracted_at.isoformat() == "2024-03-01T12:00:00.500000+00:00"


def test_another_uid_for_a_quote_on_record_is_refused(path, imported):
    other = {**QUOTE, "uid": "6f1c1d2e-0000-4000-8000-000000000002"}
    outcome = run_import(path, ndjson(*VALID[:-1], other))
    assert not outcome.ok
    assert 'field uid: the quote "wang-yi-2023-10-14" on record has the permanent' in outcome.err


def test_a_retraction_date_needs_a_retracted_quote(path):
    outcome = run_import(
        path, ndjson(*VALID[:-1], {**QUOTE, "retracted_at": "2024-03-01T12:00:00Z"})
    )
    assert "field retracted_at: only a retracted quote has a retraction date" in outcome.err


def test_a_topic_record_names_its_topic(path):
    topic = {"type": "topic", "key": "israel-hamas-war", "name": "Israel–Hamas war"}
    outcome = run_import(path, ndjson(*VALID[:-1], topic, {**QUOTE, "topics": [topic["key"]]}))
    assert outcome.ok, outcome.err
    assert Topic.objects.get().name == "Israel–Hamas war"
    assert counts_line(outcome, "topics") == "topics 1 created 0 updated 0 unchanged"
    renamed = run_import(path, ndjson({**topic, "name": "Israel–Hamas war (2023–)"}))
    assert renamed.ok, renamed.err
    assert Topic.objects.get().name == "Israel–Hamas war (2023–)"


def test_a_verifier_this_database_lacks_is_kept_by_name(path, api_client):
    outcome = run_import(path, ndjson(*VALID[:-1], VERIFIED))
    assert outcome.ok, outcome.err
    citation = Citation.objects.get()
    assert (citation.verified_by, citation.verified_by_name) == (None, "someone-elsewhere")
    assert citation.verified_at.isoformat() == "2024-02-01T09:30:00+00:00"
    shown = api_client.get(f"/api/v1/quotes/{QUOTE['key']}/").json()["citations"][0]
    assert (shown["verified"], shown["verified_by"]) == (True, "someone-elsewhere")


def test_a_known_verifier_is_linked_and_a_changed_excerpt_withdraws_it(path):
    reviewer = ReviewerFactory(username="someone-elsewhere")
    outcome = run_import(path, ndjson(*VALID[:-1], VERIFIED))
    assert outcome.ok, outcome.err
    assert Citation.objects.get().verified_by == reviewer
    changed = {**QUOTE, "citations": [{"source": "mfa-2023-10-14", "excerpt": "punishment"}]}
    outcome = run_import(path, ndjson(*VALID[:-1], {**changed, **corrected(1)}))
    assert outcome.ok, outcome.err
    citation = Citation.objects.get()
    assert (citation.verified_by, citation.verified_at, citation.verified_by_name) == (
        None,
        None,
        "",
    )


def test_only_reviewers_import_verifications(path):
    EditorFactory(username="editor-only")
    draft = {**VERIFIED, "status": "draft"}
    outcome = run_import(path, ndjson(*VALID[:-1], draft), "--user", "editor-only")
    assert "field citations[0].verified_at: only reviewers may import verified citations" in (
        outcome.err
    )
    lone = {**QUOTE, "citations": [{"source": "mfa-2023-10-14", "verified_by": "x"}]}
    outcome = run_import(path, ndjson(*VALID[:-1], lone))
    assert "field citations[0].verified_by: a verifier needs the date: add verified_at" in (
        outcome.err
    )


def test_a_renamed_speaker_without_a_note_is_refused_at_its_line(path, imported):
    outcome = run_import(path, ndjson(OTHER_ORGANIZATION, {**SPEAKER, "name": "WANG Yi"}))
    assert not outcome.ok
    assert "line 2, field correction_note: this change alters what 1 published quote(s)" in (
        outcome.err
    )
    assert QUOTE["key"] in outcome.err
    assert Speaker.objects.get().name == "Wang Yi"


def test_a_file_that_corrects_the_quotes_itself_needs_no_note(path, imported):
    """A file from another OnRecord, where the rename was made: its quotes carry the
    correction, which the import keeps and does not add again."""
    renamed = {**SPEAKER, "name": "WANG Yi"}
    outcome = run_import(path, ndjson(renamed, {**QUOTE, **corrected(1)}))
    assert outcome.ok, outcome.err
    assert Quote.objects.get().corrections == corrected(1)["corrections"]
    assert Speaker.objects.get().name == "WANG Yi"


def test_a_note_is_not_a_change_of_the_record(path, imported):
    outcome = run_import(path, ndjson({**SPEAKER, "correction_note": "Nothing changed."}))
    assert outcome.ok, outcome.err
    assert counts_line(outcome, "speakers") == "speakers 0 created 0 updated 1 unchanged"
    assert Quote.objects.get().corrections == []
