from django.core.management.base import BaseCommand

from search import outbox
from search.index import current_index


class Command(BaseCommand):
    help = "Print the search index's documents, its lag behind the outbox, and its last commit."

    def handle(self, *args, **options) -> None:
        index = current_index()
        if not index.exists():
            self.stdout.write(
                f"No search index at {index.path}: it is built on start, or by "
                "`python manage.py search_reindex`."
            )
            return
        position = index.position()
        lag = outbox.lag(position.position)
        self.stdout.write(
            f"index: {index.path}\n"
            f"documents: {index.searcher().num_docs}\n"
            f"position: {position.position} (latest: {outbox.last_position()})\n"
            f"lag: {lag.commits} commits, {lag.quotes} quotes"
            + (f", oldest committed {lag.oldest.isoformat()}" if lag.oldest else "")
            + f"\nlast commit: {position.committed or 'never'}"
        )
