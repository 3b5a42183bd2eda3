"""The proposals on the labelled reports of tests/data/intake/: the cases the issue lists,
and the quality targets on English (bench/bench_intake.py measures them all)."""

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from intake import lexicon
from intake.evaluation import Tally, load_cases
from intake.extract import find_name, occasion
from intake.proposals import propose
from intake.reports import Report
from quotes.excerpts import excerpt_occurs
from tests.intake_support import DATA

pytestmark = pytest.mark.django_db

# Written reports (the rules were developed on them, and held-out ones), and real published
# reports (tests/data/intake/real/, each with its address).
WRITTEN = load_cases(DATA) + load_cases(DATA / "heldout")
REAL = load_cases(DATA / "real")
# The first real reports, on which the rules for Chinese, transcripts, the German Konjunktiv
# and the Spanish perfect tense were developed (the others are measured by
# bench/bench_intake.py, docs/intake.md).
FIRST_REAL = [
    case
    for case in REAL
    if case.name
    in {
        "de-r1-br-baerbock-feuerpause",
        "en-r1-mfa-press-conference-2023-10-16",
        "es-r1-20minutos-albares",
        "zh-r1-mfa-wang-yi-faisal",
        "zh-r2-cna-wang-yi-faisal",
    }
]
# Never used to change a rule: measured by bench/bench_intake.py; only their excerpts are
# checked here.
HELD_OUT_REAL = load_cases(DATA / "real" / "heldout")
# A second held-out set, labelled by someone who changed no rule, measured once at the end.
HELD_OUT_REAL_2 = load_cases(DATA / "real" / "heldout2")
CASES = {case.name: case for case in WRITTEN + REAL + HELD_OUT_REAL + HELD_OUT_REAL_2}


def proposals_of(name: str):
    case = CASES[name]
    report = Report(
        text=case.text, title=case.title, published=case.published, language=case.language
    )
    return propose(report)


def test_the_real_set_is_labelled_verbatim_in_seven_languages():
    # At least 40 published reports, 10 of them held out, in seven languages; every labelled
    # span occurs in its report exactly.
    real = REAL + HELD_OUT_REAL + HELD_OUT_REAL_2
    seven = {"en", "fr", "de", "es", "ru", "zh", "ar"}
    assert len(real) >= 40
    assert len(HELD_OUT_REAL) >= 10
    assert len(HELD_OUT_REAL_2) >= 14
    assert {case.language[:2] for case in real} >= seven
    assert {case.language[:2] for case in HELD_OUT_REAL} >= {"en", "es", "ru", "zh", "ar"}
    assert {case.language[:2] for case in HELD_OUT_REAL_2} >= seven
    for case in real:
        assert case.expected, case.name
        for item in case.expected:
            assert item.span in case.text, (case.name, item.span)
            assert item.kind in {"direct", "partial", "indirect"}, (case.name, item.kind)


def _shingles(case) -> set[str]:
    """Runs of eight words (twelve characters in Chinese): a page reprinted elsewhere shares
    dozens of them with its source, two reports of one event only a title or two."""
    words = re.findall(r"\w+", case.text.lower())
    if len(words) < 40:
        chars = re.sub(r"\W", "", case.text)
        return {chars[i : i + 12] for i in range(len(chars) - 12)}
    return {" ".join(words[i : i + 8]) for i in range(len(words) - 8)}


def test_no_report_is_both_developed_on_and_held_out():
    # A held-out report the rules were developed on measures nothing: not the same address,
    # and not the same text reprinted at another.
    sets = {"real": REAL, "heldout": HELD_OUT_REAL, "heldout2": HELD_OUT_REAL_2}
    addresses = {}
    for name, cases in sets.items():
        for case in cases:
            url = json.loads(case_path(name, case).read_text())["url"].split("://")[-1]
            assert url.rstrip("/") not in addresses, (case.name, addresses.get(url.rstrip("/")))
            addresses[url.rstrip("/")] = case.name
    held_out = [(case, _shingles(case)) for case in HELD_OUT_REAL + HELD_OUT_REAL_2]
    for case in REAL:
        mine = _shingles(case)
        for other, theirs in held_out:
            assert len(mine & theirs) < 20, (case.name, other.name)


def case_path(folder: str, case) -> Path:
    return DATA / "real" / ("" if folder == "real" else folder) / f"{case.name}.json"


def test_there_are_enough_labelled_reports():
    languages = defaultdict(int)
    for case in CASES.values():
        languages[case.language] += 1
    assert len(CASES) >= 12
    assert {"en", "fr", "de", "ru"} <= set(languages)


