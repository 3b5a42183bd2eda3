"""import_records refuses bad input with every error, its line and field, and writes nothing."""

import json
from pathlib import Path

import pytest

from quotes.interchange.reader import MAX_LINE_BYTES
from quotes.models import Quote, Speaker
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

UNKNOWN_WANG_YI = (
    'line 4, field speaker: unknown speaker "wang-yi": not defined on an earlier line or stored'
)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "records.ndjson"


def assert_refused(path, content, *expected: str) -> None:
    """The import fails, prints exactly the ``expected`` errors and writes nothing."""
    before = snapshot()
    outcome = run_import(path, content)
    assert not outcome.ok
    assert outcome.error_lines == list(expected)
    assert "nothing was imported" in outcome.err
    assert snapshot() == before


def with_line(index: int, record_or_text) -> str:
    """The valid file with line ``index`` (0-based) replaced."""
    lines = ndjson(*VALID).splitlines(keepends=True)
    text = record_or_text if isinstance(record_or_text, str) else ndjson(record_or_text)
    lines[index] = text
    return "".join(lines)


def test_a_valid_file_imports_and_reports_counts(path):
    outcome = run_import(path, ndjson(*VALID))
    assert outcome.ok, outcome.err
    assert "organizations         1 created        0 updated        0 unchanged" in outcome.out
    assert "quotes                1 created        0 updated        0 unchanged" in outcome.out
    assert "Imported 4 lines." in outcome.out
    quote = Quote.objects.get(key="wang-yi-2023-10-14")
    assert quote.role.role == "Minister of Foreign Affairs"
    assert quote.role_resolution == Quote.RoleResolution.RESOLVED
    assert quote.translations.get().language == "en"


def test_invalid_json(path):
    assert_refused(
        path,
        with_line(3, '{"type": "quote", "key": "x" "speaker": "wang-yi"}\n'),
        "line 4: invalid JSON: Expecting ',' delimiter (column 30)",
    )


def test_unknown_type(path):
    assert_refused(
        path,
        with_line(1, {**SPEAKER, "type": "person"}),
        'line 2, field type: unknown type "person"; '
        "expected organization, speaker, source, topic, occasion, quote or decision",
        UNKNOWN_WANG_YI,
    )


def test_missing_required_field(path):
    record = {name: value for name, value in QUOTE.items() if name != "text"}
    assert_refused(path, with_line(3, record), "line 4, field text: missing required field")


def test_missing_type(path):
    record = {name: value for name, value in SOURCE.items() if name != "type"}
    assert_refused(
        path,
        with_line(2, record),
        "line 3, field type: missing required field",
        'line 4, field citations[0].source: unknown source "mfa-2023-10-14": '
        "not defined on an earlier line or stored",
    )


@pytest.mark.parametrize(
    ("said", "message"),
    [
        ("2023-13-45", '"2023-13-45": month 13 does not exist'),
        ("2023-02-30", '"2023-02-30": day 30 does not exist in 2023-02'),
        ("23-10", '"23-10" is not a date: use YYYY, YYYY-MM or YYYY-MM-DD'),
        ("14 October 2023", '"14 October 2023" is not a date: use YYYY, YYYY-MM or YYYY-MM-DD'),
    ],
)
def test_bad_date(path, said, message):
    assert_refused(path, with_line(3, {**QUOTE, "said": said}), f"line 4, field said: {message}")


def test_bad_date_in_a_nested_field(path):
    affiliations = [{"organization": "prc-mfa", "role": "Minister", "end": "2022-00"}]
    assert_refused(
        path,
        with_line(1, {**SPEAKER, "affiliations": affiliations}),
        'line 2, field affiliations[0].end: "2022-00": month 0 does not exist',
    )


def test_unknown_reference(path):
    assert_refused(
        path,
        with_line(3, {**QUOTE, "speaker": "wang-yu"}),
        UNKNOWN_WANG_YI.replace("wang-yi", "wang-yu"),
    )


def test_reference_to_a_later_line(path):
    content = ndjson(ORGANIZATION, SOURCE, QUOTE, SPEAKER)
    assert_refused(
        path,
        content,
        'line 3, field speaker: speaker "wang-yi" is defined on line 4, after this line; '
        "records must come after the records they refer to",
    )


