"""POST /api/v1/intake/: a report in, the proposed source and statements out, nothing saved."""

import time

import pytest

from quotes.excerpts import excerpt_occurs
from quotes.models import Citation, Quote, Source, Speaker
from tests.conftest import token_client
from tests.factories import UserFactory
from tests.intake_support import demo_speakers, demo_text, serve

pytestmark = pytest.mark.django_db

URL = "/api/v1/intake/"
PROPOSAL_KEYS = {
    "occasion",
    "text",
    "kind",
    "language",
    "excerpt",
    "said",
    "context",
    "speaker",
    "candidates",
    "preselected",
}

ARTICLE_HTML = """<!doctype html><html lang="en"><head>
<title>Lavrov meets Fidan in Moscow | World Desk</title>
<meta property="og:title" content="Lavrov and Fidan discuss Gaza in Moscow">
<meta property="og:site_name" content="World Desk">
<meta name="author" content="Anna Keller">
<meta property="article:published_time" content="2023-11-07T09:30:00Z">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Lavrov and Fidan discuss Gaza in Moscow</h1>
<p>Russian Foreign Minister Sergei Lavrov met his Turkish counterpart Hakan Fidan in Moscow on
Monday to discuss the war in Gaza and the fate of civilians trapped by the fighting.</p>
<p>“We are convinced that a ceasefire must come first, before any talks about the future,”
Lavrov told reporters after the meeting.</p>
<p>Fidan said that Turkey was ready to act as a guarantor of any agreement reached by the two
sides, and added that humanitarian corridors had to open without delay.</p>
</article><footer>Subscribe to our newsletter. All rights reserved.</footer></body></html>"""


def snapshot() -> tuple:
    return tuple(model.objects.count() for model in (Source, Quote, Citation, Speaker))


