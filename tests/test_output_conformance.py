"""The output conformance matrix: each public fact of a statement, told the same way by every
output (docs/architecture.md, "What readers see").

Each output is an adapter: it fetches the output as a reader or a client would, through its
public interface, and returns what the output says about one statement (``Shown``). Each
test states one fact and is parametrized over ``OUTPUTS``: a new output joins by adding its
adapter there.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape

import feedparser
import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from dumps import services as dump_services
from quotes import services
from quotes.models import Quote
from tests.factories import (
    OccasionFactory,
    QuoteFactory,
    SpeakerFactory,
    TranslationFactory,
    quote_with_related,
)

pytestmark = pytest.mark.django_db

MARKER = "zorblatic"  # a word no other statement says, to find the statement by search


@dataclass(frozen=True)
class Shown:
    """What an output says about a statement: whether it shows it, everything it says about
    it as plain text (an HTML page's text, a JSON record, a CSV row…), and the identifier it
    gives it, if it gives one."""

    present: bool
    text: str = ""
    identifier: str | None = None


Adapter = Callable[[Quote], Shown]


def reader() -> Client:
    return Client()


def page_text(html: str) -> str:
    """A page's text as a reader reads it: without tags, scripts or markup."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def found_result(html: str, quote: Quote) -> tuple[str, str | None] | None:
    """The search result of ``quote`` on a listing page, as HTML, and the permanent
    identifier it gives."""
    for found in re.finditer(r'<li class="result"(?: data-identifier="([^"]*)")?>', html):
        result = html[found.end() :].split('<li class="result"')[0].split("</ol>")[0]
        if f'href="/quotes/{quote.key}/"' in result:
            return result, found.group(1)
    return None


def listing(url: str, quote: Quote, **params) -> Shown:
    """A listing page (search, a speaker's page): the statement's result, whether it is
    among the published ones or among the retracted ones the page offers as a filter."""
    for status in ("", "retracted"):
        response = reader().get(url, {**params, **({"status": status} if status else {})})
        if response.status_code != 200:
            return Shown(False)
        found = found_result(response.content.decode(), quote)
        if found is not None:
            return Shown(True, page_text(found[0]), found[1])
    return Shown(False, page_text(response.content.decode()))


def statement_page(quote: Quote) -> Shown:
    response = reader().get(f"/quotes/{quote.key}/")
    if response.status_code != 200:
        return Shown(False)
    html = response.content.decode()
    found = re.search(r'<input id="identifier"[^>]* value="([^"]+)"', html)
    return Shown(True, page_text(html), found.group(1) if found else None)


def search_page(quote: Quote) -> Shown:
    return listing("/", quote, q=MARKER)


def speaker_page(quote: Quote) -> Shown:
    return listing(f"/speakers/{quote.speaker.key}/", quote)


def json_text(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)


def api_detail(quote: Quote) -> Shown:
    response = APIClient().get(f"/api/v1/quotes/{quote.key}/")
    if response.status_code != 200:
        return Shown(False)
    record = response.json()
    return Shown(True, json_text(record), record["uid"])


def api_records(params: dict) -> list[dict]:
    records = []
    for status in ("", "retracted"):
        query = {**params, **({"status": status} if status else {})}
        response = APIClient().get("/api/v1/quotes/", query)
        assert response.status_code == 200, response.content
        records += response.json()["results"]
    return records


def api_list(quote: Quote) -> Shown:
    return record_among(api_records({"q": MARKER}), quote, "uid")


def record_among(records: list[dict], quote: Quote, id_field: str) -> Shown:
    for record in records:
        if record.get("key") == quote.key:
            return Shown(True, json_text(record), record.get(id_field))
    return Shown(False, json_text(records))


def download(fmt: str, quote: Quote) -> list[str]:
    texts = []
    for status in ("", "retracted"):
        query = {"q": MARKER, "format": fmt, **({"status": status} if status else {})}
        response = APIClient().get("/api/v1/quotes/", query)
        assert response.status_code == 200, response.content
        texts.append(b"".join(response.streaming_content).decode("utf-8-sig"))
    return texts


def ndjson_download(quote: Quote) -> Shown:
    records = [
        json.loads(line)
        for text in download("ndjson", quote)
        for line in text.splitlines()
        if line.strip()
    ]
    return record_among(records, quote, "uid")


def csv_download(quote: Quote) -> Shown:
    rows = [row for text in download("csv", quote) for row in csv.DictReader(io.StringIO(text))]
    for row in rows:
        if row.get("key") == quote.key:
            return Shown(True, " | ".join(f"{k}: {v}" for k, v in row.items()), row.get("uid"))
    return Shown(False, json_text(rows))


def atom_feed(quote: Quote) -> Shown:
    """The search's Atom feed, read as feed readers read it (feedparser)."""
    response = reader().get("/feeds/quotes.atom", {"q": MARKER})
    assert response.status_code == 200, response.content
    feed = feedparser.parse(response.content)
    for entry in feed.entries:
        if entry.link.endswith(f"/quotes/{quote.key}/"):
            summary = page_text(entry.get("summary", ""))
            return Shown(True, f"{entry.title} {summary}", entry.id)
    return Shown(False, page_text(response.content.decode()))


def json_ld(quote: Quote) -> Shown:
    """The statement page's JSON-LD, as a crawler reads it."""
    response = reader().get(f"/quotes/{quote.key}/")
    if response.status_code != 200:
        return Shown(False)
    found = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    data = json.loads(found.group(1))
    return Shown(True, json_text(data), data.get("identifier") or data.get("@id"))


def popolo_export(quote: Quote) -> Shown:
    response = APIClient().get("/api/v1/popolo.json")
    assert response.status_code == 200
    document = json.loads(b"".join(response.streaming_content))
    for speech in document.get("speeches", []):
        if speech.get("key") == quote.key:
            return Shown(True, json_text(speech), speech["id"])
    return Shown(False, json_text(document))


def export_file(quote: Quote) -> Shown:
    """The interchange export (``export_records``): the records as another database
    receives them."""
    out = io.StringIO()
    call_command("export_records", stdout=out)
    records = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    return interchange_statement(records, quote)


def interchange_statement(records: list[dict], quote: Quote) -> Shown:
    """A statement in the interchange format: its record, and each decision on it with the
    records it leads to (the other statement's, its speaker's), as the format refers to
    records by key."""
    by_key = {(r["type"], r.get("key")): r for r in records}
    record = by_key.get(("quote", quote.key))
    if record is None:
        return Shown(False, json_text(records))
    told = [record]
    for decision in records:
        if decision["type"] == "decision" and quote.key in decision["quotes"]:
            other = by_key[("quote", next(k for k in decision["quotes"] if k != quote.key))]
            told += [decision, other, by_key[("speaker", other["speaker"])]]
    return Shown(True, json_text(told), record.get("uid"))


def public_dump() -> dict:
    """A fresh public dump (dumps/), as its readers download it."""
    shutil.rmtree(dump_services.dumps_dir(), ignore_errors=True)
    return dump_services.dump_create()


def dump_text(manifest: dict, kind: dump_services.DumpFile) -> str:
    version = manifest["version"]
    response = Client().get(f"/dumps/{version}/{kind.name(version)}")
    assert response.status_code == 200
    return gzip.decompress(b"".join(response.streaming_content)).decode("utf-8-sig")


def ndjson_dump(quote: Quote) -> Shown:
    text = dump_text(public_dump(), dump_services.NDJSON)
    return interchange_statement([json.loads(line) for line in text.splitlines()], quote)


def csv_dump(quote: Quote) -> Shown:
    text = dump_text(public_dump(), dump_services.CSV)
    for row in csv.DictReader(io.StringIO(text, newline="")):
        if row["key"] == quote.key:
            return Shown(True, " | ".join(f"{k}: {v}" for k, v in row.items()), row["uid"])
    return Shown(False, text)


def popolo_dump(quote: Quote) -> Shown:
    document = json.loads(dump_text(public_dump(), dump_services.POPOLO))
    for speech in document["speeches"]:
        if speech["key"] == quote.key:
            return Shown(True, json_text(speech), speech["id"])
    return Shown(False, json_text(document))


OUTPUTS: dict[str, Adapter] = {
    "statement page": statement_page,
    "search page": search_page,
    "speaker page": speaker_page,
    "API detail": api_detail,
    "API list": api_list,
    "NDJSON download": ndjson_download,
    "CSV download": csv_download,
    "Atom feed": atom_feed,
    "JSON-LD": json_ld,
    "Popolo export": popolo_export,
    "interchange export file": export_file,
    "NDJSON public dump": ndjson_dump,
    "CSV public dump": csv_dump,
    "Popolo public dump": popolo_dump,
}
# The interchange export is the whole database for another OnRecord database (editors'
# backups and moves, docs/interchange.md): drafts and their speakers are in it by design,
# and a translation is stated by its ``official`` flag, from which outputs label it.
WHOLE_DATABASE = ("interchange export file",)
# The public dump's NDJSON is the interchange format too: a translation's ``official`` flag.
OFFICIAL_FLAG = (*WHOLE_DATABASE, "NDJSON public dump")


def published(**kwargs) -> Quote:
    kwargs.setdefault("text", f"We {MARKER} the talks, said the minister.")
    return quote_with_related(translations=(), **kwargs)


def date_forms(date: datetime.date) -> tuple[str, ...]:
    """How outputs write a date: ISO 8601, or as readers read it."""
    return (date.isoformat(), f"{date.day} {date:%B %Y}")


def outputs(*, without: tuple[str, ...] = ()):
    """Every output, but those ``without`` (outputs that do not state the fact yet)."""
    return pytest.mark.parametrize("output", [name for name in OUTPUTS if name not in without])


@outputs(without=WHOLE_DATABASE)
def test_a_draft_is_not_shown(output):
    published()  # something to find beside it
    draft = published(status=Quote.Status.DRAFT, text=f"A draft, {MARKER} unreviewed.")
    shown = OUTPUTS[output](draft)
    assert not shown.present
    assert "unreviewed" not in shown.text


@outputs()
def test_a_retraction_is_shown_with_its_reason(output, reviewer):
    quote = published()
    reason = "Misattributed: the spokesperson said it, not the minister."
    services.quote_retract(quote=quote, reason=reason, user=reviewer)
    shown = OUTPUTS[output](quote)
    assert shown.present
    assert "retracted" in shown.text.lower()
    assert reason in shown.text


@outputs()
def test_each_correction_is_listed_with_its_date(output, reviewer):
    quote = published()
    notes = ["The first word was misheard.", "The date was a day early."]
    for number, note in enumerate(notes, start=1):
        services.quote_update(
            quote=quote,
            user=reviewer,
            changes={"text": f"We {MARKER} the talks, said the minister ({number})."},
            correction_note=note,
        )
    shown = OUTPUTS[output](quote)
    assert shown.present
    today = datetime.date.today()
    for note in notes:
        assert re.search(
            "("
            + "|".join(map(re.escape, date_forms(today)))
            + r")(\W|note|text)*"
            + re.escape(note),
            shown.text,
        ), shown.text


@outputs(without=OFFICIAL_FLAG)
def test_a_translation_is_labelled_and_the_original_shown(output):
    original = "停止对加沙民众的集体惩罚。"
    quote = published(language="zh", text=original)
    translation = f"Stop the {MARKER} collective punishment of the people of Gaza."
    TranslationFactory(quote=quote, language="en", text=translation, official=False)
    shown = OUTPUTS[output](quote)
    assert shown.present
    assert original in shown.text
    assert translation in shown.text
    assert shown.text.index(original) < shown.text.index(translation)
    assert "OnRecord's translation" in shown.text


@outputs(without=WHOLE_DATABASE)
def test_a_speaker_without_published_statements_is_not_shown(output):
    published()
    speaker = SpeakerFactory(name="Unreviewed Zorblatovich")
    draft = QuoteFactory(
        speaker=speaker, status=Quote.Status.DRAFT, text=f"Words, {MARKER}, unreviewed."
    )
    shown = OUTPUTS[output](draft)
    assert not shown.present
    assert speaker.name not in shown.text


@outputs()
def test_the_permanent_id_is_stable_across_a_key_rename(output, reviewer):
    quote = published()
    before = OUTPUTS[output](quote)
    services.quote_update(
        quote=quote, user=reviewer, changes={"key": "renamed-statement"}, correction_note=""
    )
    quote.refresh_from_db()
    after = OUTPUTS[output](quote)
    assert after.present
    assert after.identifier is not None
    assert after.identifier == before.identifier
    assert str(quote.uid) in after.identifier


# The formats of records for programs name the occasion by key, as they name the speaker,
# and define it in a record of its own: the interchange format (the export file and the
# public dump's NDJSON) in an occasion record, Popolo in an event.
OCCASION_BY_KEY = {
    "interchange export file": "occasion",
    "NDJSON public dump": "occasion",
    "Popolo export": "event_id",
    "Popolo public dump": "event_id",
}


@outputs()
def test_the_occasion_is_shown(output):
    occasion = OccasionFactory(name="Telephone conversation with Prince Faisal bin Farhan")
    quote = published(occasion=occasion)
    shown = OUTPUTS[output](quote)
    assert shown.present
    if output in OCCASION_BY_KEY:
        assert f'"{OCCASION_BY_KEY[output]}": "{occasion.key}"' in shown.text
    else:
        assert occasion.name in shown.text


# Statements a reviewer confirmed as the same claim under another speaker's name (lineage/):
# every output that renders a statement for readers and clients tells it (the CSV in a
# column of its own, and its attributions table; the interchange format in a decision
# record naming both statements by key).
# Pages link the other statement; records for programs name its key.
LINKED_PAGES = ("statement page", "search page", "speaker page", "Atom feed")


@outputs()
def test_another_attribution_a_reviewer_confirmed_is_shown(output, reviewer):
    from lineage.services import lineage_decide

    quote = published()
    elsewhere = published(
        speaker=SpeakerFactory(name="Somebody Else Entirely"),
        text=f"We {MARKER} the talks, said somebody else.",
    )
    before = OUTPUTS[output](quote)
    assert before.present
    assert "Somebody Else Entirely" not in before.text
    lineage_decide(quote=quote, other=elsewhere, verdict="confirmed", user=reviewer)
    shown = OUTPUTS[output](quote)
    assert "Somebody Else Entirely" in shown.text
    if output not in LINKED_PAGES:
        assert elsewhere.key in shown.text
