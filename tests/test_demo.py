import io

import pytest
from django.core.management import call_command

from quotes.models import Affiliation, Citation, Quote, Source, Speaker, Translation

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Speaker, Affiliation, Source, Quote, Translation, Citation)
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
    assert wang_yi.citations.get().source.title.startswith("China and Russia Find Common Cause")
    putin = Quote.objects.get(speaker__key="vladimir-putin")
    assert "failure of United States policy in the Middle East" in putin.translations.get().text
    assert putin.role.role == "President of Russia"
    assert Quote.objects.get(speaker__key="ma-xiaolin").said.precision == "month"
    assert set(wang_yi.topics.values_list("name", flat=True)) == {"Gaza", "Israel–Hamas war"}


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
