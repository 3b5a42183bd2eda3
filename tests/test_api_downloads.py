"""/api/v1/quotes/?format=csv and ?format=ndjson: every match of a search, streamed."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import downloads
from lineage.services import lineage_decide
from quotes.interchange.csv_export import HEADER
from quotes.models import Quote
from tests.factories import (
    AffiliationFactory,
    CitationFactory,
    QuoteFactory,
    SpeakerFactory,
    TopicFactory,
    TranslationFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/quotes/"


def download(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    assert response.streaming
    return response, b"".join(response.streaming_content)


def csv_rows(content: bytes) -> list[dict]:
    assert content.startswith(b"\xef\xbb\xbf")
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    header, *rows = list(reader)
    assert header == HEADER
    return [dict(zip(header, row, strict=False)) for row in rows]


def ndjson_lines(content: bytes) -> list[dict]:
    text = content.decode("utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def wang_yi_quote():
    speaker = SpeakerFactory(key="wang-yi", name="Wang Yi", country="CN")
    role = AffiliationFactory(
        speaker=speaker,
        organization__name="Ministry of Foreign Affairs",
        organization__country="CN",
        role="Minister of Foreign Affairs",
    )
    quote = QuoteFactory(
        key="wang-yi-2023-10-14",
        speaker=speaker,
        language="zh",
        kind=Quote.Kind.PARTIAL,
        text="停止对加沙民众的集体惩罚",
        context="A call with the Saudi foreign minister",
        role=role,
        role_resolution=Quote.RoleResolution.RESOLVED,
    )
    quote.topics.set([TopicFactory(name="Gaza"), TopicFactory(name="Ceasefire")])
    TranslationFactory(quote=quote, language="en", text="stop the collective punishment")
    TranslationFactory(quote=quote, language="fr", text="cesser la punition", official=True)
    CitationFactory(
        quote=quote,
        source__title="China and Russia on Gaza",
        source__publisher="Example News",
        source__url="https://news.example.org/gaza",
        excerpt="stop the “collective punishment”",
    )
    return quote


def test_csv_has_every_column_a_spreadsheet_user_needs(client, wang_yi_quote):
    response, content = download(client, format="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="onrecord-quotes-' in response["Content-Disposition"]
    assert response[downloads.TRUNCATED_HEADER] == "false"
    assert content.count(b"\r\n") == 2  # the header and the row, each ending in CR LF
    (row,) = csv_rows(content)
    assert row == {
        "key": "wang-yi-2023-10-14",
        "url": "http://testserver/quotes/wang-yi-2023-10-14/",
        "speaker": "Wang Yi",
        "speaker_key": "wang-yi",
        "role": "Minister of Foreign Affairs",
        "organization": "Ministry of Foreign Affairs",
        "country": "CN",
        "said": "2023-10-14",
        "language": "zh",
        "kind": "partial",
        "text": "停止对加沙民众的集体惩罚",
        "english_translation": "stop the collective punishment",
        "translations": "fr (official translation): cesser la punition\n\n"
        "en (OnRecord's translation): stop the collective punishment",
        "occasion": "",
        "occasion_key": "",
        "context": "A call with the Saudi foreign minister",
        "topics": "Ceasefire; Gaza",
        "source_title": "China and Russia on Gaza",
        "source_url": "https://news.example.org/gaza",
        "sources": "China and Russia on Gaza, Example News, 2023-10-20, "
        "https://news.example.org/gaza, not verified yet\n“stop the “collective punishment””",
        "status": "published",
        "retraction_reason": "",
        "corrections": "",
        "uid": str(wang_yi_quote.uid),
        "first_published": Quote.objects.get().published_at.isoformat(),
        "retraction_date": "",
        "also_attributed_to": "",
    }


def test_csv_defuses_cells_a_spreadsheet_would_run_as_formulas(client):
    QuoteFactory(text='=HYPERLINK("http://evil.example")', context="@SUM(A1)")
    (row,) = csv_rows(download(client, format="csv")[1])
    assert row["text"] == '\'=HYPERLINK("http://evil.example")'
    assert row["context"] == "'@SUM(A1)"


def test_ndjson_lines_are_the_json_results(client, wang_yi_quote):
    QuoteFactory(key="other", said="2022")
    listed = client.get(URL).json()["results"]
    response, content = download(client, format="ndjson")
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert ndjson_lines(content) == listed
    assert [line["key"] for line in listed] == ["wang-yi-2023-10-14", "other"]


def test_the_accept_header_chooses_a_download_too(client, wang_yi_quote):
    response = client.get(URL, HTTP_ACCEPT="text/csv")
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")


def test_downloads_take_the_lists_filters_search_and_order(client, wang_yi_quote):
    QuoteFactory(key="early", speaker=wang_yi_quote.speaker, said="2020-01-02")
    QuoteFactory(key="someone-else", said="2021")
    QuoteFactory(key="a-draft", speaker=wang_yi_quote.speaker, status=Quote.Status.DRAFT)
    params = {"speaker": "wang-yi", "ordering": "said"}
    expected = [item["key"] for item in client.get(URL, params).json()["results"]]
    assert expected == ["early", "wang-yi-2023-10-14"]
    assert [r["key"] for r in csv_rows(download(client, format="csv", **params)[1])] == expected
    lines = ndjson_lines(download(client, format="ndjson", **params)[1])
    assert [line["key"] for line in lines] == expected

    found = csv_rows(download(client, format="csv", q="collective punishment")[1])
    assert [row["key"] for row in found] == ["wang-yi-2023-10-14"]
    dated = csv_rows(download(client, format="csv", said_before="2021")[1])
    assert [row["key"] for row in dated] == ["someone-else", "early"]


def test_editors_download_what_they_may_see(editor_client, wang_yi_quote):
    QuoteFactory(key="a-draft", status=Quote.Status.DRAFT)
    rows = csv_rows(download(editor_client, format="csv", status="draft")[1])
    assert [(row["key"], row["status"]) for row in rows] == [("a-draft", "draft")]


def test_a_bad_filter_is_a_json_400_naming_it(client):
    response = client.get(URL, {"format": "csv", "said_after": "last week"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "said_after" in response.json()


def test_an_anonymous_client_cannot_download_drafts(client):
    QuoteFactory(status=Quote.Status.DRAFT)
    response = client.get(URL, {"format": "ndjson", "status": "draft"})
    assert response.status_code == 403
    assert "Only editors may filter on status draft" in response.json()["detail"]


def test_downloads_are_capped_and_say_so(client, settings):
    settings.ONRECORD_DOWNLOAD_MAX_ROWS = 3
    for number in range(5):
        QuoteFactory(key=f"q{number}", said=f"2023-10-1{number}")
    response, content = download(client, format="csv")
    assert response[downloads.TRUNCATED_HEADER] == "true"
    assert response[downloads.LIMIT_HEADER] == "3"
    *rows, notice = csv_rows(content)
    assert [row["key"] for row in rows] == ["q4", "q3", "q2"]
    assert notice["key"].startswith("# Truncated: the search matches more than 3 quotes")

    response, content = download(client, format="ndjson")
    assert response[downloads.TRUNCATED_HEADER] == "true"
    *lines, last = ndjson_lines(content)
    assert [line["key"] for line in lines] == ["q4", "q3", "q2"]
    assert last["truncated"] is True
    assert last["limit"] == 3
    assert "Narrow the search" in last["detail"]


def test_exactly_the_cap_is_not_truncated(client, settings):
    settings.ONRECORD_DOWNLOAD_MAX_ROWS = 2
    QuoteFactory.create_batch(2)
    response, content = download(client, format="ndjson")
    assert response[downloads.TRUNCATED_HEADER] == "false"
    assert len(ndjson_lines(content)) == 2


def queries_of_download(client, fmt: str) -> tuple[int, list[str]]:
    """The size of a download and the queries it made on the record's tables.

    The search index's own bookkeeping (a rebuild on first use, catching up with the
    writes since) varies with what happened before, so it is left out.
    """
    with CaptureQueriesContext(connection) as captured:
        _, content = download(client, format=fmt)
    queries = [query["sql"] for query in captured.captured_queries]
    return len(content), [sql for sql in queries if 'FROM "quotes_' in sql]


@pytest.mark.parametrize(
    ("fmt", "chunk_setting", "per_chunk"),
    [
        ("csv", "CSV_CHUNK_SIZE", "quotes_translation"),
        ("ndjson", "NDJSON_CHUNK_SIZE", "quotes_citation"),
    ],
)
def test_downloads_read_the_matches_a_chunk_at_a_time(
    client, monkeypatch, fmt, chunk_setting, per_chunk
):
    monkeypatch.setattr(downloads, chunk_setting, 4)
    for quote in QuoteFactory.create_batch(10):
        TranslationFactory(quote=quote, language="en")
        CitationFactory(quote=quote)
    size, queries = queries_of_download(client, fmt)
    # The index gives the ids; each chunk of 4 quotes then costs a constant number of
    # queries, whatever its size: 3 chunks for 10 quotes.
    chunk_queries = [sql for sql in queries if f'FROM "{per_chunk}"' in sql]
    assert len(chunk_queries) == 3

    for quote in QuoteFactory.create_batch(2):
        TranslationFactory(quote=quote, language="en")
    bigger_size, bigger_queries = queries_of_download(client, fmt)
    assert bigger_size > size
    assert len(bigger_queries) == len(queries)  # still 3 chunks: 12 quotes


def test_csv_lists_the_public_corrections(client, wang_yi_quote):
    Quote.objects.filter(pk=wang_yi_quote.pk).update(
        corrections=[
            {"date": "2023-10-20", "note": "The date was the 14th, not the 15th."},
            {"date": "2024-01-31", "note": "The context names the minister."},
        ]
    )
    (row,) = csv_rows(download(client, format="csv")[1])
    assert row["corrections"] == (
        "2023-10-20: The date was the 14th, not the 15th.\n"
        "2024-01-31: The context names the minister."
    )


def test_a_quote_unpublished_since_it_was_indexed_is_not_downloaded(
    client, settings, wang_yi_quote
):
    hidden = QuoteFactory(key="hidden")
    assert len(csv_rows(download(client, format="csv")[1])) == 2  # both indexed as published
    settings.SEARCH_SYNC = False  # the index lags behind the change below
    Quote.objects.filter(pk=hidden.pk).update(status=Quote.Status.DRAFT)
    keys = [row["key"] for row in csv_rows(download(client, format="csv")[1])]
    assert "hidden" not in keys
    lines = ndjson_lines(download(client, format="ndjson")[1])
    assert "hidden" not in [line["key"] for line in lines]


def table_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_issue17_defect_11_formula_guard_false_gives_the_values_as_they_are(client):
    QuoteFactory(key="formula", text="=Die Hamas…", context="'quoted with an apostrophe")
    (guarded,) = csv_rows(download(client, format="csv")[1])
    assert guarded["text"] == "'=Die Hamas…"
    _response, content = download(client, format="csv", formula_guard="false")
    (plain,) = csv_rows(content)
    assert plain["text"] == "=Die Hamas…"
    assert plain["context"] == "'quoted with an apostrophe"
    (explicit,) = csv_rows(download(client, format="csv", formula_guard="true")[1])
    assert explicit == guarded


@pytest.mark.parametrize("params", [{"formula_guard": "no"}, {"table": "speakers"}])
@pytest.mark.parametrize("format_", ["csv", "json", "ndjson"])
def test_a_bad_download_parameter_is_a_400_naming_it(client, params, format_):
    response = client.get(URL, {"format": format_, **params})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == set(params)


def test_issue17_defect_11_tables_give_multi_valued_data_a_row_per_value(client, wang_yi_quote):
    CitationFactory(
        quote=wang_yi_quote,
        source__key="second",
        source__title="Second, with a comma",
        excerpt="line one\nline two; and more",
    )
    response, content = download(client, format="csv", table="translations")
    assert "quotes-translations" in response["Content-Disposition"]
    translations = table_rows(content)
    assert [(t["language"], t["official"], t["label"]) for t in translations] == [
        ("fr", "true", "official translation"),
        ("en", "false", "OnRecord's translation"),
    ]
    assert {t["quote_key"] for t in translations} == {"wang-yi-2023-10-14"}
    assert translations[0]["text"] == "cesser la punition"
    citations = table_rows(download(client, format="csv", table="citations")[1])
    assert [(c["position"], c["source_title"]) for c in citations] == [
        ("1", "China and Russia on Gaza"),
        ("2", "Second, with a comma"),
    ]
    assert citations[1]["excerpt"] == "line one\nline two; and more"
    assert citations[1]["source_key"] == "second"
    assert {c["verified"] for c in citations} == {"false"}
    topics = table_rows(download(client, format="csv", table="topics")[1])
    assert sorted(t["topic_name"] for t in topics) == ["Ceasefire", "Gaza"]
    quotes = table_rows(download(client, format="csv", table="quotes")[1])
    assert [q["key"] for q in quotes] == [c["quote_key"] for c in citations][:1]


def test_the_corrections_table_has_a_row_per_correction(client, wang_yi_quote):
    wang_yi_quote.corrections = [
        {"date": "2024-01-31", "note": "Date fixed."},
        {"date": "2024-02-02", "note": "Speaker, role: fixed."},
    ]
    wang_yi_quote.save()
    rows = table_rows(download(client, format="csv", table="corrections")[1])
    assert [(r["date"], r["note"]) for r in rows] == [
        ("2024-01-31", "Date fixed."),
        ("2024-02-02", "Speaker, role: fixed."),
    ]


def test_the_attributions_table_has_a_row_per_confirmed_other_speaker(
    client, wang_yi_quote, reviewer
):
    other = QuoteFactory(
        key="said-by-another",
        speaker__key="somebody-else",
        speaker__name="Somebody Else",
        said="2023-10-15",
        text="Stop the collective punishment.",
    )
    lineage_decide(quote=wang_yi_quote, other=other, verdict="confirmed", user=reviewer)
    rows = table_rows(download(client, format="csv", table="attributions")[1])
    assert sorted(rows, key=lambda row: row["quote_key"]) == [
        {
            "quote_key": "said-by-another",
            "other_key": "wang-yi-2023-10-14",
            "other_speaker_key": "wang-yi",
            "other_speaker": "Wang Yi",
            "other_said": "2023-10-14",
        },
        {
            "quote_key": "wang-yi-2023-10-14",
            "other_key": "said-by-another",
            "other_speaker_key": "somebody-else",
            "other_speaker": "Somebody Else",
            "other_said": "2023-10-15",
        },
    ]
    quotes = {row["key"]: row for row in csv_rows(download(client, format="csv")[1])}
    assert quotes["wang-yi-2023-10-14"]["also_attributed_to"] == (
        "Somebody Else (said-by-another, 2023-10-15)"
    )


def test_issue17_defect_11_ndjson_of_a_search_keeps_rank_and_highlight(client, wang_yi_quote):
    QuoteFactory(key="other", text="Something else about punishment entirely.")
    params = {"q": "collective punishment"}
    listed = client.get(URL, params).json()["results"]
    assert listed[0]["rank"] is not None
    assert "<mark>" in listed[0]["highlight"]
    lines = ndjson_lines(download(client, format="ndjson", **params)[1])
    assert lines == listed
    dated = ndjson_lines(download(client, format="ndjson", ordering="-said", **params)[1])
    assert {line["rank"] for line in dated} == {None}
    assert all("<mark>" in line["highlight"] for line in dated)
