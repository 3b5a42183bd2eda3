"""`make fuzz`: schemathesis against a live OnRecord (gunicorn, 2 workers, DEBUG off).

A fresh embedded PostgreSQL in a temporary directory gets the demo data, its search index,
an editor and a reviewer; the server runs as `make run` serves it (project/gunicorn_conf.py,
with the search indexer). Then schemathesis runs every check of every operation of the
OpenAPI schema, with at least FUZZ_EXAMPLES examples each (default 50), anonymously, as the
editor and as the reviewer, with the settings of tests/schemathesis.toml. Any failure fails
the run (exit status 1). Everything stays on 127.0.0.1 (the intake's fetches of report
addresses go to a closed local port), and the server and its database are removed at the end.

    python -m tests.fuzz_api [--examples N] [--seed N] [--as anonymous,editor,reviewer]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROLES = ("anonymous", "editor", "reviewer")
CONFIG = ROOT / "tests" / "schemathesis.toml"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(data_dir: Path) -> dict[str, str]:
    dropped = ("DATABASE_URL", "CACHE_URL", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    nowhere = f"http://127.0.0.1:{free_port()}"  # bound for a moment, then let go
    environment.update(
        ONRECORD_DATA_DIR=str(data_dir),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="fuzz-only-secret",
        # The fuzzer's thousands of requests are not what the rate limits are measured by
        # (tests/test_throttling.py and tests/test_live_server.py are).
        ONRECORD_RATE_ANON="1000000/min",
        ONRECORD_RATE_CLIENT="1000000/min",
        # The fuzzer sends report addresses to POST /api/v1/intake/: the server's fetches
        # go through a "proxy" at a local port where nothing listens, so fail at once.
        http_proxy=nowhere,
        https_proxy=nowhere,
        no_proxy="",
    )
    return environment


def manage(environment: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare(environment: dict[str, str]) -> dict[str, str]:
    """Migrate, load the demo data and index it, and make the users; the Authorization
    header of each."""
    manage(environment, "migrate", "--verbosity", "0")
    manage(environment, "load_demo")
    manage(environment, "search_reindex")
    editor = manage(environment, "create_editor", "fuzz-editor").strip().splitlines()[-1]
    reviewer = manage(environment, "create_editor", "fuzz-reviewer", "--reviewer")
    return {
        "anonymous": "",
        "editor": f"Token {editor}",
        "reviewer": f"Token {reviewer.strip().splitlines()[-1]}",
    }


@contextmanager
def live_server(environment: dict[str, str], log: Path):
    port = free_port()
    command = [str(BIN / "gunicorn"), "project.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--timeout", "60", "--config", "python:project.gunicorn_conf"]
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=output)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base, server, log)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=60)


def wait_until_serving(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited:\n{log.read_text()}")
        try:
            urllib.request.urlopen(f"{base}/api/schema/?format=json", timeout=5).close()
            return
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer within 60 s:\n{log.read_text()}")


def fuzz(base: str, authorization: str, examples: int, seed: int | None, log: Path):
    """schemathesis for one role, started (its output goes to ``log``).

    One worker each: schemathesis' worker threads once crashed inside the interpreter
    (CPython 3.11's ast.parse, called by Hypothesis from two threads at once: "AST
    constructor recursion depth mismatch"). The roles run side by side instead.
    """
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base}/api/schema/?format=json",
        "--url",
        base,
        "--checks",
        "all",
        "--max-examples",
        str(examples),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
        "--generation-database",
        "none",
    ]
    if seed is not None:
        command += ["--seed", str(seed)]
    if authorization:
        command += ["--header", f"Authorization: {authorization}"]
    output = log.open("w")
    return subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT), output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", 50)))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--as", dest="roles", default=",".join(ROLES))
    options = parser.parse_args()
    roles = [role for role in options.roles.split(",") if role]
    if options.examples < 1 or not set(roles) <= set(ROLES):
        parser.error(f"--examples must be at least 1, --as a list of {', '.join(ROLES)}")
    started = time.monotonic()
    data_dir = Path(tempfile.mkdtemp(prefix="onrecord-fuzz-"))
    try:
        environment = server_environment(data_dir)
        headers = prepare(environment)
        failed = []
        with live_server(environment, data_dir / "gunicorn.log") as base:
            runs = {
                role: fuzz(base, headers[role], options.examples, options.seed, data_dir / role)
                for role in roles
            }
            for role, (run, output) in runs.items():
                returncode = run.wait()
                output.close()
                print(f"== schemathesis as {role}", flush=True)
                print((data_dir / role).read_text(), flush=True)
                if returncode != 0:
                    failed.append(role)
        server_errors = [
            line for line in (data_dir / "gunicorn.log").read_text().splitlines() if "Error" in line
        ]
        print("\n".join(server_errors[:50]))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    minutes = (time.monotonic() - started) / 60
    if failed:
        print(f"make fuzz: failures as {', '.join(failed)} ({minutes:.1f} min)", file=sys.stderr)
        return 1
    print(
        f"make fuzz: no failures ({', '.join(roles)}; {options.examples} examples per "
        f"operation; {minutes:.1f} min)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