@pytest.mark.usefixtures("on_record")
def test_every_excerpt_verifies_against_the_report():
    for name, case in CASES.items():
        for proposal in proposals_of(name):
            assert excerpt_occurs(proposal.excerpt, case.text), (name, proposal.excerpt)


@pytest.mark.usefixtures("on_record")
def test_english_meets_the_targets():
    tally = Tally()
    for case in WRITTEN:
        if case.language == "en":
            tally.add(case, proposals_of(case.name))
    measured = tally.report()
    assert measured["precision"] >= 0.9, tally.misses
    assert measured["recall_direct"] >= 0.9, tally.misses
    assert measured["recall_indirect"] >= 0.75, tally.misses
    assert measured["speaker_accuracy_on_record"] >= 0.9, tally.misses


@pytest.mark.usefixtures("on_record")
def test_a_split_quote_is_one_statement_in_its_own_words():
    [_, guterres, *_] = proposals_of("en-03-security-council")
    assert guterres.kind == "direct"
    assert (
        guterres.text
        == "The situation is growing more dire by the hour, and the world is watching."
    )
    assert guterres.excerpt.endswith("“and the world is watching.”")
    scholz = proposals_of("de-02-scholz-erdogan")[0]
    assert scholz.speaker.key == "olaf-scholz"
    assert scholz.text.endswith("und das ist kein Geheimnis.")
    assert scholz.context == "Bei einer gemeinsamen Pressekonferenz"


@pytest.mark.usefixtures("on_record")
def test_a_quotation_that_goes_on_stays_with_its_statement():
    blinken = proposals_of("en-01-g7-tokyo")[0]
    assert blinken.text.endswith("But the way Israel defends itself matters.")


@pytest.mark.usefixtures("on_record")
def test_he_added_follows_back_to_the_speaker_and_the_occasion():
    first, added, *_ = proposals_of("en-01-g7-tokyo")
    assert added.speaker.key == first.speaker.key == "antony-blinken"
    assert added.said == first.said == "2023-11-08"  # "on Wednesday" in Wednesday's report
    putin = proposals_of("ru-02-putin-gaza")
    assert putin[2].text.startswith("Россия готова")
    assert putin[2].speaker.key == "vladimir-putin"


@pytest.mark.usefixtures("on_record")
def test_speakers_named_by_their_role_only():
    kremlin = proposals_of("en-02-kremlin-talks")
    assert [p.speaker.key for p in kremlin] == [
        "dmitry-peskov",  # Kremlin spokesman Dmitry Peskov
        "dmitry-peskov",  # the Kremlin spokesman: named just before
        "maria-zakharova",  # Russia's foreign ministry spokeswoman: from her affiliation
        "dmitry-peskov",
    ]
    assert proposals_of("en-05-wang-blinken")[-1].speaker.key == "mao-ning"  # in Beijing
    assert proposals_of("ru-01-lavrov-zalozhniki")[1].speaker.key == "sergey-lavrov"  # министр
    assert proposals_of("fr-03-macron-jerusalem")[1].speaker.key == "emmanuel-macron"


@pytest.mark.usefixtures("on_record")
def test_unknown_speakers_are_proposed_as_new_with_their_role():
    last = proposals_of("en-03-security-council")[-1]
    assert (last.speaker.key, last.speaker.name) == (None, "Nadia Haddad")
    assert last.speaker.role == "analyst at the Amman-based Levant Policy Forum"
    lemoine = proposals_of("fr-01-colonna-treve")[-1]
    assert (lemoine.speaker.key, lemoine.speaker.name) == (None, "Christophe Lemoine")
    assert lemoine.speaker.role == "porte-parole du Quai d’Orsay"
    assert proposals_of("ru-01-lavrov-zalozhniki")[-1].speaker.name == "Андрей Кортунов"


@pytest.mark.usefixtures("on_record")
def test_names_in_other_scripts_and_inflections_find_the_speaker_on_record():
    zakharova = proposals_of("ru-01-lavrov-zalozhniki")[2]  # "по словам … Марии Захаровой"
    assert zakharova.speaker.key == "maria-zakharova"
    assert zakharova.kind == "partial"
    assert proposals_of("fr-02-lavrov-le-caire")[0].speaker.key == "sergey-lavrov"  # Sergueï


@pytest.mark.usefixtures("on_record")
def test_scare_quotes_titles_operations_and_single_words_are_not_proposed():
    for name in ("en-01-g7-tokyo", "en-03-security-council", "ru-02-putin-gaza"):
        excerpts = " ".join(p.excerpt for p in proposals_of(name))
        for phrase in ("day after", "Operation Swords of Iron", "grim", "операцию возмездия"):
            assert phrase not in excerpts
    assert proposals_of("en-04-samarkand-no-quotes") == []
    assert proposals_of("de-03-studie-keine-zitate") == []


