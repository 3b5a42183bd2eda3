"""Export, import into an empty database, export again: the same bytes."""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator

from lineage.models import Decision
from lineage.services import lineage_decide, lineage_decision_import
from quotes import services
from quotes.demo import __file__ as demo_package
from quotes.interchange.exporter import export_lines
from quotes.interchange.schema import interchange_schema
from quotes.models import (
    Affiliation,
    Citation,
    KeyRedirect,
    Occasion,
    OccasionAccount,
    OccasionParticipant,
    Organization,
    Quote,
    Source,
    Speaker,
    SpeakerName,
    Topic,
    Translation,
)
from tests.factories import SYSTEM, ReviewerFactory
from tests.interchange_support import empty_database, export_text, run_import, snapshot

pytestmark = pytest.mark.django_db

TRICKY_TEXT = (
    'Tab\there, "quotes", back\\slash, line\nbreak, CR\r\n, \u2028separator, 🕊️, مرحبا, 停火'
)


def schema_validator() -> Draft202012Validator:
    return Draft202012Validator(interchange_schema())


def organization(key, name, kind, **fields) -> Organization:
    return Organization.objects.create(key=key, name=name, kind=kind, **fields)


def build_full_dataset() -> None:
    """Every field of every record filled, in every variety the format allows."""
    un = organization("un", "United Nations", "intergovernmental", wikidata="Q1065")
    council = organization(
        "zz-state-council",
        "State Council",
        "government",
        country="CN",
        aliases=["国务院", "Central People's Government"],
        wikidata="Q1058",
        url="https://english.www.gov.cn/",
    )
    mfa = organization("prc-mfa", "Ministry of Foreign Affairs", "ministry", country="CN")
    mfa.parent = council
    mfa.save()
    office = organization("aa-spokesperson-office", "Spokesperson's Office", "ministry")
    office.parent = mfa
    office.save()
    kinds = [k for k in Organization.Kind.values if k not in {"intergovernmental", "ministry"}]
    for index, kind in enumerate(kinds):
        organization(f"org-{kind}", f"Organization {index}", kind, country="FR")

    wang = Speaker.objects.create(
        key="wang-yi",
        name="Wang Yi",
        country="CN",
        wikidata="Q360089",
        description=TRICKY_TEXT,
    )
    for name, language in [("王毅", "zh"), ("Wáng Yì", "zh-Latn"), ("Wang Yi", "")]:
        SpeakerName.objects.create(speaker=wang, name=name, language=language)
    first_term = Affiliation.objects.create(
        speaker=wang, organization=mfa, role="Minister", start="2013-03-16", end="2022-12-30"
    )
    Affiliation.objects.create(speaker=wang, organization=mfa, role="Minister", start="2023-07-25")
    Affiliation.objects.create(
        speaker=wang, organization=council, role="State Councilor", start="2018-03", end="2023-03"
    )
    Affiliation.objects.create(
        speaker=wang, organization=un, role="Delegate", start="1990", end="1991"
    )
    ma = Speaker.objects.create(key="ma-xiaolin", name="Ma Xiaolin")
    academy = Organization.objects.get(key="org-academic")
    undated = Affiliation.objects.create(speaker=ma, organization=academy, role="Professor")
    Affiliation.objects.create(speaker=ma, organization=academy, role="Professor", start="2030")
    plain = Speaker.objects.create(key="a-plain-speaker", name="Plain")

    sources = [
        Source.objects.create(
            key=f"source-{kind}",
            kind=kind,
            title=f"Report “{kind}”, {index}",
            url=f"https://news.example.org/{kind}?a=1&b=ü",
            publisher="Example News",
            published=["2023", "2023-10", "2023-10-20"][index % 3],
            language=["en", "pt-BR", "zh-Hant"][index % 3],
            author="Ann Author",
            archive_url=f"https://archive.example.org/{kind}",
            full_text=TRICKY_TEXT,
        )
        for index, kind in enumerate(Source.Kind.values)
    ]
    bare_source = Source.objects.create(key="0-bare-source", title="Only a title")
    topics = [
        Topic.objects.create(key=key, name=key.title()) for key in ("gaza", "ceasefire", "un")
    ]

    occasions = build_occasions(wang, ma, mfa)  # after the sources: its accounts are some
    statuses = list(Quote.Status.values)
    dates = ["2023-10-14", "2023-10", "2023", None, "1990-06", "2020"]
    for index in range(12):
        speaker = [wang, ma, plain][index % 3]
        status = statuses[index % 4]
        quote = Quote(
            key=f"quote-{index:02d}",
            speaker=speaker,
            text=f"{TRICKY_TEXT} #{index}",
            language=["zh", "en", "pt-BR"][index % 3],
            kind=Quote.Kind.values[index % 3],
            said=dates[index % len(dates)],
            context=f"Press conference {index}" if index % 2 else "",
            occasion=occasions[index % 4],
            status=status,
            retraction_reason="Misattributed." if status == "retracted" else "",
        )
        chosen = {0: first_term, 1: undated}.get(index)
        if chosen is not None:
            quote.role, quote.role_resolution = chosen, Quote.RoleResolution.EXPLICIT
            quote.save()
        else:
            services.quote_save(quote=quote, user=SYSTEM)
        quote.topics.set(topics[: index % 4])
        for language, official in [("en", True), ("fr", False), ("pt-BR", False)][: index % 4]:
            Translation.objects.create(
                quote=quote,
                language=language,
                text=f"{TRICKY_TEXT} ({language})",
                official=official,
            )
        # Cited in an order that is not the sources' key order: the first source comes first.
        # A published quote has a cited excerpt, as publishing requires.
        published = status == "published"
        for source in [sources[index % 7], bare_source][: max(index % 3, published)]:
            # An excerpt the full text has (straight or curly quotes alike), as citing requires.
            excerpt = "“quotes”" if published or not index % 5 else ""
            Citation.objects.create(quote=quote, source=source, excerpt=excerpt)
    build_decisions()


