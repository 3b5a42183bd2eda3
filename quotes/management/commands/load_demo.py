import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from quotes import services
from quotes.models import (
    Affiliation,
    Citation,
    Organization,
    Quote,
    Source,
    Speaker,
    SpeakerName,
    Topic,
    Translation,
)

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "demo.ndjson"


class Command(BaseCommand):
    help = "Load the demo statements (China, Russia and the Israel-Hamas war, October 2023)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        records = [json.loads(line) for line in DEMO_FILE.read_text(encoding="utf-8").splitlines()]
        loaders = {
            "organization": self.load_organization,
            "speaker": self.load_speaker,
            "source": self.load_source,
            "quote": self.load_quote,
        }
        for record in records:
            loaders[record["type"]](dict(record))
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(records)} demo records."))

    def load_organization(self, record: dict) -> None:
        parent = record.pop("parent", None)
        Organization.objects.update_or_create(
            key=record["key"],
            defaults={
                **_fields(record, "name", "kind", "country", "aliases", "wikidata", "url"),
                "parent": Organization.objects.get(key=parent) if parent else None,
            },
        )

    def load_speaker(self, record: dict) -> None:
        speaker, _ = Speaker.objects.update_or_create(
            key=record["key"],
            defaults=_fields(record, "name", "country", "wikidata", "description"),
        )
        speaker.names.all().delete()
        SpeakerName.objects.bulk_create(
            SpeakerName(speaker=speaker, name=n["name"], language=n.get("language", ""))
            for n in record.get("names", [])
        )
        kept = []
        for item in record.get("affiliations", []):
            affiliation, _ = Affiliation.objects.update_or_create(
                speaker=speaker,
                organization=Organization.objects.get(key=item["organization"]),
                role=item["role"],
                start=item.get("start"),
                defaults={"end": item.get("end")},
            )
            kept.append(affiliation.pk)
        for stale in speaker.affiliations.exclude(pk__in=kept):
            services.affiliation_delete(affiliation=stale)
        services.speaker_quotes_reresolve(speaker=speaker)

    def load_source(self, record: dict) -> None:
        fields = ("kind", "title", "url", "publisher", "published", "language", "author")
        Source.objects.update_or_create(key=record["key"], defaults=_fields(record, *fields))

    def load_quote(self, record: dict) -> None:
        quote = Quote.objects.filter(key=record["key"]).first() or Quote(key=record["key"])
        for name, value in _fields(record, "text", "language", "kind", "said", "context").items():
            setattr(quote, name, value)
        quote.speaker = Speaker.objects.get(key=record["speaker"])
        quote.status = record.get("status", Quote.Status.DRAFT)
        services.quote_save(quote=quote)
        topics = [
            Topic.objects.get_or_create(
                key=key, defaults={"name": key.replace("-", " ").capitalize()}
            )[0]
            for key in record.get("topics", [])
        ]
        quote.topics.set(topics)
        quote.translations.all().delete()
        for item in record.get("translations", []):
            Translation.objects.create(quote=quote, **item)
        quote.citations.all().delete()
        for item in record.get("citations", []):
            source = Source.objects.get(key=item["source"])
            Citation.objects.create(quote=quote, source=source, excerpt=item["excerpt"])


def _fields(record: dict, *names: str) -> dict:
    return {name: record[name] for name in names if name in record}
