import io

import pytest
from django.core.management import call_command

from quotes.models import (
    Affiliation,
    Citation,
    OccasionAccount,
    Quote,
    Source,
    Speaker,
    Translation,
)

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Speaker, Affiliation, Source, Quote, Translation, Citation, OccasionAccount)
    }


def test_load_demo_loads_the_article_statements():
    call_command("load_demo")
    wang_yi = Quote.objects.get(speaker__key="wang-yi")
    assert wang_yi.language == "zh"
    assert "集体惩罚" in wang_yi.text
    assert wang_yi.kind == Quote.Kind.PARTIAL
    assert str(wang_yi.said) == "2023-10-14"
    assert "collective punishment" in wang_yi.translations.get(language="en").text
    assert wang_yi.role.role == "Minister of Foreign Affairs"
    assert wang_yi.role_resolution == Quote.RoleResolution.RESOLVED
    assert "Saudi" in wang_yi.context
    assert wang_yi.occasion.kind == "call"
    assert str(wang_yi.occasion.start) == "2023-10-14"
    assert {p.speaker.key for p in wang_yi.occasion.participants.all()} == {
        "wang-yi",
        "faisal-bin-farhan",
    }
    # In the ministry's readout's words, cited there and in the news report.
    report, readout = wang_yi.citations.order_by("source__kind").select_related("source")
    assert readout.excerpt == wang_yi.text
    assert readout.excerpt in readout.source.full_text
    assert report.source.title.startswith("China and Russia Find Common Cause")
    putin = Quote.objects.get(speaker__key="vladimir-putin")
    assert "failure of United States policy in the Middle East" in putin.translations.get().text
    assert putin.role.role == "President of Russia"
    assert Quote.objects.get(speaker__key="ma-xiaolin").said.precision == "month"
    assert set(wang_yi.topics.values_list("name", flat=True)) == {"Gaza", "Israel–Hamas war"}


def test_the_demo_call_has_both_parties_accounts_from_their_published_texts(client):
    """China's readout and a press report of the Saudi account of the call, each the text
    published at its address; both on the occasion's page, which is public."""
    call_command("load_demo")
    wang_yi = Quote.objects.get(speaker__key="wang-yi")
    accounts = {
        account.party: account
        for account in wang_yi.occasion.accounts.select_related("source", "organization")
    }
    china = accounts["Ministry of Foreign Affairs of the People's Republic of China"]
    saudi = accounts["Saudi Arabia"]
    assert (china.kind, china.source.language) == ("readout", "zh")
    assert "停止对加沙民众的集体惩罚" in china.source.full_text
    assert china.source.url.startswith("https://")
    assert (saudi.kind, saudi.source.language) == ("press_report", "en")
    assert "lifting the siege on Gaza" in saudi.source.full_text
    assert saudi.source.url.startswith("https://www.eurasiareview.com/")
    page = client.get(f"/occasions/{wang_yi.occasion.key}/").content.decode()
    assert "Saudi FM Discusses Gaza Situation With China" in page
    assert "Ministry of Foreign Affairs of the People&#x27;s Republic of China" in page
    assert client.get(f"/sources/{saudi.source.key}/").status_code == 200


def test_load_demo_twice_gives_the_same_data():
    call_command("load_demo")
    first = snapshot()
    keys = sorted(Quote.objects.values_list("key", "role_id"))
    call_command("load_demo")
    assert snapshot() == first
    assert sorted(Quote.objects.values_list("key", "role_id")) == keys


def test_prepare_demo_site_prints_its_steps_and_the_demo_statements(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    out = io.StringIO()
    call_command("prepare_demo_site", stdout=out)
    printed = out.getvalue()
    steps = [
        "Database",
        "Migrations",
        "Static files",
        "Demo statements",
        "Search index",
        "Public dump",
    ]
    for number, step in enumerate(steps, start=1):
        assert f"[{number}/6] {step}…" in printed
        assert f"{step}: done in " in printed
    assert "Loaded 3 demo statements" in printed
    assert "Admin: http://127.0.0.1:8000/admin/" in printed
    assert "onrecord-statements-" in printed  # a first run writes a public dump
