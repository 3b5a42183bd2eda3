"""Admin login throttling: 10 failures for a user name or from an address lock it out."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from tests.factories import EditorFactory

PASSWORD = "correct horse battery staple"  # the factories' password
LOGIN = "/admin/login/?next=/admin/"

pytestmark = pytest.mark.django_db


def log_in(username: str, password: str, address: str = "203.0.113.7"):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def fail(times: int, username: str, address: str = "203.0.113.7") -> None:
    """Fail ``times`` logins; the tenth failure is answered with the lock-out page."""
    for number in range(1, times + 1):
        response = log_in(username, "wrong password", address)
        if number < 10:
            assert response.status_code == 200  # the login form again, with its error
            assert "Please enter the correct username and password" in response.text
        else:
            assert_refused(response)


def assert_refused(response) -> None:
    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "refused for 15 minutes" in response.text


def test_ten_failures_for_one_user_name_lock_it_out_even_with_the_right_password():
    editor = EditorFactory()
    fail(10, editor.username, address="203.0.113.1")
    # From another address too: the user name itself is locked.
    assert_refused(log_in(editor.username, PASSWORD, address="198.51.100.9"))


def test_nine_failures_do_not_lock_and_a_success_starts_the_count_again():
    editor = EditorFactory()
    fail(9, editor.username)
    assert log_in(editor.username, PASSWORD).status_code == 302
    fail(9, editor.username)
    assert log_in(editor.username, PASSWORD).status_code == 302


def test_ten_failures_from_one_address_lock_that_address_out():
    editor = EditorFactory()
    for number in range(9):
        response = log_in(f"guess-{number}", "wrong password", address="192.0.2.50")
        assert response.status_code == 200
    assert_refused(log_in("guess-9", "wrong password", address="192.0.2.50"))
    assert_refused(log_in(editor.username, PASSWORD, address="192.0.2.50"))
    # The same editor from elsewhere is not affected.
    assert log_in(editor.username, PASSWORD, address="192.0.2.51").status_code == 302


def test_the_lock_ends_after_fifteen_minutes():
    editor = EditorFactory()
    fail(10, editor.username)
    assert_refused(log_in(editor.username, PASSWORD))
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(editor.username, PASSWORD).status_code == 302


def test_failed_logins_are_recorded_for_the_administrator():
    editor = EditorFactory()
    fail(10, editor.username, address="203.0.113.99")
    attempt = AccessAttempt.objects.get(username=editor.username)
    assert attempt.failures_since_start == 10
    assert attempt.ip_address == "203.0.113.99"
    assert AccessFailureLog.objects.filter(username=editor.username, locked_out=True).exists()

    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert editor.username in listing.text
    assert "203.0.113.99" in listing.text
    # The administrator lifts the lock by deleting the attempt.
    AccessAttempt.objects.filter(username=editor.username).delete()
    assert log_in(editor.username, PASSWORD).status_code == 302


def test_behind_a_proxy_the_forwarded_address_is_the_one_locked(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR"]
    editor = EditorFactory()
    proxy = "10.0.0.1"

    def via_proxy(username, password, client_address):
        return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{client_address}, {proxy}").post(
            LOGIN, {"username": username, "password": password}
        )

    for number in range(9):
        assert via_proxy(f"guess-{number}", "wrong", "192.0.2.80").status_code == 200
    assert_refused(via_proxy("guess-9", "wrong", "192.0.2.80"))
    assert_refused(via_proxy(editor.username, PASSWORD, "192.0.2.80"))
    # Another client behind the same proxy still logs in.
    assert via_proxy(editor.username, PASSWORD, "192.0.2.81").status_code == 302
