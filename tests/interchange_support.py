"""Helpers shared by the interchange tests: running the commands and looking at the database."""

from __future__ import annotations

import json
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from lineage.models import Decision
from quotes.models import (
    Affiliation,
    Citation,
    Occasion,
    OccasionAccount,
    OccasionParticipant,
    Organization,
    Quote,
    Source,
    Speaker,
    SpeakerName,
    Topic,
    Translation,
)

MODELS = (
    Occasion,
    OccasionAccount,
    OccasionParticipant,
    Organization,
    Speaker,
    SpeakerName,
    Affiliation,
    Source,
    Quote,
    Translation,
    Citation,
    Topic,
    Decision,
)


@dataclass
class Outcome:
    ok: bool
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("line ")]


def ndjson(*records: dict) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def run_import(path: Path, content: str | bytes | None = None, *args: str) -> Outcome:
    if content is not None:
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    out, err = StringIO(), StringIO()
    try:
        call_command("import_records", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        err.write(f"{error}\n")
        return Outcome(False, out.getvalue(), err.getvalue())
    return Outcome(True, out.getvalue(), err.getvalue())


def export_text(*args: str) -> str:
    out = StringIO()
    call_command("export_records", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def empty_database() -> None:
    Quote.objects.all().delete()
    Occasion.objects.all().delete()
    Speaker.objects.all().delete()
    Source.objects.all().delete()
    Organization.objects.all().delete()
    Topic.objects.all().delete()
    assert not any(snapshot().values())


ORGANIZATION = {
    "type": "organization",
    "key": "prc-mfa",
    "name": "Ministry of Foreign Affairs",
    "kind": "ministry",
    "country": "CN",
}
SPEAKER = {
    "type": "speaker",
    "key": "wang-yi",
    "name": "Wang Yi",
    "names": [{"name": "王毅", "language": "zh"}],
    "affiliations": [
        {"organization": "prc-mfa", "role": "Minister of Foreign Affairs", "start": "2013-03-16"}
    ],
}
SOURCE = {
    "type": "source",
    "key": "mfa-2023-10-14",
    "title": "Wang Yi Speaks with Saudi Foreign Minister",
    "url": "https://www.mfa.gov.cn/eng/2023-10-14",
}
QUOTE = {
    "type": "quote",
    "key": "wang-yi-2023-10-14",
    "speaker": "wang-yi",
    "said": "2023-10-14",
    "language": "zh",
    "kind": "partial",
    "text": "停止对加沙民众的集体惩罚",
    "translations": [{"language": "en", "text": "stop the collective punishment"}],
    "citations": [{"source": "mfa-2023-10-14", "excerpt": "collective punishment"}],
    "status": "published",
}
VALID = [ORGANIZATION, SPEAKER, SOURCE, QUOTE]
