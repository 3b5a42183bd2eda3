from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quotes import services
from quotes.actors import SystemActor
from quotes.history import command_context
from quotes.models import Topic

ACTOR = SystemActor("load_demo")
DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "demo.ndjson"
# The interchange format names topics by key only; the demo gives them proper names.
DEMO_TOPIC_NAMES = {
    "israel-hamas-war": "Israel–Hamas war",
    "gaza": "Gaza",
    "united-states-foreign-policy": "United States foreign policy",
    "china-foreign-policy": "China's foreign policy",
}


class Command(BaseCommand):
    help = (
        "Load the demo statements (China, Russia and the Israel-Hamas war, October 2023) "
        "with the importer; running it again changes nothing."
    )

    def handle(self, *args, **options) -> None:
        with DEMO_FILE.open("rb") as stream, command_context("load_demo"):
            report = services.records_import(
                lines_or_stream=stream, dry_run=False, user=ACTOR, label=DEMO_FILE.name
            )
            if not report.ok:
                raise CommandError("\n".join(str(error) for error in report.errors))
            for key, name in DEMO_TOPIC_NAMES.items():
                Topic.objects.filter(key=key).exclude(name=name).update(name=name)
        statements = report.counts["quote"]
        count = statements.created + statements.updated + statements.unchanged
        created = sum(counts.created for counts in report.counts.values())
        updated = sum(counts.updated for counts in report.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {count} demo statement{'s' if count != 1 else ''} "
                f"({report.lines} records: {created} created, {updated} updated, "
                f"{report.lines - created - updated} unchanged)."
            )
        )
