"""gunicorn's settings for OnRecord: ``gunicorn -c python:project.gunicorn project.wsgi``.

Threads let a worker answer a quick request while another of its requests waits on a slow
search: with synchronous workers, as many slow searches as workers hold up every other
client (docs/performance.md, "Load"). The threads of a worker wait on PostgreSQL most of
the time, so the interpreter lock costs little; each thread keeps its own connection.
"""

worker_class = "gthread"
threads = 8
