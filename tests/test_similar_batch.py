"""The similar-text check's batch form (an import's) answers as its single form (the API's,
the admin's), and the cap on the candidates a text scores bounds its work."""

import pytest

from quotes.interchange import importer
from quotes.models import Quote
from quotes.similarity import NewQuote, similar_for_quotes, similar_quotes
from tests.factories import SYSTEM, QuoteFactory, SpeakerFactory, TranslationFactory
from tests.interchange_support import QUOTE, SPEAKER, VALID, ndjson

pytestmark = pytest.mark.django_db

STATEMENT = "We call for an immediate ceasefire and the protection of civilians in the region."
# Like the translation of the quote of VALID.
COPY = {**QUOTE, "language": "en", "text": "Stop the collective punishment!", "translations": []}
OTHER = "Negotiations on the trade agreement will resume in the spring with new proposals."


@pytest.fixture
def on_record():
    speaker, other = SpeakerFactory(key="speaker-a"), SpeakerFactory(key="speaker-b")
    QuoteFactory(key="stated", speaker=speaker, text=STATEMENT, said="2023-10-14")
    QuoteFactory(key="by-another", speaker=other, text=STATEMENT + " Now.", said="2023-10-20")
    QuoteFactory(key="long-before", speaker=other, text=STATEMENT, said="2019-01-01")
    QuoteFactory(key="undated", speaker=speaker, text=STATEMENT, said="")
    QuoteFactory(key="in-the-month", speaker=speaker, text=OTHER, said="2023-10")
    translated = QuoteFactory(key="translated", speaker=other, text="Текст.", said="2023-11-01")
    TranslationFactory(quote=translated, language="en", text=OTHER)
    return speaker, other


def cases(speaker, other) -> list[NewQuote]:
    return [
        NewQuote(texts=[STATEMENT], speaker_id=speaker.pk, said="2023-10-15"),
        NewQuote(texts=[STATEMENT], speaker_id=other.pk, said="2023-10-15"),
        NewQuote(texts=[STATEMENT.replace("immediate", "lasting")], speaker_id=None, said="2023"),
        NewQuote(texts=[STATEMENT], speaker_id=speaker.pk, said=None),
        NewQuote(texts=["Текст.", OTHER], speaker_id=speaker.pk, said="2023-10-28"),
        NewQuote(texts=["Nothing in common with anything said."], speaker_id=other.pk, said=None),
        NewQuote(texts=[STATEMENT], speaker_id=speaker.pk, said="2023-10-14", pk=None),
        NewQuote(texts=[""], speaker_id=speaker.pk, said="2023-10-14"),
    ]


def answers(found) -> list[list[tuple[str, float, str]]]:
    return [[(s.quote.key, s.score, s.relation) for s in similar] for similar in found]


def test_the_batch_form_answers_as_the_single_form(on_record):
    probes = cases(*on_record)
    single = [
        similar_quotes(texts=p.texts, speaker_id=p.speaker_id, said=p.said, exclude_pk=p.pk)
        for p in probes
    ]
    batch = similar_for_quotes(probes)
    assert answers(batch) == answers(single)
    assert [key for key, _, _ in answers(batch)[0]] == ["stated", "undated", "by-another"]
    assert answers(batch)[5] == answers(batch)[7] == []


def test_a_quote_on_record_is_not_similar_to_itself(on_record):
    stated = Quote.objects.get(key="stated")
    probe = NewQuote(texts=[STATEMENT], speaker_id=stated.speaker_id, said="2023-10-14")
    [found] = similar_for_quotes([NewQuote(**{**probe.__dict__, "pk": stated.pk})])
    assert "stated" not in [s.quote.key for s in found]


def test_a_text_scores_at_most_the_capped_number_of_candidates(on_record, settings):
    speaker, _ = on_record
    probe = NewQuote(texts=[STATEMENT], speaker_id=speaker.pk, said="2023-10-15")
    assert len(similar_for_quotes([probe])[0]) == 3
    settings.ONRECORD_SIMILAR_PASSAGE_CAP = 1
    [found] = similar_for_quotes([probe, probe])[:1]
    assert len(found) == 1
    assert similar_for_quotes([probe, probe])[1] == [found[0]]  # each text has its own cap


def test_many_similar_new_quotes_are_refused_with_their_lines_and_the_count_of_the_rest(
    settings,
):
    settings.ONRECORD_IMPORT_MAX_ERRORS = 5
    lines = ndjson(*VALID).splitlines(keepends=True)
    assert importer.records_import(lines_or_stream=lines, dry_run=False, user=SYSTEM).ok
    copies = [{**COPY, "key": f"copy-{n}"} for n in range(8)]
    report = importer.records_import(
        lines_or_stream=ndjson(SPEAKER, *copies).splitlines(keepends=True),
        dry_run=False,
        user=SYSTEM,
    )
    assert [(e.line, e.field) for e in report.errors] == [(n, "text") for n in range(2, 7)]
    assert all("similar to quotes on record" in e.message for e in report.errors)
    assert report.errors_not_listed == 3
    assert report.error_summary()[0] == "… and 3 more errors, not listed."
    assert not Quote.objects.filter(key__startswith="copy-").exists()