def test_reference_to_a_stored_record(path):
    assert run_import(path, ndjson(ORGANIZATION, SPEAKER, SOURCE)).ok
    outcome = run_import(path, ndjson(QUOTE))
    assert outcome.ok, outcome.err
    assert Quote.objects.get().speaker.key == "wang-yi"


def test_same_key_twice_with_different_content(path):
    content = ndjson(*VALID, {**SOURCE, "title": "Another title"})
    assert_refused(
        path,
        content,
        'line 5, field key: source "mfa-2023-10-14" is already defined on line 3 '
        "with different content",
    )


def test_same_key_twice_with_the_same_content_is_imported_once(path):
    outcome = run_import(path, ndjson(*VALID, SOURCE))
    assert outcome.ok, outcome.err
    assert "sources               1 created        0 updated        0 unchanged" in outcome.out


@pytest.mark.parametrize("tag", ["english", "e n", "zz-ZZZZZZZZZ", "x-klingon"])
def test_malformed_language_tag(path, tag):
    assert_refused(
        path,
        with_line(3, {**QUOTE, "language": tag}),
        f'line 4, field language: "{tag}" is not a BCP 47 language tag such as en, zh or pt-BR',
    )


def test_unknown_language_in_a_well_formed_tag(path):
    translations = [{"language": "qq", "text": "…"}]
    assert_refused(
        path,
        with_line(3, {**QUOTE, "translations": translations}),
        'line 4, field translations[0].language: "qq" is not a BCP 47 language tag such as '
        "en, zh or pt-BR",
    )


def test_line_over_the_limit(path):
    long_quote = {**QUOTE, "text": "x" * MAX_LINE_BYTES}
    assert_refused(
        path,
        ndjson(ORGANIZATION, SPEAKER, SOURCE, long_quote, {**QUOTE, "key": "another"}),
        f"line 4: line longer than {MAX_LINE_BYTES} bytes; split the record",
    )


def test_a_line_of_exactly_the_limit_is_accepted(path, monkeypatch):
    # The longest valid quote is far shorter than the limit (quotes/limits.py): lower it.
    monkeypatch.setattr("quotes.interchange.reader.MAX_LINE_BYTES", 40_000)
    record = {**QUOTE, "text": ""}
    record["text"] = "x" * (40_000 - len(json.dumps(record)))
    line = json.dumps(record)
    assert len(line.encode()) == 40_000
    outcome = run_import(path, ndjson(ORGANIZATION, SPEAKER, SOURCE) + line + "\n")
    assert outcome.ok, outcome.err
    assert len(Quote.objects.get().text) == len(record["text"])


def test_utf8_byte_order_mark(path):
    assert_refused(
        path,
        b"\xef\xbb\xbf" + ndjson(*VALID).encode(),
        "line 1: the file starts with a UTF-8 byte order mark (BOM); save it as UTF-8 without BOM",
    )


def test_windows_line_endings(path):
    assert_refused(
        path,
        ndjson(*VALID).replace("\n", "\r\n").encode(),
        "line 1: Windows line ending (CR LF) on 4 line(s), the first one here; "
        "save the file with Unix line endings (LF)",
    )


def test_windows_line_endings_do_not_hide_other_errors(path):
    content = with_line(3, {**QUOTE, "said": "2023-13-45"}).replace("\n", "\r\n")
    assert_refused(
        path,
        content.encode(),
        "line 1: Windows line ending (CR LF) on 4 line(s), the first one here; "
        "save the file with Unix line endings (LF)",
        'line 4, field said: "2023-13-45": month 13 does not exist',
    )


def test_empty_file(path):
    assert_refused(path, b"", "line 1: the file is empty: expected one JSON record per line")


def test_empty_line(path):
    assert_refused(
        path,
        ndjson(ORGANIZATION, SPEAKER) + "\n" + ndjson(SOURCE, QUOTE),
        "line 3: empty line: every line must hold one JSON object",
    )