def test_the_demo_article_gives_its_three_statements_with_their_speakers(editor_api):
    demo_speakers()
    before = snapshot()
    response = editor_api.post(URL, {"text": demo_text(), "published": "2023-10-20"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert snapshot() == before  # nothing written
    proposals = body["proposals"]
    assert [p["speaker"]["key"] for p in proposals] == ["wang-yi", "vladimir-putin", "ma-xiaolin"]
    assert all(set(p) == PROPOSAL_KEYS for p in proposals)
    assert all(excerpt_occurs(p["excerpt"], body["source"]["full_text"]) for p in proposals)
    wang, putin, ma = proposals
    assert wang["kind"] == "partial"
    assert "“collective punishment”" in wang["excerpt"]
    assert putin["kind"] == "indirect"
    assert "clear failure of U.S. policy in the Middle East" in putin["text"]
    assert ma["excerpt"].endswith("support from the United States.")  # the paragraph goes on
    assert {p["said"] for p in proposals} == {None}  # the article dates none of them
    assert all(p["speaker"]["confidence"] >= 0.9 for p in proposals)
    assert all(p["preselected"] for p in proposals)  # each speaker is on record, confidently
    assert body["source"]["title"] == "China and Russia Find Common Cause in Israel-Hamas Conflict"
    assert body["source"]["language"] == "en"
    assert body["source"]["published"] == "2023-10-20"


def test_an_unknown_speaker_is_proposed_as_new_with_the_role_as_affiliation(editor_api):
    text = (
        "Maria Olsen, a senior researcher at the Nordic Institute for Peace Studies, said on "
        "Tuesday that the talks in Geneva had stalled over the question of prisoners."
    )
    response = editor_api.post(URL, {"text": text, "published": "2023-10-20"}, format="json")
    [proposal] = response.json()["proposals"]
    assert proposal["speaker"]["key"] is None
    assert proposal["speaker"]["name"] == "Maria Olsen"
    assert proposal["preselected"] is False  # a new speaker is a question for the editor
    assert (
        "senior researcher at the Nordic Institute for Peace Studies" in proposal["speaker"]["role"]
    )
    assert proposal["said"] == "2023-10-17"  # the Tuesday before the report, not its date


def test_the_client_corrects_the_language_and_title(editor_api):
    response = editor_api.post(
        URL,
        {"text": demo_text(), "title": "Common cause", "language": "en-GB", "publisher": "X"},
        format="json",
    )
    source = response.json()["source"]
    assert (source["title"], source["language"], source["publisher"]) == (
        "Common cause",
        "en-GB",
        "X",
    )


def test_a_page_by_url_is_reduced_to_its_article_with_its_metadata(editor_api, local_pages):
    with serve({"/lavrov": (200, "text/html; charset=utf-8", ARTICLE_HTML.encode())}) as base:
        response = editor_api.post(URL, {"url": f"{base}/lavrov"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    source = body["source"]
    assert source["title"] == "Lavrov and Fidan discuss Gaza in Moscow"
    assert source["publisher"] == "World Desk"
    assert source["author"] == "Anna Keller"
    assert source["published"] == "2023-11-07"
    assert source["language"] == "en"
    assert source["url"].endswith("/lavrov")
    assert "newsletter" not in source["full_text"]
    assert "Home" not in source["full_text"]
    speakers = [(p["kind"], p["speaker"]["name"]) for p in body["proposals"]]
    assert speakers == [("direct", "Sergei Lavrov"), ("indirect", "Hakan Fidan")]
    assert body["proposals"][0]["context"] == "Told reporters"
    assert all(excerpt_occurs(p["excerpt"], source["full_text"]) for p in body["proposals"])


def test_html_given_directly_is_read_like_a_page(editor_api):
    response = editor_api.post(URL, {"html": ARTICLE_HTML}, format="json")
    assert response.status_code == 200
    assert len(response.json()["proposals"]) == 2


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({}, "text", "Give the report"),
        ({"text": "Some text.", "url": "https://example.org/"}, "text", "exactly one"),
        ({"text": "   "}, "text", "empty"),
        ({"text": "Some text here.", "published": "2023-02-30"}, "published", "does not exist"),
        ({"text": "Some text here.", "language": "not a tag"}, "language", ""),
        ({"url": "ftp://example.org/a"}, "url", ""),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(editor_api, payload, field, words):
    response = editor_api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert words in " ".join(response.json()[field])


@pytest.mark.parametrize(
    ("route", "words"),
    [
        ((404, "text/html", b"gone"), "answered 404"),
        ((200, "application/pdf", b"%PDF-1.4"), "not HTML or plain text"),
        (
            (200, "text/html", b"<html><body><p>" + b"word " * 3000 + b"</p></body></html>"),
            "larger",
        ),
        ((200, "slow", b"<html></html>"), "did not answer within"),
    ],
)
def test_a_page_that_cannot_be_read_is_a_400_on_url(
    editor_api, settings, local_pages, route, words
):
    settings.INTAKE_MAX_BYTES = 10_000
    settings.INTAKE_FETCH_TIMEOUT = 0.3
    with serve({"/page": route}, delay=1.0) as base:
        response = editor_api.post(URL, {"url": f"{base}/page"}, format="json")
    assert response.status_code == 400
    assert words in response.json()["url"][0]


def test_an_unreachable_address_is_a_400(editor_api, local_pages):
    with serve({}) as base:
        pass  # the server is closed again: nothing listens on its port
    response = editor_api.post(URL, {"url": f"{base}/page"}, format="json")
    assert response.status_code == 400
    assert "could not be fetched" in response.json()["url"][0]


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:{port}/page",
        "http://localhost:{port}/page",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/intranet",
        "http://[::1]:{port}/page",
    ],
)
def test_addresses_off_the_public_internet_are_refused(editor_api, address):
    with serve({"/page": (200, "text/html", ARTICLE_HTML.encode())}) as base:
        port = base.rsplit(":", 1)[1]
        response = editor_api.post(URL, {"url": address.format(port=port)}, format="json")
    assert response.status_code == 400
    assert "not a public internet address" in response.json()["url"][0]


def test_only_editors_may_ask(api_client):
    assert api_client.post(URL, {"text": demo_text()}, format="json").status_code in (401, 403)
    reader = token_client(UserFactory())
    response = reader.post(URL, {"text": demo_text()}, format="json")
    assert response.status_code == 403
    assert "Only editors" in response.json()["detail"]


# Issue 18: bounded work and the address check ------------------------------------------


def test_fault_6_a_page_sent_a_byte_a_second_is_cut_off_at_the_fetch_deadline(
    editor_api, settings, local_pages
):
    settings.INTAKE_FETCH_TIMEOUT = 2
    body = b"<html><body><p>" + b"word " * 4 + b"</p></body></html>"
    with serve({"/drip": (200, "drip", body)}, delay=1.0) as base:
        started = time.monotonic()
        response = editor_api.post(URL, {"url": f"{base}/drip"}, format="json")
        elapsed = time.monotonic() - started
    assert response.status_code == 400
    assert "did not answer within 2 seconds" in response.json()["url"][0]
    assert elapsed < 4  # each read was within a second: only the whole fetch's deadline cuts


@pytest.mark.parametrize("field", ["text", "html"])
def test_fault_6_a_report_over_the_text_limit_is_a_400_naming_it(editor_api, settings, field):
    settings.INTAKE_MAX_TEXT_CHARS = 1000
    text = ("The minister said the talks would go on. " * 30)[: 1001 if field == "text" else 1200]
    html = f"<html><body><article><p>{text}</p></article></body></html>"
    payload = {"text": text} if field == "text" else {"html": html}
    response = editor_api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert "more than the limit of 1,000" in response.json()[field][0]


def _proposing_time(text: str) -> float:
    from intake.proposals import propose
    from intake.reports import Report

    report = Report(text=text, title="Time", published="2023-10-20", language="en")
    times = []
    for _ in range(2):
        started = time.perf_counter()
        assert propose(report)
        times.append(time.perf_counter() - started)
    return min(times)


@pytest.mark.parametrize("separator", ["\n\n", " "], ids=["paragraphs", "one-paragraph"])
def test_fault_6_proposing_takes_time_linear_in_the_text(separator):
    """Ten times the text takes about ten times as long (it took a hundred times as long)."""
    demo_speakers()
    article = demo_text() if separator == "\n\n" else demo_text().replace("\n", " ")
    small = separator.join([article] * 5)  # about 20 kB
    _proposing_time(small)  # warm-up: the sentence splitter, dateparser, the language model
    ratio = _proposing_time(separator.join([article] * 50)) / _proposing_time(small)
    assert ratio < 25, f"ten times the text took {ratio:.0f} times as long"


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::a9fe:a9fe",  # NAT64, local-use prefix
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "::ffff:169.254.169.254",  # IPv4-mapped
        "::169.254.169.254",  # IPv4-compatible
        "::ffff:0:a9fe:a9fe",  # IPv4-translated (SIIT)
        "fc00::1",  # unique local
        "fec0::1",  # site-local
        "fe80::1",  # link-local
        "ff0e::1",  # multicast
        "5f00::1",  # segment routing
        "100.64.0.1",  # shared (carrier-grade NAT)
        "0.0.0.0",  # this host
        "224.0.0.1",  # multicast
        "192.88.99.1",  # 6to4 relay
    ],
)
def test_fault_9_addresses_that_reach_private_ones_are_refused(editor_api, settings, address):
    settings.INTAKE_FETCH_TIMEOUT = 2
    host = f"[{address}]" if ":" in address else address
    response = editor_api.post(URL, {"url": f"http://{host}/latest/meta-data/"}, format="json")
    assert response.status_code == 400
    assert "not a public internet address" in response.json()["url"][0]


