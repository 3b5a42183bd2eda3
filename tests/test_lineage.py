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

from lineage import embedder, vectors
from lineage.models import Embedding
from quotes import services
from quotes.exceptions import SimilarQuotesFound
from quotes.models import Quote, Speaker
from tests.admin_forms import admin_form_data
from tests.conftest import token_client
from tests.factories import (
    EditorFactory,
    QuoteFactory,
    ReviewerFactory,
    SpeakerFactory,
    TranslationFactory,
)

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
def test_a_french_paraphrase_is_found_by_meaning(db, embed_all, path):
    # An abridged French wording of Churchill's line on democracy (cosine 0.62), which
    # shares no three words in a row with it.
    speaker = SpeakerFactory(key="winston-churchill", name="Winston Churchill")
    QuoteFactory(
        key="democracy",
        speaker=speaker,
        text=published_text("c_demo_en2"),
        language="en",
        said="1947-11-11",
    )
    embed_all()
    found = similar_on_path(
        path,
        speaker="winston-churchill",
        text=published_text("c_demo_fr1"),
        language="fr",
        said="1947-11-11",
    )
    assert reported(found, "democracy", "same_speaker", "meaning", "en"), found
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


# Lineage: the statements that carry a statement's claim.


@pytest.fixture
def guterres(db, embed_all):
    """Guterres's "global boiling" in English and as outlets reported it in Chinese and
    Arabic, and another of his statements on the climate; all published."""
    speaker = SpeakerFactory(key="antonio-guterres", name="António Guterres")
    quotes = {
        key: QuoteFactory(
            key=key,
            speaker=speaker,
            text=published_text(text_key),
            language=language,
            said=said,
            status=Quote.Status.PUBLISHED,
        )
        for key, text_key, language, said in [
            ("boiling-en", "g_en", "en", "2023-07-27"),
            ("boiling-zh", "g_zh", "zh", "2023-07-28"),
            ("boiling-ar", "g_ar1", "ar", "2023-07-27"),
            ("climate-here", "g_en_b", "en", "2023-07-27"),
        ]
    }
    embed_all()
    return quotes


def test_lineage_lists_the_same_claim_in_date_order_marking_the_first(client, guterres):
    response = client.get(f"{QUOTES}boiling-zh/lineage/")
    assert response.status_code == 200
    entries = response.json()
    keys = [entry["key"] for entry in entries]
    assert set(keys) == {"boiling-en", "boiling-ar", "boiling-zh"}  # not the other claim
    assert keys[-1] == "boiling-zh"  # said a day later
    first = [entry for entry in entries if entry["first"]]
    assert len(first) == 1
    assert first[0]["key"] == keys[0]
    this = next(entry for entry in entries if entry["key"] == "boiling-zh")
    assert (this["relation"], this["score"]) == ("this", 1.0)
    arabic = next(entry for entry in entries if entry["key"] == "boiling-ar")
    assert arabic["relation"] == "same_speaker"
    assert arabic["language"] == "ar"
    assert arabic["score"] >= 0.58
    assert arabic["speaker"] == {"key": "antonio-guterres", "name": "António Guterres"}


def test_lineage_shows_readers_public_statements_only(client, guterres):
    Quote.objects.filter(key="boiling-ar").update(status=Quote.Status.DRAFT)
    keys = [entry["key"] for entry in client.get(f"{QUOTES}boiling-en/lineage/").json()]
    assert "boiling-ar" not in keys
    assert "boiling-zh" in keys


def test_the_same_words_under_another_name_are_in_lineage_at_any_date(client, guterres):
    someone = SpeakerFactory(key="someone-else", name="Someone Else")
    QuoteFactory(
        key="boiling-1962",
        speaker=someone,
        text=guterres["boiling-en"].text,
        language="en",
        said="1962",
        status=Quote.Status.PUBLISHED,
    )
    embedder.run(own=True)
    entries = client.get(f"{QUOTES}boiling-en/lineage/").json()
    assert entries[0]["key"] == "boiling-1962"
    assert entries[0]["first"]
    assert entries[0]["relation"] == "other_speaker"
    page = client.get("/quotes/boiling-en/").content.decode()
    assert "Also attributed to someone else" not in page  # a lead, until a reviewer confirms
    assert "First on record" in page
    from lineage.services import lineage_decide

    lineage_decide(
        quote=guterres["boiling-en"],
        other=Quote.objects.get(key="boiling-1962"),
        verdict="confirmed",
        user=ReviewerFactory(),
    )
    page = client.get("/quotes/boiling-en/").content.decode()
    assert "Also attributed to someone else" in page
    assert "First on record" in page
    assert "/quotes/boiling-1962/" in page


