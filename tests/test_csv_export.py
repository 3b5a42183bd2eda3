"""export_quotes_csv: one row per quote that spreadsheet programs read correctly."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import call_command

from quotes.interchange.csv_export import HEADER
from quotes.models import Quote
from tests.factories import (
    AffiliationFactory,
    CitationFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    TranslationFactory,
)

pytestmark = pytest.mark.django_db

AWKWARD = 'He said, "No, never."\nThen, after a pause: “never”; 停火'


def export_rows(tmp_path, *options: str) -> tuple[bytes, list[list[str]]]:
    target = tmp_path / "quotes.csv"
    call_command("export_quotes_csv", str(target), *options)
    content = target.read_bytes()
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    return content, rows


def test_rows_survive_commas_quotes_and_newlines(tmp_path):
    speaker = SpeakerFactory(name="Wang Yi", country="CN")
    role = AffiliationFactory(
        speaker=speaker,
        organization__name="Ministry, Foreign Affairs",
        organization__country="CN",
        role="Minister",
        start="2013",
    )
    quote = QuoteFactory(key="q1", speaker=speaker, text=AWKWARD, language="zh", said="2023-10")
    quote.role, quote.role_resolution = role, "resolved"
    quote.save()
    TranslationFactory(quote=quote, language="fr", text="Non.")
    TranslationFactory(quote=quote, language="en", text='"No", he said,\r\nfirmly.')
    first = SourceFactory(title='Report, "quoted"', url="https://example.org/a?b=1,2")
    CitationFactory(quote=quote, source=first)
    second = SourceFactory(title="Second source")
    CitationFactory(quote=quote, source=second)

    content, rows = export_rows(tmp_path, "--site-url", "https://onrecord.example/")
    assert content.startswith(b"\xef\xbb\xbfkey,url,speaker,")
    assert b"\r\n" in content
    assert rows[0] == HEADER
    row = dict(zip(HEADER, rows[1], strict=True))
    assert row == {
        "key": "q1",
        "url": "https://onrecord.example/quotes/q1/",
        "speaker": "Wang Yi",
        "speaker_key": speaker.key,
        "role": "Minister",
        "organization": "Ministry, Foreign Affairs",
        "country": "CN",
        "said": "2023-10",
        "language": "zh",
        "kind": "direct",
        "text": AWKWARD,
        "english_translation": '"No", he said,\r\nfirmly.',
        "translations": 'en (OnRecord\'s translation): "No", he said,\r\nfirmly.\n\n'
        "fr (OnRecord's translation): Non.",
        "occasion": "",
        "occasion_key": "",
        "context": quote.context,
        "topics": "",
        "source_title": 'Report, "quoted"',
        "source_url": "https://example.org/a?b=1,2",
        "sources": f'Report, "quoted", Example News, 2023-10-20, https://example.org/a?b=1,2, '
        f"not verified yet\n“{AWKWARD}”\n\n"
        f"Second source, Example News, 2023-10-20, {second.url}, not verified yet\n“{AWKWARD}”",
        "status": "published",
        "retraction_reason": "",
        "corrections": "",
        "uid": str(quote.uid),
        "first_published": Quote.objects.get().published_at.isoformat(),
        "retraction_date": "",
        "also_attributed_to": "",
    }


def test_a_retracted_quote_has_its_reason_and_date(tmp_path):
    QuoteFactory(key="gone", status=Quote.Status.RETRACTED, retraction_reason="Misattributed.")
    _, rows = export_rows(tmp_path)
    row = dict(zip(HEADER, rows[1], strict=True))
    retracted = Quote.objects.get()
    assert (row["status"], row["retraction_reason"]) == ("retracted", "Misattributed.")
    assert row["retraction_date"] == retracted.retracted_at.date().isoformat()
    assert row["first_published"] == retracted.published_at.isoformat()


def test_a_quote_without_role_translation_or_source(tmp_path):
    QuoteFactory(key="bare", speaker=SpeakerFactory(name="Ma", country="RU"), said=None)
    _, rows = export_rows(tmp_path)
    row = dict(zip(HEADER, rows[1], strict=True))
    assert row["text"].startswith("Statement number")
    assert row["url"] == "http://127.0.0.1:8000/quotes/bare/"  # ONRECORD_SITE_URL's default
    empty = ["role", "organization", "said", "english_translation", "translations", "topics"]
    empty += ["source_title", "source_url", "sources", "retraction_reason", "corrections"]
    assert {name: row[name] for name in empty} == dict.fromkeys(empty, "")
    assert (row["speaker"], row["country"], row["status"]) == ("Ma", "RU", "published")


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(tmp_path):
    QuoteFactory(key="formula", text='=HYPERLINK("http://evil.example")')
    _, rows = export_rows(tmp_path)
    assert rows[1][HEADER.index("text")] == '\'=HYPERLINK("http://evil.example")'


def test_rows_in_key_order_on_standard_output():
    for key in ("b-quote", "a-quote", "C-quote"):
        QuoteFactory(key=key)
    out = StringIO()
    call_command("export_quotes_csv", stdout=out)
    assert out.getvalue().startswith("\ufeffkey,")
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["C-quote", "a-quote", "b-quote"]
