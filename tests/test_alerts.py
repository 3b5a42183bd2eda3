"""Alerts: sign-up, double opt-in, matching of public changes, mails by a real worker to a
real SMTP server, one-click unsubscribe, digests, limits."""

from __future__ import annotations

import email
import re
from email import policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from alerts import delivery, matching
from alerts import services as alert_services
from alerts.models import Alert, Delivery, Match, Subscriber
from alerts.tasks import alerts_immediate
from quotes import services as quote_services
from quotes.models import Quote
from tests.factories import ReviewerFactory, SpeakerFactory, quote_with_related
from tests.live_site import free_port

# Real commits (the worker reads them); serialized_rollback: the tests after these find the
# groups and data of migrations again.
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Inbox:
    """What the SMTP server received."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.ONRECORD_SITE_URL = "http://testserver"
    yield inbox
    controller.stop()


@pytest.fixture(scope="module", autouse=True)
def _worker_sessions_ended(django_db_setup, django_db_blocker):
    """The worker's periodic deferrer keeps a connection in a thread of its own executor,
    which outlives the worker; end it after these tests, or the test database cannot be
    dropped."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def run_worker() -> None:
    """A real Procrastinate worker, in this process, until no job of the alerts is left (not
    the captures', which would fetch the sources' pages). A worker that does not wait stops
    when it finds none, even if a job it runs defers another (the matcher's run queues the
    sending of the mails): it is started again until none is left."""
    from django.db import connection
    from procrastinate.contrib.django import app

    worker_app = app.with_connector(app.connector.get_worker_connector())
    for _ in range(5):
        worker_app.run_worker(
            queues=["alerts", "mail"],
            wait=False,
            install_signal_handlers=False,
            listen_notify=False,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo' "
                "AND queue_name IN ('alerts', 'mail') "
                "AND (scheduled_at IS NULL OR scheduled_at <= now())"
            )
            if not cursor.fetchone()[0]:
                return


def text_of(message, subtype: str) -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


def link(message, path: str) -> str:
    url = re.search(rf"http://testserver({path}[^\s<>\"]+)", text_of(message, "plain"))
    return url.group(1)


def publish(quote: Quote) -> Quote:
    return quote_services.quote_publish(quote=quote, user=ReviewerFactory())


def confirmed_alert(
    address: str, frequency: str = "immediate", language: str = "en", **target
) -> Alert:
    from alerts import services

    alert = services.alert_subscribe(
        email=address, frequency=frequency, target=target, client="127.0.0.9", language=language
    )
    services.alert_confirm(alert=alert)
    return alert


@transactional
def test_subscribe_confirm_publish_and_the_mail_arrives(api_client, smtp):
    speaker = quote_with_related().speaker
    response = api_client.post(
        "/api/v1/alerts/",
        {"email": "reader@example.org", "frequency": "immediate", "speaker": speaker.key},
        format="json",
    )
    assert response.status_code == 202
    run_worker()
    [confirmation] = smtp.messages
    assert confirmation["To"] == "reader@example.org"
    assert Alert.objects.get().confirmed_at is None
    confirm_path = link(confirmation, "/alerts/confirm/")
    assert Client().post(confirm_path).status_code == 302
    matching.run()  # the matcher starts before the publication
    quote = publish(quote_with_related(speaker=speaker, status=Quote.Status.REVIEW))
    alerts_immediate.defer(timestamp=0)
    run_worker()
    mail = smtp.messages[-1]
    assert len(smtp.messages) == 2
    plain, html = text_of(mail, "plain"), text_of(mail, "html")
    for part in (plain, html):
        assert speaker.name in part
        assert quote.text in part
        assert quote.role.role in part
        assert "14 October 2023" in part
        assert quote.citations.get().source.title in part
        assert f"/quotes/{quote.key}/" in part
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(
        r"<http://testserver/alerts/unsubscribe/[^>]+/>", mail["List-Unsubscribe"].strip()
    )
    assert Delivery.objects.filter(status="sent").count() == 2


@transactional
def test_one_click_unsubscribe_by_post_without_a_session(smtp):
    speaker = quote_with_related().speaker
    confirmed_alert("reader@example.org", speaker=speaker.key)
    run_worker()
    [mail] = smtp.messages
    path = urlsplit(mail["List-Unsubscribe"].strip().strip("<>")).path
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Subscriber.objects.exists()
    assert not Alert.objects.exists()
    assert not Delivery.objects.exists()
    assert "/alerts/unsubscribe/" in text_of(mail, "html")