def test_non_utf8_file(path):
    content = ndjson(*VALID).encode("utf-8")
    latin1 = ndjson({**SPEAKER, "name": "Wáng Yì", "names": []}).encode("latin-1")
    lines = content.splitlines(keepends=True)
    lines[1] = latin1
    assert_refused(
        path,
        b"".join(lines),
        "line 2: not valid UTF-8 (byte 0xe1 at position 49); the file must be encoded in UTF-8",
        UNKNOWN_WANG_YI,
    )


def test_unknown_field(path):
    assert_refused(
        path,
        with_line(3, {**QUOTE, "speeker": "wang-yi"}),
        "line 4, field speeker: unknown field; expected type, key, speaker, text, language, "
        "kind, said, occasion, context, topics, translations, citations, status, "
        "retraction_reason, role, corrections, uid, published_at, corrected_at, retracted_at, "
        "old_keys, allow_similar",
    )


def test_a_field_twice_in_one_object(path):
    assert_refused(
        path,
        with_line(2, '{"type": "source", "key": "a", "key": "b", "title": "T"}\n'),
        'line 3: invalid JSON: the field "key" appears twice in one object',
        'line 4, field citations[0].source: unknown source "mfa-2023-10-14": '
        "not defined on an earlier line or stored",
    )


def test_not_an_object(path):
    assert_refused(path, with_line(2, "[1, 2]\n") + "", *_not_object_errors())


def _not_object_errors():
    return [
        "line 3: expected a JSON object, got an array",
        'line 4, field citations[0].source: unknown source "mfa-2023-10-14": '
        "not defined on an earlier line or stored",
    ]


def test_wrong_value_types_and_enumerations(path):
    assert_refused(
        path,
        with_line(3, {**QUOTE, "kind": "verbatim", "topics": "gaza", "status": 1}),
        'line 4, field kind: "verbatim" is not one of: direct, partial, indirect',
        "line 4, field status: 1 is not one of: draft, review, published, retracted",
        "line 4, field topics: expected an array, got a string",
    )


def test_country_code_and_wikidata_id(path):
    assert_refused(
        path,
        with_line(0, {**ORGANIZATION, "country": "XX", "wikidata": "42"}),
        'line 1, field country: "XX" is not an ISO 3166-1 alpha-2 country code',
        'line 1, field wikidata: "42" is not a Wikidata item id such as Q42',
    )


def test_country_code_shape(path):
    assert_refused(
        path,
        with_line(0, {**ORGANIZATION, "country": "China"}),
        'line 1, field country: "China" is not an ISO 3166-1 alpha-2 country code such as CN or US',
    )


def test_bad_key_and_url(path):
    assert_refused(
        path,
        with_line(2, {**SOURCE, "key": "mfa 2023", "url": "www.mfa.gov.cn"}),
        'line 3, field key: "mfa 2023" is not a key: '
        "use only letters, digits, hyphens, underscores and dots",
        'line 3, field url: "www.mfa.gov.cn" is not an absolute URL such as https://…',
        'line 4, field citations[0].source: unknown source "mfa-2023-10-14": '
        "not defined on an earlier line or stored",
    )


def test_a_url_already_used_by_another_source(path):
    other = {**SOURCE, "key": "another-source"}
    assert_refused(
        path,
        ndjson(*VALID, other),
        'line 5, field url: "https://www.mfa.gov.cn/eng/2023-10-14" is already the url of '
        'source "mfa-2023-10-14" (line 3)',
    )
    assert run_import(path, ndjson(SOURCE)).ok
    assert_refused(
        path,
        ndjson(other),
        'line 1, field url: "https://www.mfa.gov.cn/eng/2023-10-14" is already the url of '
        'source "mfa-2023-10-14"',
    )


def test_affiliation_ending_before_it_starts(path):
    affiliations = [
        {"organization": "prc-mfa", "role": "Minister", "start": "1993-05", "end": "1993-04"}
    ]
    assert_refused(
        path,
        with_line(1, {**SPEAKER, "affiliations": affiliations}),
        'line 2, field affiliations[0].end: "1993-04" is before the start "1993-05"',
    )