def test_a_reviewer_dismisses_a_pair_and_it_is_not_raised_again(guterres, reviewer_api):
    response = reviewer_api.post(
        f"{QUOTES}boiling-en/lineage/",
        {"quote": "boiling-ar", "verdict": "dismissed", "note": "Another statement."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["verdict"] == "dismissed"
    keys = [entry["key"] for entry in reviewer_api.get(f"{QUOTES}boiling-en/lineage/").json()]
    assert "boiling-ar" not in keys
    assert "boiling-zh" in keys
    similar = reviewer_api.get(f"{QUOTES}boiling-en/similar/").json()
    assert "boiling-ar" not in [item["key"] for item in similar]
    # The decision has its history.
    from lineage.models import Decision

    decision = Decision.objects.get()
    assert decision.events.count() == 1


def test_a_reviewer_confirms_a_link_the_model_missed(guterres, reviewer_api):
    response = reviewer_api.post(
        f"{QUOTES}boiling-en/lineage/",
        {"quote": "climate-here", "verdict": "confirmed"},
        format="json",
    )
    assert response.status_code == 200
    entry = next(
        e
        for e in reviewer_api.get(f"{QUOTES}boiling-en/lineage/").json()
        if e["key"] == "climate-here"
    )
    assert entry["confirmed"] is True


def test_only_reviewers_decide_and_bad_decisions_are_400(guterres, editor_api, reviewer_api):
    url = f"{QUOTES}boiling-en/lineage/"
    refused = editor_api.post(url, {"quote": "boiling-ar", "verdict": "dismissed"}, format="json")
    assert refused.status_code == 403
    unknown = reviewer_api.post(url, {"quote": "nothing", "verdict": "dismissed"}, format="json")
    assert unknown.status_code == 400
    assert "quote" in unknown.json()
    bad = reviewer_api.post(url, {"quote": "boiling-ar", "verdict": "maybe"}, format="json")
    assert bad.status_code == 400
    assert "verdict" in bad.json()
    itself = reviewer_api.post(url, {"quote": "boiling-en", "verdict": "confirmed"}, format="json")
    assert itself.status_code == 400
    assert "quote" in itself.json()


def test_the_embedder_embeds_changed_texts_only_and_empties_removed_ones(guterres, embed_all):
    quote = guterres["boiling-en"]
    assert Embedding.objects.filter(quote=quote).count() == 1
    assert embed_all() == 0  # nothing changed
    translation = TranslationFactory(quote=quote, language="pt", text=published_text("g_pt"))
    assert embed_all() == 1
    translation_id = translation.pk
    translation.delete()
    embed_all()
    row = Embedding.objects.get(quote=quote, translation_id=translation_id)
    assert row.vector is None
    assert vectors.replica().catch_up() >= 0
    assert len(vectors.replica()) == 4
    before = Embedding.objects.get(quote=quote, translation_id=None)
    Quote.objects.filter(pk=quote.pk).update(text=published_text("g_pt"))
    assert embed_all() == 1
    after = Embedding.objects.get(quote=quote, translation_id=None)  # the same row, updated
    assert (after.pk, after.digest != before.digest) == (before.pk, True)
    assert after.version > before.version


def test_the_statement_page_lists_related_statements(client, guterres):
    from tests.factories import TopicFactory

    climate = TopicFactory(key="climate", name="Climate")
    for quote in (guterres["boiling-en"], guterres["climate-here"]):
        quote.topics.add(climate)
    page = client.get("/quotes/boiling-en/").content.decode()
    assert "Related statements" in page
    assert "/quotes/climate-here/" in page
    assert "The same claim on record" in page
    assert "/quotes/boiling-ar/" in page


def test_lineage_embed_command_embeds_every_text(guterres):
    from io import StringIO

    from django.core.management import call_command

    Embedding.objects.all().delete()
    out = StringIO()
    call_command("lineage_embed", "--all", stdout=out)
    assert "Embedded 4 text(s)" in out.getvalue()
    assert Embedding.objects.current().count() == 4


def test_a_reviewer_dismisses_a_pair_in_the_admin(guterres, reviewer):
    client = Client()
    client.force_login(reviewer)
    url = reverse("admin:lineage_decision_add")
    zh, en = guterres["boiling-zh"], guterres["boiling-en"]
    response = client.post(url, {"first": zh.pk, "second": en.pk, "verdict": "dismissed"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    from lineage.models import Decision

    decision = Decision.objects.get()
    assert (decision.first_id, decision.second_id) == tuple(sorted((zh.pk, en.pk)))
    assert decision.decided_by == reviewer
    itself = client.post(url, {"first": zh.pk, "second": zh.pk, "verdict": "dismissed"})
    assert "not compared with itself" in itself.content.decode()
    changelist = reverse("admin:lineage_decision_changelist")
    assert reviewer.username in client.get(changelist).content.decode()
    # A decision imported from another database keeps its reviewer's name.
    Decision.objects.update(decided_by=None, decided_by_name="reviewer-elsewhere")
    assert "reviewer-elsewhere" in client.get(changelist).content.decode()


def test_an_editor_may_not_decide_in_the_admin(guterres, editor_client):
    response = editor_client.get(reverse("admin:lineage_decision_add"))
    assert response.status_code == 403


# An occasion's accounts side by side, aligned by meaning.


@pytest.fixture
def two_accounts(db, settings):
    """Two parties' accounts of one occasion, in English and Chinese (published texts):
    the same statement in both, and a passage only the English one has."""
    from tests.factories import OccasionAccountFactory, OccasionFactory, SourceFactory

    occasion = OccasionFactory(key="climate-briefing", name="Climate briefing")
    QuoteFactory(occasion=occasion, status=Quote.Status.PUBLISHED)
    english = SourceFactory(
        key="account-en",
        language="en",
        full_text=f"{published_text('g_en')}\n{published_text('c_blood_en')}",
    )
    chinese = SourceFactory(key="account-zh", language="zh", full_text=published_text("g_zh"))
    OccasionAccountFactory(occasion=occasion, source=english, country="US")
    OccasionAccountFactory(occasion=occasion, source=chinese, country="CN")
    return occasion


def test_accounts_in_two_languages_are_aligned_by_meaning(client, two_accounts):
    from lineage.alignment import alignments_refresh

    pending = client.get("/api/v1/occasions/climate-briefing/accounts/").json()
    assert pending["aligned_at"] is None
    assert alignments_refresh() == 1
    assert alignments_refresh() == 0  # nothing changed since
    data = client.get("/api/v1/occasions/climate-briefing/accounts/").json()
    assert data["aligned_at"] is not None
    english, chinese = data["accounts"]
    assert [p["number"] for p in english["passages"]] == [1, 2]
    [match] = english["passages"][0]["matches"]
    assert (match["source"], match["passage"]) == ("account-zh", 1)
    assert match["score"] >= 0.58
    assert english["passages"][1]["matches"] == []  # only in the English account
    assert chinese["passages"][0]["matches"][0]["source"] == "account-en"
    page = client.get("/occasions/climate-briefing/").content.decode()
    assert "Only in this account." in page
    assert "Also in" in page


def test_an_edited_account_is_aligned_again(client, two_accounts):
    from lineage.alignment import alignments_refresh
    from quotes.models import Source

    alignments_refresh()
    source = Source.objects.get(key="account-zh")
    source.full_text = published_text("c_blood_fr1")
    source.save()
    assert client.get("/api/v1/occasions/climate-briefing/accounts/").json()["aligned_at"] is None
    assert alignments_refresh() == 1
    data = client.get("/api/v1/occasions/climate-briefing/accounts/").json()
    english = data["accounts"][0]
    assert english["passages"][0]["matches"] == []
    assert english["passages"][1]["matches"][0]["source"] == "account-zh"


def test_the_occasion_page_reads_the_alignment_and_fills_in_the_parties(
    client, two_accounts, monkeypatch
):
    """The page embeds nothing: it reads the passages' HTML stored with the alignment, and
    fills in the parties' names as they are now (a renamed party needs no new alignment)."""
    from lineage.alignment import alignments_refresh
    from quotes import meaning
    from quotes.models import OccasionAccount, Organization
    from tests.factories import OrganizationFactory

    alignments_refresh()
    aligned_at = client.get("/api/v1/occasions/climate-briefing/accounts/").json()["aligned_at"]

    def refuse(texts):
        raise AssertionError("a page request embedded texts")

    monkeypatch.setattr(meaning, "embed", refuse)
    ministry = OrganizationFactory(name="Ministry of Ecology")
    OccasionAccount.objects.filter(source__key="account-zh").update(organization=ministry)
    Organization.objects.filter(pk=ministry.pk).update(name="Ministry <of> Ecology & Environment")
    page = client.get("/occasions/climate-briefing/").content.decode()
    assert "Ministry &lt;of&gt; Ecology &amp; Environment\u2019s account</a>" in page
    assert "<party " not in page
    again = client.get("/api/v1/occasions/climate-briefing/accounts/").json()["aligned_at"]
    assert again == aligned_at
    assert alignments_refresh() == 0


def test_accounts_are_cut_into_sentences_in_any_script():
    """Passages end at a sentence's end with or without a space after it (Chinese has
    none), keep their closing quotes, and do not end at an abbreviation before a number."""
    from lineage.alignment import passages_of

    english = "He cited Resolutions No. 242 (1967) and No. 338. “It must stop.” He left!"
    assert passages_of(english) == [
        "He cited Resolutions No. 242 (1967) and No. 338.",
        "“It must stop.”",
        "He left!",
    ]
    chinese = "各方都不应采取任何使事态升级的行动。他说：“停火。”中方正和各方密集沟通\n第二段。"
    assert passages_of(chinese) == [
        "各方都不应采取任何使事态升级的行动。",
        "他说：“停火。”",
        "中方正和各方密集沟通",
        "第二段。",
    ]
