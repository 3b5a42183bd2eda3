"""gunicorn's settings for `make run`: threaded workers; the search indexer and the
background jobs' worker beside them.

The indexer is one process per index directory (see search/indexer.py); gunicorn starts it
when it is ready, starts it again whenever it exits (project/supervisor.py) and stops it
when it stops, so that `make run` stays one command.

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

import os
import sys
from pathlib import Path

from project.supervisor import Supervised

ROOT = Path(__file__).resolve().parent.parent
indexer: Supervised | None = None

worker_class = "project.gunicorn_worker.DeadlineThreadWorker"  # gthread, reads bounded
threads = 8
keepalive = 0
# gunicorn's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): two sites on
# one machine (a test run beside `make run`) would take it from each other. Nothing uses it.
control_socket_disable = True

# Bounds on one request (docs/operations.md, "Serving"): a worker whose main loop is silent
# this long is replaced; one told to stop has this long to finish. A connection that sends
# nothing for 5 s is closed (gunicorn's gthread worker, keep-alive off); a request not read
# within 30 s, or a send of its answer stuck 60 s, too (project/gunicorn_worker.py). The
# proxy in front buffers both, so that only direct clients are ever that slow.
timeout = 30
graceful_timeout = 30
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190


def when_ready(server) -> None:
    global indexer
    command = [sys.executable, str(ROOT / "manage.py"), "search_indexer"]
    indexer = Supervised("Search indexer", command, server.log)
    indexer.start()
    start_job_worker(server)


def on_exit(server) -> None:
    for process in (indexer, job_worker):
        if process is not None:
            process.stop()


# The background jobs' worker (project/jobs.py), restarted like the indexer when it exits;
# in production, run it on its own (docs/deployment.md, "Background jobs").
job_worker: Supervised | None = None


def start_job_worker(server) -> None:
    """Start the job worker beside the web server, unless ONRECORD_JOB_WORKER=false (a
    deployment that runs its workers on their own)."""
    global job_worker
    if os.environ.get("ONRECORD_JOB_WORKER", "true").lower() in ("0", "false", "no"):
        return
    command = [sys.executable, str(ROOT / "manage.py"), "job_worker"]
    job_worker = Supervised("Job worker", command, server.log)
    job_worker.start()
