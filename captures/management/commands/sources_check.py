from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from captures import services
from quotes.actors import SystemActor
from quotes.history import command_context
from quotes.models import Source
from quotes.selectors import record_by_key


class Command(BaseCommand):
    help = (
        "Capture the pages of cited sources and check their citations' excerpts against "
        "them: one source (--source KEY), those due for a capture (--due), or all cited "
        "sources with an address."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", metavar="KEY", help="The key of one source.")
        parser.add_argument(
            "--due", action="store_true", help="Only sources due for a capture (re-check period)."
        )

    def handle(self, *args, **options) -> None:
        sources = self.sources(options["source"], options["due"])
        actor = SystemActor("sources_check")
        counts: dict[str, int] = {}
        with command_context("sources_check"):
            for source in tqdm(sources, total=len(sources), unit="source", disable=None):
                capture = services.source_capture(source=source, actor=actor)
                outcome = "failed" if capture.error else str(capture.status)
                counts[outcome] = counts.get(outcome, 0) + 1
        summary = ", ".join(f"{outcome}: {n}" for outcome, n in sorted(counts.items()))
        self.stdout.write(f"{len(sources)} source(s) captured. {summary}".strip())

    def sources(self, key: str | None, due: bool) -> list[Source]:
        if key is not None:
            source, _redirected = record_by_key(Source, key)
            if source is None:
                raise CommandError(f"No source has the key “{key}”.")
            if not source.url:
                raise CommandError(f"The source “{key}” has no address to capture.")
            due_now = services.sources_due().filter(pk=source.pk).exists()
            return [source] if due_now or not due else []
        if due:
            return list(services.sources_due().defer("full_text"))
        cited = Source.objects.exclude(url="").filter(citations__isnull=False).distinct()
        return list(cited.defer("full_text").order_by("pk"))
