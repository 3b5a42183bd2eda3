"""A command kept running beside the web server: started again whenever it exits.

gunicorn's master runs the search indexer and the job worker this way
(project/gunicorn_conf.py). Each runs under a supervisor process of its own
(``python -m project.supervisor NAME -- COMMAND…``), started by the master before it forks
any web worker. Why a process and not a thread in the master: a thread that starts a
command while the master forks a web worker can block for good (the worker inherits the
pipe through which ``subprocess`` learns that the command started), and the master reaps
any child that exits, so a thread there could not learn the exit code either.

No Django here: the master process imports this before any application code.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

log = logging.getLogger("onrecord.supervisor")
# A command that exits within BRIEF seconds of its start waits RESTART_DELAY before the
# next try (a database that does not answer yet), so that it is not restarted in a loop.
BRIEF = 10.0
RESTART_DELAY = 2.0
POLL_SECONDS = 0.5


class Supervisor:
    """Runs ``command`` and starts it again after it exits, until ``stop()`` or until the
    process that started the supervisor is gone."""

    def __init__(self, name: str, command: Sequence[str]):
        self.name = name
        self.command = list(command)
        self.parent = os.getppid()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self._should_stop():
            process = subprocess.Popen(self.command)
            started = time.monotonic()
            log.info("%s started (pid %s)", self.name, process.pid)
            code = self._wait(process)
            if code is None:
                self._terminate(process)
                return
            log.warning("%s exited with %s: starting it again.", self.name, code)
            if time.monotonic() - started < BRIEF:
                self.stopping.wait(RESTART_DELAY)

    def stop(self) -> None:
        self.stopping.set()

    def _should_stop(self) -> bool:
        # The web server killed without a chance to stop us: stop with it.
        return self.stopping.is_set() or os.getppid() != self.parent

    def _wait(self, process: subprocess.Popen) -> int | None:
        """The command's exit code, or None when told to stop first."""
        while (code := process.poll()) is None:
            if self.stopping.wait(POLL_SECONDS) or self._should_stop():
                return None
        return code

    def _terminate(self, process: subprocess.Popen, timeout: float = 10) -> None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Supervised:
    """``command`` under a supervisor process; for gunicorn's master (``start()`` from its
    main thread, before it forks workers; ``stop()`` when it exits)."""

    def __init__(self, name: str, command: Sequence[str], logger: logging.Logger = log):
        self.name = name
        self.command = list(command)
        self.log = logger
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        supervisor = [sys.executable, "-m", "project.supervisor", self.name, "--", *self.command]
        self.process = subprocess.Popen(supervisor)
        self.log.info("%s supervised by pid %s", self.name, self.process.pid)

    def stop(self, timeout: float = 15) -> None:
        """Stop the command and its supervisor (SIGTERM, then SIGKILL after ``timeout``)."""
        process = self.process
        if process is None:
            return
        try:
            process.terminate()
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
        except ChildProcessError:
            pass  # already reaped by gunicorn's master


def main(arguments: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Keep a command running.")
    parser.add_argument("name")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args(arguments)
    command = options.command[1:] if options.command[:1] == ["--"] else options.command
    if not command:
        parser.error("no command to run")
    logging.basicConfig(
        level=logging.INFO,
        format="[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S %z",
    )
    supervisor = Supervisor(options.name, command)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: supervisor.stop())
    supervisor.run()


if __name__ == "__main__":
    main()