def test_duplicates_inside_a_record(path):
    quote = {
        **QUOTE,
        "translations": [{"language": "en", "text": "a"}, {"language": "EN", "text": "b"}],
        "citations": [{"source": "mfa-2023-10-14"}, {"source": "mfa-2023-10-14"}],
        "status": "draft",
    }
    assert_refused(
        path,
        with_line(3, quote),
        'line 4, field citations[1].source: source "mfa-2023-10-14" is cited twice',
        'line 4, field translations[1].language: a second "en" translation',
    )


def test_retracted_quote_needs_a_reason(path):
    assert_refused(
        path,
        with_line(3, {**QUOTE, "status": "retracted"}),
        "line 4, field retraction_reason: a retracted quote needs the reason for its retraction",
    )


def test_a_published_quote_needs_a_cited_excerpt(path):
    uncited = {**QUOTE, "status": "published", "citations": []}
    blank = {
        **QUOTE,
        "status": "published",
        "citations": [{"source": "mfa-2023-10-14", "excerpt": " "}],
    }
    message = "field citations: a published quote needs at least one citation with an excerpt"
    assert_refused(path, with_line(3, uncited), f"line 4, {message}")
    assert_refused(path, with_line(3, blank), f"line 4, {message}")
    assert run_import(path, with_line(3, {**QUOTE, "status": "draft", "citations": []})).ok


def test_organization_cycles(path):
    parent = {**ORGANIZATION, "key": "state-council", "name": "State Council"}
    child = {**ORGANIZATION, "parent": "state-council"}
    assert run_import(path, ndjson(parent, child)).ok
    assert_refused(
        path,
        ndjson({**parent, "parent": "prc-mfa"}),
        "line 1, field parent: an organization cannot be its own ancestor: "
        "state-council → prc-mfa → state-council",
    )
    assert_refused(
        path,
        ndjson({**ORGANIZATION, "parent": "prc-mfa"}),
        "line 1, field parent: an organization cannot be its own parent",
    )


def test_every_error_of_a_file_is_reported(path):
    content = ndjson(
        {**ORGANIZATION, "kind": "embassy"},
        {**SPEAKER, "affiliations": [{"organization": "prc-mfa"}]},
        {**SOURCE, "published": "2023-10-32"},
        {**QUOTE, "said": "2023-13-45", "language": "chinese"},
    )
    assert_refused(
        path,
        content,
        'line 1, field kind: "embassy" is not one of: government, ministry, '
        "head_of_state_office, intergovernmental, party, military, academic, media, ngo, other",
        "line 2, field affiliations[0].role: missing required field",
        'line 3, field published: "2023-10-32": day 32 does not exist in 2023-10',
        'line 4, field language: "chinese" is not a BCP 47 language tag such as en, zh or pt-BR',
        'line 4, field said: "2023-13-45": month 13 does not exist',
    )


def test_a_bad_line_after_good_ones_leaves_stored_records_untouched(path):
    assert run_import(path, ndjson(*VALID)).ok
    renamed = {**SPEAKER, "name": "Wang Yi (renamed)"}
    before = snapshot()
    outcome = run_import(path, ndjson(renamed, {**QUOTE, "said": "2023-13-45"}))
    assert not outcome.ok
    assert snapshot() == before
    assert Speaker.objects.get().name == "Wang Yi"


def test_an_ambiguous_explicit_role_rolls_back_what_was_written(path):
    twice = {
        **SPEAKER,
        "affiliations": [
            {"organization": "prc-mfa", "role": "Minister", "start": "2013", "end": "2018"},
            {"organization": "prc-mfa", "role": "Minister", "start": "2016"},
        ],
    }
    quote = {**QUOTE, "said": "2017", "role": {"organization": "prc-mfa", "role": "Minister"}}
    assert_refused(
        path,
        ndjson(ORGANIZATION, twice, SOURCE, quote),
        'line 4, field role: the speaker held "Minister" at "prc-mfa" 2 times; '
        'add "start" to say which',
    )


def test_missing_file():
    outcome = run_import(Path("/nonexistent/records.ndjson"))
    assert not outcome.ok
    assert "Cannot read /nonexistent/records.ndjson: No such file or directory" in outcome.err
