"""gunicorn's settings for `make run`: threaded workers; the search indexer beside them.

The indexer is one process per index directory (see search/indexer.py); gunicorn starts it
when it is ready and stops it when it stops, so that `make run` stays one command.

Threads let a worker answer a quick request while another of its requests waits on a slow
search: with synchronous workers, as many slow searches as workers hold up every other
client (docs/performance.md, "Load"). The threads of a worker wait on PostgreSQL most of
the time, so the interpreter lock costs little; each thread keeps its own connection. The
searches among them take turns (search/turns.py), so that they do not hold up the quick reads.

No keep-alive: each request comes on a new connection and goes to whichever worker takes it
first, as it does behind a proxy (nginx speaks HTTP/1.0 without keep-alive to its upstream by
default). With keep-alive, a client's connection stays with one worker: measured, four
clients repeating a search landed on one worker in some runs, which halved their throughput
while the other worker idled.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
indexer: subprocess.Popen | None = None

worker_class = "gthread"
threads = 8
keepalive = 0


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