def test_fault_9_a_redirect_to_a_private_address_is_refused(editor_api, settings):
    settings.INTAKE_FETCH_ALLOW = ["127.0.0.1/32"]  # the first page's server, by exception
    metadata = b"http://169.254.169.254/latest/meta-data/"
    routes = {
        "/article": (200, "text/html", ARTICLE_HTML.encode()),
        "/moved": (302, "redirect", metadata),
    }
    with serve(routes) as base:
        allowed = editor_api.post(URL, {"url": f"{base}/article"}, format="json")
        moved = editor_api.post(URL, {"url": f"{base}/moved"}, format="json")
    assert allowed.status_code == 200, allowed.json()
    assert moved.status_code == 400
    message = moved.json()["url"][0]
    assert "169.254.169.254" in message
    assert "not a public internet address" in message


def test_a_headline_is_never_proposed_as_a_statement(editor_api):
    demo_speakers()
    headline = "Lavrov: “The West keeps pumping weapons into Ukraine”"
    text = (
        f"{headline}\n\n"
        "Russian Foreign Minister Sergey Lavrov said on Tuesday that the West kept “pumping "
        "weapons into Ukraine” and prolonged the conflict."
    )
    for title in ({"title": headline}, {}):  # the title repeated in the text, or an opening
        body = {"text": text, "published": "2023-10-20", **title}
        response = editor_api.post(URL, body, format="json")
        assert response.status_code == 200, response.json()
        proposals = response.json()["proposals"]
        assert [p["excerpt"][:42] for p in proposals] == [
            "Russian Foreign Minister Sergey Lavrov sai"
        ]


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Игоря Иванова", "Игорь Иванов"),  # a man's given name and surname, genitive
        ("Марии Ивановой", "Мария Иванова"),  # a woman's
        ("Абдель Хафиз Нофаль", "Абдель Хафиз Нофаль"),  # a foreign name, kept as written
    ],
)
def test_a_new_speaker_named_in_another_case_is_proposed_in_the_nominative(
    editor_api, written, name
):
    # Russian declines names: "по словам Игоря Иванова" (Igor Ivanov's words, genitive).
    text = f"По словам {written}, переговоры продолжатся на следующей неделе в Женеве."
    body = {"text": text, "published": "2023-10-20", "language": "ru"}
    [proposal] = editor_api.post(URL, body, format="json").json()["proposals"]
    assert proposal["speaker"]["key"] is None
    assert proposal["speaker"]["name"] == name


