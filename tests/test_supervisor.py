"""project/supervisor.py: the process that keeps the indexer and the job worker running
beside gunicorn (issue 18, item 1)."""

import signal
import subprocess
import sys
import time

import psutil

from tests.live_site import ROOT

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def supervise(name: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "project.supervisor", name, "--", *SLEEPER]
    return subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)


def children(process: subprocess.Popen, timeout: float = 20) -> list[psutil.Process]:
    """The supervised command's processes, once there is one."""
    deadline = time.monotonic() + timeout
    while not (found := psutil.Process(process.pid).children()):
        assert time.monotonic() < deadline, "the supervisor started nothing"
        time.sleep(0.1)
    return found


def test_a_command_that_exits_is_started_again_and_stopped_with_its_supervisor():
    supervisor = supervise("Sleeper")
    try:
        [first] = children(supervisor)
        first.kill()
        first.wait(10)
        deadline = time.monotonic() + 20
        while not (again := [c for c in children(supervisor) if c.pid != first.pid]):
            assert time.monotonic() < deadline, "the command was not started again"
            time.sleep(0.1)
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(20) == 0
        assert not again[0].is_running() or again[0].status() == psutil.STATUS_ZOMBIE
        log = supervisor.stderr.read()
        assert "Sleeper started" in log
        assert "Sleeper exited with -9: starting it again." in log
    finally:
        supervisor.kill()


def test_without_a_command_it_says_so():
    result = subprocess.run(
        [sys.executable, "-m", "project.supervisor", "Nothing"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no command to run" in result.stderr