@transactional
def test_a_digest_has_one_mail_per_address_each_statement_once_grouped_by_alert(smtp):
    speaker = quote_with_related().speaker
    confirmed_alert("reader@example.org", "daily", speaker=speaker.key)
    confirmed_alert("reader@example.org", "daily", search={"q": "situation"})
    matching.run()
    first = publish(quote_with_related(speaker=speaker, status=Quote.Status.REVIEW))
    other = publish(quote_with_related(status=Quote.Status.REVIEW))
    run_worker()  # the confirmations
    smtp.messages.clear()
    matching.run()
    assert delivery.collect("immediate") == 0
    assert delivery.collect("daily") == 1
    run_worker()
    [mail] = smtp.messages
    plain = text_of(mail, "plain")
    permalinks = [f"/quotes/{quote.key}/" for quote in (first, other)]
    assert [plain.count(permalink) for permalink in permalinks] == [1, 1]
    by_speaker = plain.index(f"== Statements by {speaker.name} ==")
    by_search = plain.index("== Search: q=situation ==")
    assert by_speaker < plain.index(permalinks[0]) < by_search < plain.index(permalinks[1])
    assert "2 statements" in mail["Subject"]


@transactional
def test_a_retraction_after_mailing_is_mailed_again_and_a_draft_never(smtp):
    speaker = quote_with_related().speaker
    confirmed_alert("reader@example.org", speaker=speaker.key)
    matching.run()
    quote = publish(quote_with_related(speaker=speaker, status=Quote.Status.REVIEW))
    draft = quote_with_related(speaker=speaker, status=Quote.Status.DRAFT, text="A draft.")
    alerts_immediate.defer(timestamp=0)
    run_worker()
    assert all(draft.text not in text_of(m, "plain") for m in smtp.messages)
    smtp.messages.clear()
    quote_services.quote_retract(quote=quote, reason="Misattributed.", user=ReviewerFactory())
    alerts_immediate.defer(timestamp=1)
    run_worker()
    [mail] = smtp.messages
    assert "RETRACTED" in text_of(mail, "plain")
    assert "Misattributed." in text_of(mail, "html")
    assert not Match.objects.filter(change__quote=draft).exists()


@pytest.mark.django_db
def test_a_bad_value_is_a_400_naming_it(api_client):
    speaker = quote_with_related().speaker
    cases = [
        ({"frequency": "hourly", "speaker": speaker.key}, "frequency"),
        ({"frequency": "daily", "search": {"said_after": "yesterday"}}, "search.said_after"),
        ({"frequency": "daily", "search": {"colour": "red"}}, "search.colour"),
        ({"frequency": "daily", "speaker": speaker.key, "topic": "x"}, "topic"),
        ({"frequency": "daily", "speaker": "nobody-here"}, "speaker"),
        # Topics keep no old keys: an unknown one is a 400 too, not a 500 (found by make fuzz).
        ({"frequency": "immediate", "topic": "0"}, "topic"),
        # A NUL byte in a key is a 400 too, not PostgreSQL's DataError (found by make fuzz).
        ({"frequency": "immediate", "quote": "remark\x008"}, "quote"),
        ({"frequency": "daily", "speaker": speaker.key, "language": "klingon"}, "language"),
        ({"frequency": "daily", "speaker": speaker.key, "language": 7}, "language"),
        ({"frequency": "daily", "speaker": speaker.key, "language": None}, "language"),
        ({"frequency": "daily", "speaker": speaker.key, "language": {}}, "language"),
        ({"frequency": "daily", "speaker": speaker.key, "language": "fr-CA"}, "language"),
    ]
    for body, name in cases:
        response = api_client.post(
            "/api/v1/alerts/", {"email": "reader@example.org", **body}, format="json"
        )
        assert response.status_code == 400, body
        assert name in response.json(), response.json()
    draft = quote_with_related(status=Quote.Status.DRAFT)
    response = api_client.post(
        "/api/v1/alerts/",
        {"email": "reader@example.org", "frequency": "daily", "quote": draft.key},
        format="json",
    )
    assert "quote" in response.json()