@pytest.mark.usefixtures("on_record")
def test_dates_at_the_precision_the_text_gives_never_the_reports():
    said = {p.text[:30]: p.said for p in proposals_of("en-05-wang-blinken")}
    assert "2023-10" in said.values()  # "earlier this month"
    assert "2023-10-26" in said.values()  # "on Thursday" in Friday's report
    assert "2023-10-27" not in said.values()
    assert proposals_of("ru-01-lavrov-zalozhniki")[0].said == "2023-11-13"  # в понедельник
    assert proposals_of("fr-01-colonna-treve")[0].said == "2023-11-09"  # jeudi
    assert proposals_of("es-01-albares-palestina")[0].said == "2023-11-23"  # el jueves


@pytest.mark.usefixtures("on_record")
def test_kinds():
    kinds = [p.kind for p in proposals_of("en-01-g7-tokyo")]
    assert kinds == ["direct", "indirect", "partial"]


@pytest.mark.usefixtures("on_record")
def test_real_reports_give_each_statement_with_its_speaker_and_date():
    # Chinese readouts and reports (王毅表示，… / 王毅並指出，… / 他說，… / 費瑟表示，…: no
    # capital marks a name, no space ends it; a side, 中方认为，…, is not a person; the lead
    # paragraph dates the call) and a press-conference transcript (the spokesperson's
    # answers, over several paragraphs, not the outlets' questions).
    tally = Tally()
    for case in FIRST_REAL:
        tally.add(case, proposals_of(case.name))
    measured = tally.report()
    # (The German report still misses its perfect tense, "hat … gefordert", and leaves "Die
    # Grünenpolitikerin" unresolved rather than wrong: docs/intake.md.)
    assert {case.language[:2] for case in FIRST_REAL} >= {"zh", "en", "es", "de"}
    assert measured["statements"] >= 20
    assert measured["precision"] == 1.0, tally.misses
    assert measured["recall_direct"] == 1.0, tally.misses
    assert measured["recall_indirect"] >= 0.9, tally.misses
    assert measured["speaker_accuracy_on_record"] >= 0.85, tally.misses
    assert measured["speaker_accuracy_new"] == 1.0, tally.misses
    assert measured["preselected_wrong_speaker"] == 0.0, tally.misses
    assert measured["kind_accuracy"] == 1.0, tally.misses
    assert measured["date_accuracy"] == 1.0, tally.misses


@pytest.mark.usefixtures("on_record")
def test_a_transcripts_answer_goes_on_through_its_paragraphs_and_questions_are_left_out():
    name = "en-r1-mfa-press-conference-2023-10-16"
    first, second = proposals_of(name)
    assert first.excerpt.startswith("As we’ve learned")
    assert first.excerpt.endswith("provide assistance to Chinese nationals.")
    assert second.excerpt.startswith("The 54th session")
    assert all(p.speaker.key == "mao-ning" and p.kind == "direct" for p in (first, second))


@pytest.mark.parametrize(
    ("chunk", "language", "name"),
    [
        ("Als", "de", None),
        ("Die Grünen-Politikerin", "de", None),
        ("U.N", "en", None),
        ("COP28", "en", None),
        ("Als Grünen-Politikerin Ricarda Lang", "de", "Ricarda Lang"),
        ("U.N. Secretary-General Antonio Guterres", "en", "Antonio Guterres"),
        ("At COP28, Sultan Al Jaber", "en", "Sultan Al Jaber"),
        ("fügte sie hinzu mit Blick auf", "de", None),
        ("for the people of Gaza", "en", None),
        ("Москва", "ru", None),
        ("Por esa razón", "es", None),
    ],
)
def test_function_words_abbreviations_and_descriptors_are_never_a_name(chunk, language, name):
    found = find_name(chunk, lexicon.language(language))
    assert (found[0] if found else None) == name


@pytest.mark.parametrize(
    ("attribution", "language", "found"),
    [
        ("Lavrov told a news conference in Brussels", "en", "Told a news conference in Brussels"),
        ("Israel said that the talks had failed", "en", ""),  # "that the talks" is no occasion
        (
            "a-t-elle déclaré lors d'une conférence de presse à Paris",
            "fr",
            "Lors d'une conférence de presse à Paris",
        ),
        ("王毅同沙特外交大臣费萨尔通电话时说", "zh", "同沙特外交大臣费萨尔通电话时"),
    ],
)
def test_the_occasion_is_read_where_the_attribution_names_it(attribution, language, found):
    assert occasion(attribution, language) == found


