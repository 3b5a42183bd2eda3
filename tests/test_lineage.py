"""Statements connected by meaning (issue 20): the similar-text check on every write path
finds a translation not on record and a paraphrase, the same words under another name at
any date, and no misattribution for a shared phrase; the embedder, the vector index, the
lineage endpoint and page, and reviewers' decisions.

The texts are real published ones from the labelled set tests/data/lineage/pairs.jsonl
(each with its address there)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from quotes import services
from quotes.exceptions import SimilarQuotesFound
from quotes.models import Quote, Speaker
from tests.admin_forms import admin_form_data
from tests.conftest import token_client
from tests.factories import EditorFactory, QuoteFactory, SpeakerFactory

PAIRS = Path(__file__).parent / "data" / "lineage" / "pairs.jsonl"
PATHS = ["api", "admin", "import", "service"]
QUOTES = "/api/v1/quotes/"


@functools.cache
def published_text(key: str) -> str:
    """A text of the labelled set by its key (docs/lineage.md gives its address)."""
    for line in PAIRS.read_text().splitlines():
        pair = json.loads(line)
        for side in (pair["a"], pair["b"]):
            if side["key"] == key:
                return side["text"]
    raise KeyError(key)


def similar_on_path(path: str, *, speaker: str, text: str, language: str, said: str):
    """Write a new quote on ``path``; what it reports as similar: (key, relation, match,
    language) items (API, service), the page or the import's message (admin, import); or
    None when the quote was written."""
    editor = EditorFactory()
    payload = {"speaker": speaker, "text": text, "language": language, "said": said}
    who = Speaker.objects.get(key=speaker)
    if path == "api":
        response = token_client(editor).post(QUOTES, payload, format="json")
        if response.status_code == 201:
            return None
        assert response.status_code == 409, response.content
        return [
            (s["key"], s["relation"], s["match"], s["language"]) for s in response.json()["similar"]
        ]
    if path == "admin":
        client = Client()
        client.force_login(editor)
        url = reverse("admin:quotes_quote_add")
        fields = {**payload, "speaker": who.pk}
        response = client.post(url, admin_form_data(client.get(url), **fields))
        return None if response.status_code == 302 else response.content.decode()
    if path == "import":
        line = json.dumps({"type": "quote", "key": "new-one", **payload}) + "\n"
        report = services.records_import(lines_or_stream=[line], dry_run=False, user=editor)
        return None if report.ok else " ".join(error.message for error in report.errors)
    try:
        services.quote_create(user=editor, fields={**payload, "speaker": who})
    except SimilarQuotesFound as found:
        return [(s.quote.key, s.relation, s.match, s.language) for s in found.similar]
    return None


def reported(found, key: str, relation: str, match: str, language: str) -> bool:
    """Whether a path's answer reports ``key`` with this relation and match."""
    if found is None:
        return False
    if isinstance(found, list):
        return (key, relation, match, language) in found
    if "Possible duplicates" in found or "similar-list" in found:  # the admin's page
        marker = "possible misattribution" if relation == "other_speaker" else "same speaker"
        meant = f"by meaning ({language})" in found if match == "meaning" else True
        return f">{key}<" in found and marker in found and meant
    return f"{key} (" in found and f"{relation}, {match})" in found


@pytest.fixture
def churchill(db, embed_all):
    """Churchill's "Never in the field of human conflict…" on record in English, embedded."""
    speaker = SpeakerFactory(key="winston-churchill", name="Winston Churchill")
    quote = QuoteFactory(
        key="never-so-few",
        speaker=speaker,
        text=published_text("c_few_en"),
        language="en",
        said="1940-08-20",
    )
    embed_all()
    return quote


@pytest.mark.parametrize("path", PATHS)
def test_a_translation_not_on_record_is_found_by_meaning(churchill, path):
    found = similar_on_path(
        path,
        speaker="winston-churchill",
        text=published_text("c_few_fr"),
        language="fr",
        said="1940-08-20",
    )
    assert reported(found, "never-so-few", "same_speaker", "meaning", "en"), found
    assert Quote.objects.count() == 1


@pytest.mark.parametrize("path", PATHS)
def test_the_same_words_under_another_name_are_reported_at_any_date(churchill, path):
    SpeakerFactory(key="someone-else", name="Someone Else")
    found = similar_on_path(
        path, speaker="someone-else", text=churchill.text, language="en", said="1962"
    )
    assert reported(found, "never-so-few", "other_speaker", "meaning", "en"), found
    assert Quote.objects.count() == 1


@pytest.mark.parametrize("path", PATHS)
def test_a_shared_phrase_is_not_a_misattribution(db, embed_all, path):
    # Two passages of one speech: they share "We shall fight on the" (pg_trgm 0.61) but
    # not their meaning (0.51): under two names, no misattribution.
    churchill = SpeakerFactory(key="winston-churchill")
    QuoteFactory(
        key="beaches",
        speaker=churchill,
        text=published_text("c_beach_en2"),
        language="en",
        said="1940-06-04",
    )
    embed_all()
    SpeakerFactory(key="someone-else")
    found = similar_on_path(
        path,
        speaker="someone-else",
        text=published_text("c_seas_en"),
        language="en",
        said="1940-06-04",
    )
    assert found is None
    assert Quote.objects.filter(speaker__key="someone-else").count() == 1
