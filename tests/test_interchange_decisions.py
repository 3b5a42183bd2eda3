"""Reviewers' lineage decisions in the interchange format: imported through
``lineage.services``, with every error named by its line, and exported after the quotes."""

import pytest

from lineage.models import Decision
from lineage.services import lineage_decide
from quotes.models import Quote
from tests.factories import EditorFactory, ReviewerFactory
from tests.interchange_support import QUOTE, VALID, export_text, ndjson, run_import, snapshot

pytestmark = pytest.mark.django_db

OTHER = {
    **QUOTE,
    "key": "someone-else-2023-10-15",
    "text": "完全不同的一句话",
    "translations": [],
    "citations": [{"source": "mfa-2023-10-14", "excerpt": "collective punishment"}],
}
DECISION = {
    "type": "decision",
    "quotes": ["someone-else-2023-10-15", "wang-yi-2023-10-14"],
    "verdict": "confirmed",
    "note": "The same claim, relayed.",
    "decided_at": "2023-10-16T09:00:00Z",
    "decided_by": "reviewer-abroad",
}


@pytest.fixture
def path(tmp_path):
    return tmp_path / "records.ndjson"


def assert_refused(path, content: str, *expected: str) -> None:
    before = snapshot()
    outcome = run_import(path, content)
    assert not outcome.ok
    assert outcome.error_lines == list(expected)
    assert snapshot() == before


def test_a_decision_is_imported_with_its_reviewer_and_moment(path):
    ReviewerFactory(username="reviewer-abroad")
    outcome = run_import(path, ndjson(*VALID, OTHER, DECISION))
    assert outcome.ok, outcome.err
    assert "decisions             1 created        0 updated        0 unchanged" in outcome.out
    decision = Decision.objects.get()
    assert (decision.verdict, decision.note) == ("confirmed", "The same claim, relayed.")
    assert decision.decided_by.username == "reviewer-abroad"
    assert decision.decided_at.isoformat() == "2023-10-16T09:00:00+00:00"
    assert decision.first_id < decision.second_id


def test_a_reviewer_this_database_lacks_is_kept_by_name(path):
    assert run_import(path, ndjson(*VALID, OTHER, DECISION)).ok
    decision = Decision.objects.get()
    assert decision.decided_by is None
    assert decision.reviewer_name == "reviewer-abroad"
    assert '"decided_by": "reviewer-abroad"' in export_text()


def test_a_decision_on_quotes_on_record_and_a_changed_verdict(path):
    assert run_import(path, ndjson(*VALID, OTHER, DECISION)).ok
    dismissed = {**DECISION, "quotes": DECISION["quotes"][::-1], "verdict": "dismissed"}
    outcome = run_import(path, ndjson(dismissed))
    assert outcome.ok, outcome.err
    assert "decisions             0 created        1 updated        0 unchanged" in outcome.out
    assert Decision.objects.get().verdict == "dismissed"
    again = run_import(path, ndjson(dismissed))
    assert "decisions             0 created        0 updated        1 unchanged" in again.out


def test_a_decision_on_unknown_or_later_quotes(path):
    unknown = {**DECISION, "quotes": ["wang-yi-2023-10-14", "nowhere"]}
    assert_refused(
        path,
        ndjson(*VALID, unknown),
        'line 5, field quotes[1]: unknown quote "nowhere": '
        "not defined on an earlier line or stored",
    )
    assert_refused(
        path,
        ndjson(*VALID, DECISION, OTHER),
        'line 5, field quotes[0]: quote "someone-else-2023-10-15" is defined on line 6, '
        "after this line; records must come after the records they refer to",
    )


def test_a_decision_on_one_quote_twice(path):
    twice = {**DECISION, "quotes": ["wang-yi-2023-10-14", "wang-yi-2023-10-14"]}
    assert_refused(
        path,
        ndjson(*VALID, twice),
        'line 5, field quotes: "wang-yi-2023-10-14" twice: a statement is not compared with itself',
    )


def test_two_decisions_on_one_pair(path):
    same = {**DECISION, "quotes": DECISION["quotes"][::-1]}
    outcome = run_import(path, ndjson(*VALID, OTHER, DECISION, same))
    assert outcome.ok, outcome.err
    assert Decision.objects.count() == 1
    Decision.objects.all().delete()
    dismissed = {**same, "verdict": "dismissed"}
    assert_refused(
        path,
        ndjson(*VALID, OTHER, DECISION, dismissed),
        "line 7, field quotes: line 6 decides on the same two quotes differently: "
        "one decision a pair",
    )


def test_a_decision_breaking_the_schema(path):
    bad = {**DECISION, "verdict": "maybe", "decided_at": "2023-02-30T09:00:00Z"}
    del bad["quotes"]
    assert_refused(
        path,
        ndjson(*VALID, OTHER, bad),
        "line 6, field quotes: missing required field",
        'line 6, field verdict: "maybe" is not one of: confirmed, dismissed',
    )
    impossible = {**DECISION, "decided_at": "2023-02-30T09:00:00Z"}
    assert_refused(
        path,
        ndjson(*VALID, OTHER, impossible),
        'line 6, field decided_at: "2023-02-30T09:00:00Z" is not a moment that exists',
    )


def test_only_a_reviewer_imports_decisions(path):
    EditorFactory(username="editor-only")
    assert run_import(path, ndjson(*VALID[:3])).ok
    draft = {**QUOTE, "status": "draft"}
    other = {**OTHER, "status": "draft"}
    outcome = run_import(path, ndjson(draft, other, DECISION), "--user", "editor-only")
    assert not outcome.ok
    assert "line 3, field verdict: only reviewers may import lineage decisions" in outcome.err
    assert not Decision.objects.exists()


def test_decisions_are_exported_after_the_quotes_by_their_pair(path, reviewer):
    assert run_import(path, ndjson(*VALID, OTHER)).ok
    third = {**OTHER, "key": "a-third", "speaker": "wang-yi", "text": "第三句话"}
    assert run_import(path, ndjson(third)).ok
    quotes = {quote.key: quote for quote in Quote.objects.all()}
    lineage_decide(
        quote=quotes["wang-yi-2023-10-14"],
        other=quotes["a-third"],
        verdict="dismissed",
        user=reviewer,
    )
    lineage_decide(
        quote=quotes["someone-else-2023-10-15"],
        other=quotes["a-third"],
        verdict="confirmed",
        user=reviewer,
    )
    lines = export_text().splitlines()
    assert [line.split('"quotes": ')[1].split("]")[0] for line in lines[-2:]] == [
        '["a-third", "someone-else-2023-10-15"',
        '["a-third", "wang-yi-2023-10-14"',
    ]
    assert '"type": "quote"' in lines[-3]
    assert f'"decided_by": "{reviewer.username}"' in lines[-1]
