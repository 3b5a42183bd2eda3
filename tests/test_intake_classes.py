"""Issue 21's classes of attribution, language by language, through POST /api/v1/intake/:
each sentence gives its statement to the person who made it, with the speakers of
tests/data/intake/speakers.json on record (bench/bench_intake.py measures the rules on
real reports; these are the rules' cases, one per class and language)."""

import pytest

from quotes.excerpts import fold

pytestmark = pytest.mark.django_db

URL = "/api/v1/intake/"

# (class, language, report, a piece of the statement, its speaker's key)
CASES = [
    # A participle goes on from the main clause: its subject, not the place before the comma.
    (
        "participle",
        "en",
        "Blinken spoke to reporters in Tel Aviv on Monday, saying that Israel had the right"
        " to defend itself.",
        "Israel had the right to defend itself",
        "antony-blinken",
    ),
    (
        "participle",
        "fr",
        "Catherine Colonna s'est rendue à Jérusalem, soulignant que la France soutenait une"
        " trêve humanitaire.",
        "la France soutenait une trêve humanitaire",
        "catherine-colonna",
    ),
    (
        "participle",
        "es",
        "Albares se reunió con su homólogo en Bruselas, añadiendo que España apoyará la"
        " iniciativa.",
        "España apoyará la iniciativa",
        "jose-manuel-albares",
    ),
    (
        "participle",
        "ru",
        "Песков ответил на вопросы журналистов, добавив, что Кремль следит за ситуацией.",
        "Кремль следит за ситуацией",
        "dmitry-peskov",
    ),
    # The verb and its speaker after the statement.
    (
        "postposed",
        "es",
        "España no reconocerá la anexión, ha subrayado Albares este lunes.",
        "España no reconocerá la anexión",
        "jose-manuel-albares",
    ),
    (
        "postposed",
        "fr",
        "La France condamne fermement ces frappes, a déclaré Catherine Colonna mardi.",
        "La France condamne fermement ces frappes",
        "catherine-colonna",
    ),
    (
        "postposed",
        "de",
        "Die Lage in Gaza ist dramatisch, sagte Baerbock am Montag in Berlin.",
        "Die Lage in Gaza ist dramatisch",
        "annalena-baerbock",
    ),
    (
        "postposed",
        "ru",
        "Россия готова к переговорам, заявил Дмитрий Песков журналистам.",
        "Россия готова к переговорам",
        "dmitry-peskov",
    ),
    (
        "postposed",
        "ar",
        "وقال وزير الخارجية المصري سامح شكري إن مصر ترفض تهجير الفلسطينيين.",
        "مصر ترفض تهجير الفلسطينيين",
        "sameh-shoukry",
    ),
    (
        "unspaced",
        "zh",
        "外交部发言人汪文斌在例行记者会上指出，中方呼吁各方保持冷静。",
        "中方呼吁各方保持冷静",
        "wang-wenbin",
    ),
    # "According to", in the languages' own words.
    (
        "according",
        "en",
        "Russia is ready for talks, according to Kremlin spokesman Dmitry Peskov.",
        "Russia is ready for talks",
        "dmitry-peskov",
    ),
    (
        "according",
        "fr",
        "Selon Catherine Colonna, la France enverra une aide supplémentaire.",
        "la France enverra une aide supplémentaire",
        "catherine-colonna",
    ),
    (
        "according",
        "es",
        "Según Albares, España enviará más ayuda humanitaria a Gaza.",
        "España enviará más ayuda humanitaria",
        "jose-manuel-albares",
    ),
    (
        "according",
        "ru",
        "По словам Пескова, Кремль не планирует новых переговоров.",
        "Кремль не планирует новых переговоров",
        "dmitry-peskov",
    ),
    # A descriptor is the person whose post that day it names: never the head of the body a
    # spokesperson serves, never another body's spokesperson.
    (
        "descriptor",
        "en",
        "China's foreign minister told his Saudi counterpart that Israel's actions had gone"
        " beyond self-defense.",
        "Israel's actions had gone beyond self-defense",
        "wang-yi",
    ),
    (
        "descriptor",
        "en",
        "“Contacts continue at the expert level,” the Kremlin spokesman told reporters.",
        "Contacts continue at the expert level",
        "dmitry-peskov",
    ),
    (
        "descriptor",
        "en",
        "The Russian president's press secretary said that contacts with Washington continue"
        " at the expert level.",
        "contacts with Washington continue",
        "dmitry-peskov",
    ),
    (
        "descriptor",
        "en",
        "The UN Secretary-General said that the siege of Gaza must end immediately.",
        "the siege of Gaza must end immediately",
        "antonio-guterres",
    ),
    (
        "descriptor",
        "fr",
        "La porte-parole du ministère russe des Affaires étrangères a déclaré que Moscou"
        " condamnait cette décision.",
        "Moscou condamnait cette décision",
        "maria-zakharova",
    ),
    (
        "descriptor",
        "ru",
        "Пресс-секретарь президента России заявил, что Кремль следит за ситуацией.",
        "Кремль следит за ситуацией",
        "dmitry-peskov",
    ),
    (
        "descriptor",
        "de",
        "Die deutsche Außenministerin sagte, die humanitäre Lage in Gaza sei katastrophal.",
        "die humanitäre Lage in Gaza sei katastrophal",
        "annalena-baerbock",
    ),
]


@pytest.mark.parametrize(
    ("language", "text", "piece", "speaker"),
    [pytest.param(*case[1:], id=f"{case[0]}-{case[1]}-{n}") for n, case in enumerate(CASES)],
)
def test_each_class_of_attribution_gives_the_statement_to_its_speaker(
    editor_api, on_record, language, text, piece, speaker
):
    payload = {"text": text, "title": "Report", "language": language, "published": "2023-10-18"}
    response = editor_api.post(URL, payload, format="json")
    assert response.status_code == 200, response.content
    found = [p for p in response.json()["proposals"] if fold(piece).text in fold(p["excerpt"]).text]
    assert found, response.json()["proposals"]
    assert found[0]["speaker"]["key"] == speaker, found[0]["speaker"]