def report_of(text: str, language: str) -> list:
    return propose(Report(text=text, title="", published="", language=language))


@pytest.mark.usefixtures("on_record")
def test_a_pronoun_with_an_adverb_before_its_verb_follows_back_to_the_speaker():
    proposals = report_of(
        "Пресс-секретарь президента России Дмитрий Песков заявил, что идет напряженная "
        "работа.\n\nОн также отметил, что переговоры продолжатся на следующей неделе.",
        "ru",
    )
    assert [p.speaker.key for p in proposals] == ["dmitry-peskov", "dmitry-peskov"]
    assert proposals[1].speaker.name != "Он"


@pytest.mark.usefixtures("on_record")
def test_a_transcripts_label_on_a_line_of_its_own_gives_the_answer_after_it():
    proposals = report_of(
        "Matthew Miller (00:00):\n\nLet me start with Georgia. The United States remains "
        "deeply concerned by the actions of the Georgian government.\n\nMatt (00:40):\n\n"
        "Anything else on Georgia?\n\nMatthew Miller (00:41):\n\nThat is all I have on "
        "Georgia today, and we will have more to say later this week.",
        "en",
    )
    assert [p.excerpt[:20] for p in proposals] == ["Let me start with Ge", "That is all I have o"]
    assert {p.speaker.key for p in proposals} == {"matthew-miller"}


@pytest.mark.usefixtures("on_record")
def test_an_attribution_before_a_colon_is_no_transcripts_label():
    # "王毅补充：「…」" is a report's attribution, not a speaker's label in a transcript; and
    # "卡茨的发言人" (Katz's spokesperson) is no one's name.
    proposals = report_of(
        "卡茨的发言人说：「我们期待中方表达平衡和公正的立场。」\n\n"
        "王毅补充：「中方认为，该地区再度爆发冲突和动荡对任何人都不利。」\n\n"
        "王毅强调：「以方应采取切实举措保障联黎部队人员安全。」",
        "zh",
    )
    assert [p.speaker.key for p in proposals] == [None, "wang-yi", "wang-yi"]
    assert proposals[0].speaker.name == ""


@pytest.mark.usefixtures("on_record")
def test_a_readouts_two_speakers_give_the_statement_to_the_first_named_on_record():
    # "Antony J. Blinken": the middle initial is no part of the name on record.
    proposals = report_of(
        "Secretary of State Antony J. Blinken spoke with Australian Foreign Minister Penny "
        "Wong today. Secretary Blinken and Foreign Minister Wong emphasized the importance of "
        "humanitarian aid reaching those in need in Gaza.",
        "en",
    )
    assert [p.speaker.key for p in proposals] == ["antony-blinken"]
    assert proposals[0].excerpt.startswith("Secretary Blinken and Foreign Minister Wong")


@pytest.mark.usefixtures("on_record")
def test_spanish_verbs_of_saying_without_their_subject_follow_back_to_the_speaker():
    proposals = report_of(
        "El ministro español de Asuntos Exteriores, José Manuel Albares, afirmó este lunes que "
        "la tregua debe respetarse.\n\nRecordó que ha podido entrar ayuda humanitaria en la "
        "Franja. En cambio, dejó claro que “lo que vimos ayer no puede volverse a repetir”.",
        "es",
    )
    assert [p.speaker.key for p in proposals] == ["jose-manuel-albares"] * 3
    assert proposals[1].excerpt.startswith("Recordó que")
    assert proposals[2].excerpt.startswith("En cambio, dejó claro que")


@pytest.mark.usefixtures("on_record")
def test_a_sentence_in_the_reported_mood_goes_on_with_its_quotation():
    # 'Das sei "eine unglaubliche Erleichterung"': the Konjunktiv outside the quotation.
    proposals = report_of(
        'Baerbock erklärte, das Abkommen habe bereits mehr als 20 Geiseln "zu ihren Familien '
        'zurückgebracht". Das sei "eine unglaubliche Erleichterung".',
        "de",
    )
    assert len(proposals) == 1
    assert proposals[0].speaker.key == "annalena-baerbock"
    assert proposals[0].excerpt.endswith('Das sei "eine unglaubliche Erleichterung".')


