"""gunicorn's settings for `make run`: the search indexer runs beside the workers.

The indexer is one process per index directory (see search/indexer.py); gunicorn starts it
when it is ready and stops it when it stops, so that `make run` stays one command.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
indexer: subprocess.Popen | None = None


def when_ready(server) -> None:
    global indexer
    indexer = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "search_indexer"])
    server.log.info("Search indexer started (pid %s)", indexer.pid)


def on_exit(server) -> None:
    if indexer is not None and indexer.poll() is None:
        indexer.terminate()
        try:
            indexer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            indexer.kill()