def test_according_to_him_follows_back_to_the_person_named_before(editor_api):
    demo_speakers()
    text = (
        "Vladimir Putin held talks with the Turkish president in Ankara on Tuesday.\n\n"
        "According to him, the talks will continue next week in Geneva with both delegations."
    )
    body = {"text": text, "published": "2023-10-20"}
    [proposal] = editor_api.post(URL, body, format="json").json()["proposals"]
    assert proposal["speaker"]["key"] == "vladimir-putin"
    assert proposal["kind"] == "indirect"
    assert proposal["text"].startswith("The talks will continue next week")


def test_a_passive_or_a_document_is_not_a_persons_statement(editor_api):
    text = (
        "Israel has been accused of violating international humanitarian law in Gaza by "
        "several agencies.\n\n"
        "Article 99 of the Charter states that the Secretary-General may bring any matter to "
        "the attention of the Security Council.\n\n"
        "Guterres invoked Article 99, saying that the humanitarian system in Gaza faced a "
        "severe risk of collapse."
    )
    body = {"text": text, "published": "2023-12-07"}
    proposals = editor_api.post(URL, body, format="json").json()["proposals"]
    assert [(p["speaker"]["name"], p["kind"]) for p in proposals] == [("Guterres", "indirect")]
    assert proposals[0]["text"].startswith("The humanitarian system in Gaza")


CALL_REPORT = (
    "On 14 October 2023, in a phone call with Saudi Foreign Minister Faisal bin Farhan, Chinese "
    "Foreign Minister Wang Yi said that Israel's actions had gone beyond the scope of "
    "self-defense."
)


def test_the_occasion_on_record_is_proposed_when_the_speaker_took_part_that_day(editor_api):
    from tests.factories import OccasionFactory, OccasionParticipantFactory

    speakers = demo_speakers()
    call = OccasionFactory(key="wang-faisal-call", name="Call with Faisal", start="2023-10-14")
    OccasionParticipantFactory(occasion=call, speaker=speakers["wang-yi"], country="CN")
    OccasionFactory(key="other-call", start="2023-10-14")  # Wang Yi took no part
    response = editor_api.post(URL, {"text": CALL_REPORT}, format="json")
    [proposal] = response.json()["proposals"]
    assert proposal["said"] == "2023-10-14"
    assert proposal["occasion"]["key"] == "wang-faisal-call"
    assert proposal["occasion"]["on_record"] is True


def test_a_new_occasion_is_proposed_from_the_reports_words(editor_api):
    demo_speakers()
    response = editor_api.post(URL, {"text": CALL_REPORT}, format="json")
    [proposal] = response.json()["proposals"]
    occasion = proposal["occasion"]
    assert occasion["key"] is None
    assert occasion["on_record"] is False
    assert occasion["kind"] == "call"
    assert "phone call" in occasion["name"].lower()
    assert occasion["start"] == "2023-10-14"
