import time

from django.core.management.base import BaseCommand
from django.db import transaction

from lineage import embedder
from lineage.alignment import alignments_refresh
from lineage.models import Embedding


class Command(BaseCommand):
    help = (
        "Embed the texts changed since the embedder last ran (what the worker's job does "
        "every minute); --all checks every quote's texts and embeds those changed or missing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="Check every quote, not only the outbox's."
        )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        if options["all"]:
            with transaction.atomic():
                embedder.progress_locked()  # one embedder at a time
                embedded = embedder.embed_all()
        else:
            embedded = embedder.run()
        aligned = alignments_refresh()
        stored = Embedding.objects.current().count()
        self.stdout.write(
            f"Embedded {embedded} text(s) in {time.monotonic() - started:.1f} s; "
            f"{stored} embeddings stored; {aligned} occasion(s)' accounts aligned."
        )
