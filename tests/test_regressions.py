"""One test per defect listed in issue 8, each failing before its fix.

Defects 1 to 9 are also rules of the conformance matrix (tests/test_conformance.py); the
tests here replay each report as it was made.
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from quotes.models import Quote
from tests.admin_forms import admin_form_data
from tests.conftest import token_client
from tests.factories import QuoteFactory, UserFactory

pytestmark = pytest.mark.django_db
QUOTES = "/api/v1/quotes/"


def test_defect_10_a_permission_given_directly_works_in_the_api_as_in_the_admin(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_quote", "view_quote"])
    )
    quote = QuoteFactory(status=Quote.Status.DRAFT, context="")
    response = token_client(user).patch(
        f"{QUOTES}{quote.key}/", {"context": "A phone call."}, format="json"
    )
    assert response.status_code == 200, response.content
    client.force_login(user)
    url = reverse("admin:quotes_quote_change", args=[quote.pk])
    data = admin_form_data(client.get(url), context="A press conference.")
    assert client.post(url, data).status_code == 302
    quote.refresh_from_db()
    assert quote.context == "A press conference."
