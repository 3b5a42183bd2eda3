import signal
import threading

from django.core.management.base import BaseCommand

from search import indexer
from search.index import current_index


class Command(BaseCommand):
    help = (
        "Keep the search index current: rebuild it when missing, then apply the outbox after "
        "every commit. One indexer per index directory (`make run` starts it with gunicorn)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Catch up with the outbox once, then exit."
        )

    def handle(self, *args, **options) -> None:
        if options["once"]:
            applied = indexer.catch_up(current_index())
            self.stdout.write(f"Applied the changes of {applied} quotes.")
            return
        stop = threading.Event()
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stop.set())
        index = current_index()
        self.stdout.write(f"Indexing into {index.path}")
        indexer.run(index, stop)