def build_decisions() -> None:
    """Reviewers' decisions of both verdicts: with and without a note, by a user of this
    database and by one only named (a decision imported from another database)."""
    reviewer = ReviewerFactory(username="home-reviewer")
    quotes = {quote.key: quote for quote in Quote.objects.all()}
    lineage_decide(
        quote=quotes["quote-07"],
        other=quotes["quote-01"],
        verdict="confirmed",
        note=f"The same words. {TRICKY_TEXT}",
        user=reviewer,
    )
    lineage_decide(
        quote=quotes["quote-02"], other=quotes["quote-10"], verdict="dismissed", user=reviewer
    )
    lineage_decision_import(
        quote=quotes["quote-00"],
        other=quotes["quote-04"],
        verdict="confirmed",
        note="",
        decided_by="visiting-reviewer",
        decided_at=datetime.datetime(2023, 10, 21, 8, 30, 0, 123456, tzinfo=datetime.UTC),
        user=SYSTEM,
    )


def build_occasions(wang: Speaker, ma: Speaker, mfa: Organization) -> list:
    """Occasions of every kind; one inside another whose key sorts after it (the export
    puts the parent first), participants for an organization, a country or neither, an old
    key; and no occasion (None)."""
    summit = Occasion.objects.create(
        key="z-summit",
        name=f"Summit {TRICKY_TEXT}",
        kind="summit",
        start="2023-10",
        end="2023-11",
        place="Cairo",
        country="EG",
    )
    meeting = Occasion.objects.create(
        key="a-meeting", name="Bilateral meeting", kind="meeting", start="2023-10-21", parent=summit
    )
    OccasionParticipant.objects.create(occasion=meeting, speaker=wang, organization=mfa)
    OccasionParticipant.objects.create(occasion=meeting, speaker=ma, country="CN")
    OccasionParticipant.objects.create(occasion=summit, speaker=ma)
    KeyRedirect.objects.create(kind="occasion", old_key="old-summit", occasion=summit)
    readout, report = Source.objects.order_by("key")[:2]
    OccasionAccount.objects.create(occasion=meeting, source=report, organization=mfa)
    OccasionAccount.objects.create(
        occasion=meeting, source=readout, kind="press_report", country="EG"
    )
    others = [
        Occasion.objects.create(key=f"occasion-{kind}", name=f"Occasion {kind}", kind=kind)
        for kind in Occasion.Kind.values
        if kind not in ("summit", "meeting")
    ]
    return [summit, meeting, others[0], None]


def role_states() -> dict:
    return {
        quote.key: (
            quote.role_resolution,
            quote.role and (quote.role.organization.key, quote.role.role, str(quote.role.start)),
        )
        for quote in Quote.objects.select_related("role__organization")
    }


def assert_round_trip(tmp_path) -> str:
    first = export_text()
    roles = role_states()
    counts = snapshot()
    empty_database()
    path = tmp_path / "dump.ndjson"
    path.write_text(first, encoding="utf-8")
    outcome = run_import(path)
    assert outcome.ok, outcome.err
    assert export_text() == first
    assert role_states() == roles
    assert snapshot() == counts
    return first