@pytest.mark.django_db
def test_sign_ups_are_limited_per_address_and_per_client(api_client, settings):
    settings.ALERTS_SIGNUPS_PER_ADDRESS = 2
    settings.ALERTS_SIGNUPS_PER_CLIENT = 3
    speaker = SpeakerFactory()
    quote_with_related(speaker=speaker)

    def sign_up(address: str, client: str = "10.0.0.1"):
        return api_client.post(
            "/api/v1/alerts/",
            {"email": address, "frequency": "daily", "speaker": speaker.key},
            format="json",
            REMOTE_ADDR=client,
        )

    assert [sign_up("victim@example.org").status_code for _ in range(3)] == [202, 202, 429]
    assert sign_up("victim@example.org", client="10.0.0.2").status_code == 429
    assert sign_up("other@example.org").status_code == 202
    assert sign_up("third@example.org").status_code == 429  # the client's fourth
    assert Delivery.objects.filter(kind="confirmation").count() == 3


@pytest.mark.django_db
def test_my_alerts_page_pauses_changes_and_deletes_by_signed_link(client):
    from alerts import links

    speaker = quote_with_related().speaker
    alert = confirmed_alert("reader@example.org", speaker=speaker.key)
    path = urlsplit(links.manage_url(alert.subscriber)).path
    page = client.get(path)
    assert f"Statements by {speaker.name}" in page.content.decode()
    client.post(path, {"alert": alert.pk, "action": "pause"})
    client.post(path, {"alert": alert.pk, "action": "frequency", "frequency": "weekly"})
    alert.refresh_from_db()
    assert (alert.paused, alert.frequency) == (True, "weekly")
    assert '<option value="en" selected>English</option>' in client.get(path).content.decode()
    client.post(path, {"action": "language", "language": "fr"})
    assert client.post(path, {"action": "language", "language": "xx"}).status_code == 400
    assert Subscriber.objects.get().language == "fr"
    assert '<option value="fr" selected>French</option>' in client.get(path).content.decode()
    assert client.get(path[:-3] + "xx/").status_code == 404
    client.post(path, {"action": "delete-everything"})
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
def test_the_reader_pages_offer_alerts_beside_the_feed(client):
    speaker = quote_with_related().speaker
    page = client.get(f"/speakers/{speaker.key}/").content.decode()
    assert f'href="/alerts/new/?speaker={speaker.key}"' in page
    form = client.get(f"/alerts/new/?speaker={speaker.key}", HTTP_ACCEPT_LANGUAGE="de-CH, fr")
    assert form.status_code == 200
    assert '<option value="de" selected>German</option>' in form.content.decode()
    response = client.post(
        "/alerts/new/",
        {
            "speaker": speaker.key,
            "email": "r@example.org",
            "frequency": "weekly",
            "mail_language": "fr",
        },
    )
    assert response.status_code == 202
    assert Alert.objects.get().speaker == speaker
    assert Alert.objects.get().subscriber.language == "fr"


@pytest.mark.django_db
def test_a_search_alert_keeps_its_language_criterion_beside_the_mail_language(client):
    quote_with_related()
    client.post(
        "/alerts/new/?language=zh",
        {"language": "zh", "email": "r@example.org", "frequency": "daily", "mail_language": "es"},
    )
    alert = Alert.objects.get()
    assert (alert.search, alert.subscriber.language) == ({"language": "zh"}, "es")


@transactional
def test_each_reader_gets_the_translation_in_their_language_labelled(api_client, smtp):
    from tests.factories import TranslationFactory

    speaker = quote_with_related().speaker
    readers = {"fr": "lecteur@example.org", "en": "reader@example.org", "de": "leser@example.org"}
    for language, address in readers.items():
        body = {"email": address, "frequency": "immediate", "speaker": speaker.key}
        response = api_client.post("/api/v1/alerts/", {**body, "language": language}, format="json")
        assert response.status_code == 202
    for alert in Alert.objects.all():
        alert_services.alert_confirm(alert=alert)
    matching.run()
    quote = quote_with_related(
        speaker=speaker, status=Quote.Status.REVIEW, language="zh", text="集体惩罚", translations=()
    )
    TranslationFactory(quote=quote, language="fr", official=True, text="Une punition collective.")
    TranslationFactory(quote=quote, language="en-GB", text="A collective punishment.")
    publish(quote)
    run_worker()  # the confirmations
    smtp.messages.clear()
    alerts_immediate.defer(timestamp=0)
    run_worker()
    mails = {mail["To"]: mail for mail in smtp.messages}
    assert set(mails) == set(readers.values())
    french, english, german = (mails[readers[language]] for language in ("fr", "en", "de"))
    for mail in (french, english, german):
        for part in (text_of(mail, "plain"), text_of(mail, "html")):
            assert "As said, in Chinese" in part
            assert "集体惩罚" in part
    for part in (text_of(french, "plain"), text_of(french, "html")):
        assert "French · <strong>official translation</strong>" in part or (
            'French · official translation: "Une punition collective."' in part
        )
        assert "A collective punishment." not in part
    for part in (text_of(english, "plain"), text_of(english, "html")):
        assert "English · OnRecord&#x27;s translation" in part or (
            'English · OnRecord\'s translation: "A collective punishment."' in part
        )
        assert "Une punition collective." not in part
    for part in (text_of(german, "plain"), text_of(german, "html")):
        assert "translation" not in part.lower()


