from django.core.management.base import BaseCommand
from django.db import connection
from tqdm import tqdm

from search import indexer
from search.index import current_index


class Command(BaseCommand):
    help = (
        "Rebuild the search index from PostgreSQL (readers keep the old index until the new "
        "one is complete); the indexer then goes on from where the rebuild read."
    )

    def handle(self, *args, **options) -> None:
        index = current_index()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM quotes_quote")
            total = cursor.fetchone()[0]
        with tqdm(total=total, desc="Indexing", unit=" quotes", leave=False) as bar:
            count = indexer.rebuild(index, progress=bar.update)
        self.stdout.write(f"Indexed {count} quotes in {index.path}.")