@pytest.mark.usefixtures("on_record")
def test_chinese_speakers_named_with_their_country_a_latin_name_or_a_day():
    # 土耳其總統艾爾段（Recep Tayyip Erdogan）…, 聯合國秘書長古特瑞斯（Antonio Guterres）呼籲…
    # (on record by the Latin name), 梅洛尼說…；馬克宏則表示… (a clause each), 蕭光偉今（14）日表示.
    leaders = {p.excerpt[:12]: p for p in proposals_of("zh-r11-udn-leaders-gaza-agreement")}
    speakers = {p.speaker.key or p.speaker.name for p in leaders.values()}
    assert {"antonio-guterres", "emmanuel-macron", "梅洛尼", "阿巴斯", "桑傑士"} <= speakers
    taiwan = proposals_of("zh-r10-ltn-taiwan-mfa-ceasefire")
    assert {p.speaker.name for p in taiwan} == {"蕭光偉", "川普"}
    assert [p.said for p in taiwan if p.speaker.name == "蕭光偉"][:2] == ["2025-10-14"] * 2


@pytest.mark.usefixtures("on_record")
def test_chinese_questions_are_no_statements_and_dates_come_from_the_lead():
    # 会上有记者提问称：… is a journalist's question; "毛宁表示，自从10月7日…" speaks of
    # 7 October, but was said at the press conference of 20 October the lead names.
    evacuation = proposals_of("zh-r6-ngzb-mao-ning-evacuation")
    assert all(p.speaker.key == "mao-ning" for p in evacuation)
    assert {p.said for p in evacuation} == {"2023-10-20"}
    quoted_first = proposals_of("zh-r9-fjsen-mao-ning-oct-9")  # “……”毛宁说。
    assert [p.kind for p in quoted_first].count("direct") == 2
    assert {p.said for p in quoted_first} == {"2023-10-09"}


@pytest.mark.usefixtures("on_record")
def test_a_pronoun_after_someone_else_was_named_is_asked_about_not_preselected():
    # The spokesman's briefing: "The Secretary-General … spoke …  He told the members…": "he"
    # is not surely the spokesman the report followed before.
    briefing = proposals_of("en-r5-un-noon-briefing-2023-12-08")
    followed = [p for p in briefing if p.excerpt.startswith(("He told", "He warned"))]
    assert followed
    assert not any(p.preselected for p in followed)
    # A quotation in a sentence that names no speaker is not surely that speaker's statement.
    colonna = proposals_of("fr-r1-i24news-colonna-israel")
    assert not any(p.preselected for p in colonna if p.excerpt.startswith("Paris a exigé"))


@pytest.mark.usefixtures("on_record")
def test_a_sentence_that_points_back_attributes_the_sentence_before_it():
    # "Об этом заявил …": the sentence before is the statement, this one its attribution.
    proposals = report_of(
        "Атака беспилотников не внесла корректив в работу администрации. Об этом 4 мая "
        "журналистам заявил пресс-секретарь российского лидера Дмитрий Песков.",
        "ru",
    )
    assert [p.speaker.key for p in proposals] == ["dmitry-peskov"]
    assert proposals[0].excerpt.startswith("Атака беспилотников")


@pytest.mark.usefixtures("on_record")
def test_a_press_secretary_or_spokesperson_is_never_the_head_of_the_office_he_names():
    # "пресс-секретарь президента" names the president too; "представитель Кремля" is the
    # press secretary named before, not the foreign ministry's spokeswoman.
    proposals = report_of(
        "Пресс-секретарь президента заявил, что переговоры продолжаются без перерыва.", "ru"
    )
    assert [p.speaker.key for p in proposals] == ["dmitry-peskov"]
    proposals = report_of(
        "Дмитрий Песков ответил журналистам. «Обычная, рабочая обстановка. Все работают, все "
        "на своих местах», ― сказал официальный представитель Кремля.",
        "ru",
    )
    assert proposals[-1].speaker.key == "dmitry-peskov"


@pytest.mark.usefixtures("on_record")
def test_a_heads_descriptor_is_never_the_press_secretary_whose_title_names_the_head():
    # "Press Secretary of the President of Russia" names the president; "российский лидер" is
    # the president, "украинский лидер" not the Russian president named before.
    proposals = report_of(
        "Пресс-секретарь президента Дмитрий Песков заявил, что разговор состоялся вечером. "
        "Российский лидер поблагодарил президента США за поддержку прямых переговоров.",
        "ru",
    )
    assert [p.speaker.key for p in proposals] == ["dmitry-peskov", "vladimir-putin"]
    proposals = report_of(
        "Владимир Путин заявил, что переговоры возможны. Украинский лидер пояснил, что "
        "подобные действия станут ответом на удары.",
        "ru",
    )
    assert proposals[-1].speaker.key != "vladimir-putin"