@transactional
def test_a_watched_statement_tells_its_new_source_and_translation_not_a_search(smtp):
    from tests.factories import CitationFactory, TranslationFactory

    quote = quote_with_related(translations=())
    confirmed_alert("watcher@example.org", quote=quote.key)
    confirmed_alert("searcher@example.org", speaker=quote.speaker.key)
    matching.run()
    run_worker()  # the confirmations
    smtp.messages.clear()
    CitationFactory(quote=quote, excerpt=quote.text)
    TranslationFactory(quote=quote, language="en-GB", text="A new English translation.")
    alerts_immediate.defer(timestamp=0)
    run_worker()
    [mail] = smtp.messages
    assert mail["To"] == "watcher@example.org"
    plain = text_of(mail, "plain")
    assert "NEW SOURCE" in plain
    assert "NEW TRANSLATION" in plain


@transactional
def test_digests_go_in_batches_over_two_connections_and_a_failed_one_waits(
    settings, monkeypatch, mailoutbox
):
    from django.core import mail as django_mail
    from django.core.mail import EmailMultiAlternatives

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    speaker = quote_with_related().speaker
    addresses = [f"reader{n}@example.org" for n in range(5)]
    for address in addresses:
        confirmed_alert(address, "daily", speaker=speaker.key)
    matching.run()
    publish(quote_with_related(speaker=speaker, status=Quote.Status.REVIEW))
    matching.run()
    monkeypatch.setattr(delivery, "BATCH", 2)
    monkeypatch.setattr(delivery, "SENDERS", 2)
    connections = []
    real_connection = django_mail.get_connection

    def counted(*args, **kwargs):
        connections.append(1)
        return real_connection(*args, **kwargs)

    monkeypatch.setattr(delivery, "get_connection", counted)
    real_send = EmailMultiAlternatives.send

    def refused_for_one(message, *args, **kwargs):
        if message.to == ["reader3@example.org"]:
            raise ConnectionRefusedError("the relay refused it")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", refused_for_one)
    mailoutbox.clear()
    assert delivery.collect("daily") == 5
    assert delivery.send_pending() == 4
    assert len(connections) == 5  # batches of 2, 2 and 1, each over up to two connections
    assert {m.to[0] for m in mailoutbox} == set(addresses) - {"reader3@example.org"}
    failed = Delivery.objects.get(subscriber__email="reader3@example.org", kind="alerts")
    assert (failed.status, failed.attempts) == ("pending", 1)
    assert "refused" in failed.error
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    assert delivery.send_pending() == 1  # the later run
    assert Delivery.objects.filter(kind="alerts", status="sent").count() == 5


@transactional
def test_a_saved_search_is_matched_from_the_criteria_parsed_when_it_was_saved():
    from alerts.targets import criteria

    speaker = quote_with_related().speaker
    spellings = [
        {"said_after": "2023", "q": "situation"},
        {"said_after": "2023-01-01", "q": " situation "},
    ]
    alerts = [
        confirmed_alert(f"r{n}@example.org", "daily", search=s) for n, s in enumerate(spellings)
    ]
    paused = confirmed_alert("paused@example.org", "daily", search=spellings[0])
    alert_services.alert_update(alert=paused, paused=True)
    assert alerts[0].criteria == alerts[1].criteria == criteria(alerts[1].search)
    assert alerts[0].criteria["filters"]["said_from"] == "2023-01-01"
    matching.run()
    quote = publish(quote_with_related(speaker=speaker, status=Quote.Status.REVIEW))
    matching.run()
    matched = Match.objects.values_list("alert__subscriber__email", "change__quote")
    assert sorted(matched) == [("r0@example.org", quote.pk), ("r1@example.org", quote.pk)]