def test_demo_round_trip_is_byte_identical(tmp_path):
    call_command("load_demo")
    first = assert_round_trip(tmp_path)
    assert first.count("\n") == 20
    kinds = [json.loads(line)["type"] for line in first.splitlines()]
    assert kinds == (
        ["organization"] * 5
        + ["speaker"] * 4
        + ["source"] * 3  # the article, and the two accounts of the call
        + ["topic"] * 4
        + ["occasion"]
        + ["quote"] * 3
    )


def test_full_data_set_round_trip_is_byte_identical(tmp_path):
    build_full_dataset()
    first = assert_round_trip(tmp_path)
    for text in ("\\u2028", "🕊️", "停火"):
        assert text in first
    records = [json.loads(line) for line in first.splitlines()]
    explicit = [r for r in records if r["type"] == "quote" and "role" in r]
    assert [r["role"] for r in explicit] == [
        {"organization": "prc-mfa", "role": "Minister", "start": "2013-03-16"},
        {"organization": "org-academic", "role": "Professor"},
    ]
    assert {r["status"] for r in records if r["type"] == "quote"} == set(Quote.Status.values)
    decisions = [r for r in records if r["type"] == "decision"]
    assert records[-len(decisions) :] == decisions  # after the quotes
    assert [(r["quotes"], r["verdict"], r.get("decided_by")) for r in decisions] == [
        (["quote-00", "quote-04"], "confirmed", "visiting-reviewer"),
        (["quote-01", "quote-07"], "confirmed", "home-reviewer"),
        (["quote-02", "quote-10"], "dismissed", "home-reviewer"),
    ]
    assert decisions[0]["decided_at"] == "2023-10-21T08:30:00.123456Z"
    assert decisions[1]["note"].startswith("The same words.")
    kept = Decision.objects.get(decided_by_name="visiting-reviewer")
    assert kept.decided_by is None
    assert Decision.objects.get(note__startswith="The same").decided_by.username == "home-reviewer"


def test_reimporting_an_export_changes_nothing(tmp_path):
    build_full_dataset()
    first = export_text()
    path = tmp_path / "dump.ndjson"
    path.write_text(first, encoding="utf-8")
    before = snapshot()
    outcome = run_import(path)
    assert outcome.ok, outcome.err
    kinds = ("organizations", "speakers", "sources", "topics", "occasions", "quotes", "decisions")
    for kind in kinds:
        line = next(line for line in outcome.out.splitlines() if line.startswith(kind))
        assert " 0 created" in line
        assert " 0 updated" in line
    assert snapshot() == before
    assert export_text() == first


def test_small_batches_and_chunks_give_the_same_result(tmp_path):
    build_full_dataset()
    first = "".join(export_lines())
    assert "".join(export_lines(chunk_size=3)) == first
    empty_database()
    report = services.records_import(lines_or_stream=io.StringIO(first), dry_run=False, user=SYSTEM)
    assert report.ok
    assert "".join(export_lines()) == first
    empty_database()
    from quotes.interchange.importer import records_import

    report = records_import(
        lines_or_stream=first.splitlines(), dry_run=False, batch_size=2, user=SYSTEM
    )
    assert report.ok, report.errors
    assert "".join(export_lines()) == first


def test_export_puts_records_after_those_they_refer_to():
    build_full_dataset()
    defined = set()
    for line in export_text().splitlines():
        record = json.loads(line)
        references = [record.get("parent"), record.get("speaker"), record.get("occasion")]
        references += [p["speaker"] for p in record.get("participants", [])]
        references += [p.get("organization") for p in record.get("participants", [])]
        references += [a["organization"] for a in record.get("affiliations", [])]
        references += [c["source"] for c in record.get("citations", [])]
        references += [record["role"]["organization"]] if "role" in record else []
        references += record.get("quotes", [])  # a decision's
        assert all(ref is None or ref in defined for ref in references), record
        defined.add(record.get("key"))


def test_export_of_one_type(tmp_path):
    build_full_dataset()
    lines = export_text("--type", "source").splitlines()
    assert len(lines) == Source.objects.count()
    assert {json.loads(line)["type"] for line in lines} == {"source"}
    assert [json.loads(line)["key"] for line in lines] == sorted(
        Source.objects.values_list("key", flat=True)
    )
    target = tmp_path / "sources.ndjson"
    call_command("export_records", "--type", "source", str(target))
    assert target.read_text(encoding="utf-8").splitlines() == lines


def test_the_schema_accepts_the_demo_file_and_every_exported_line(tmp_path):
    validator = schema_validator()
    Draft202012Validator.check_schema(interchange_schema())
    demo = Path(demo_package).parent / "demo.ndjson"
    records = [json.loads(line) for line in demo.read_text(encoding="utf-8").splitlines()]
    for record in records:
        assert not list(validator.iter_errors(record)), record
    build_full_dataset()
    # The demo's records change some of the dataset's, and so what its published quotes
    # show: a public correction, with a note (an occasion corrects no quote: it takes none).
    note = {"correction_note": "Corrected from the demo records."}
    noted = [{**r, **note} if r["type"] not in ("quote", "occasion") else r for r in records]
    outcome = run_import(tmp_path / "demo.ndjson", "".join(json.dumps(r) + "\n" for r in noted))
    assert outcome.ok, outcome.err
    exported = export_text().splitlines()
    assert len(exported) > 40
    for line in exported:
        assert not list(validator.iter_errors(json.loads(line))), line


def test_the_schema_rejects_what_the_importer_rejects():
    validator = schema_validator()
    quote = {"type": "quote", "key": "q", "speaker": "s", "text": "t", "language": "en"}
    assert not list(validator.iter_errors(quote))
    for bad in (
        {**quote, "type": "person"},
        {**quote, "said": "2023-13-45"},
        {**quote, "language": "e n"},
        {**quote, "unknown": 1},
        {name: value for name, value in quote.items() if name != "text"},
    ):
        assert list(validator.iter_errors(bad)), bad


# serialized_rollback: the transactional tests after it find the migrated data, and none
# recreated by the flush at its end.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_exports_outside_a_transaction_read_one_snapshot():
    call_command("load_demo")
    assert (
        export_text().count("\n") == 20
    )  # the demo: its records, their other names and affiliations
    out = io.StringIO()
    call_command("export_quotes_csv", stdout=out)
    assert out.getvalue().count("\r\n") == 4


def public_facts() -> dict:
    """What readers and editors see of each statement besides its text, by key."""
    quotes = Quote.objects.prefetch_related("topics", "citations__source", "citations__verified_by")
    return {
        quote.key: {
            "uid": quote.uid,
            "published_at": quote.published_at,
            "corrected_at": quote.corrected_at,
            "retracted_at": quote.retracted_at,
            "corrections": quote.corrections,
            "topics": sorted((topic.key, topic.name) for topic in quote.topics.all()),
            "verifications": [
                (c.source.key, c.verifier_name, c.verified_at) for c in quote.citations.all()
            ],
        }
        for quote in quotes
    }


def test_issue17_defect_13_the_round_trip_keeps_what_readers_and_editors_see(tmp_path):
    build_full_dataset()
    known = services.user_make_editor(username="home-reviewer", reviewer=True)
    visiting = services.user_make_editor(username="visiting-reviewer", reviewer=True)
    Topic.objects.filter(key="gaza").update(name="Israel–Hamas war")
    cited = Citation.objects.filter(quote__status="published").exclude(excerpt="").order_by("pk")
    first_citation, second_citation = cited[:2]
    first_citation = services.citation_verify(citation=first_citation, user=known)
    second_citation = services.citation_verify(citation=second_citation, user=visiting)
    corrected = first_citation.quote
    services.quote_update(
        quote=corrected, user=known, changes={"said": "2023-10-15"}, correction_note="Date."
    )
    before = public_facts()
    assert before[corrected.key]["corrected_at"] is not None
    retracted = [key for key, facts in before.items() if facts["retracted_at"]]
    assert retracted
    first = export_text()
    empty_database()
    visiting.delete()  # the target database has no such user
    path = tmp_path / "dump.ndjson"
    path.write_text(first, encoding="utf-8")
    outcome = run_import(path)
    assert outcome.ok, outcome.err
    after = public_facts()
    assert after == before
    assert Topic.objects.get(key="gaza").name == "Israel–Hamas war"
    assert any(("gaza", "Israel–Hamas war") in facts["topics"] for facts in after.values())
    verifiers = {v[1] for facts in after.values() for v in facts["verifications"]}
    assert {"home-reviewer", "visiting-reviewer"} <= verifiers
    kept = Citation.objects.get(verified_by_name="visiting-reviewer")
    assert kept.verified_by is None
    assert kept.verified_at == second_citation.verified_at
    assert export_text() == first
