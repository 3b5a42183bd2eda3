"""`make client-check`: the OpenAPI schema is good enough for a generated client.

As `make fuzz` does (tests/fuzz_api.py), a fresh embedded PostgreSQL in a temporary
directory gets the demo data, its search index, an editor and a reviewer, and gunicorn
serves it on 127.0.0.1. The schema the server publishes (/api/schema/) is then given to
openapi-python-client, which generates a Python client; the generation must succeed without
warnings and the client must import. Through the client, the script then makes the calls a
real client makes, and checks each answer:

- a search (anonymous), with its ranks and highlights;
- a quote's detail with its ETag;
- a write with If-Match (a reviewer's change of the quote's context), then the same
  If-Match again, now stale: 412 with what changed since;
- an intake proposal (an editor sends the demo article as text);
- a CSV download of a search, read with the csv module.

Any failed check exits with status 1. Everything stays on 127.0.0.1 and is removed at the end.

    python -m tests.generated_client_check
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from types import ModuleType

from tests.fuzz_api import BIN, ROOT, live_server, prepare, server_environment

PACKAGE = "onrecord_api_client"
DEMO_ARTICLE = ROOT / "tests" / "data" / "intake" / "china-russia-gaza-2023-10-20.txt"


class CheckFailed(Exception):
    """A call through the generated client did not answer as the API documents."""


def check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)
    print(f"ok: {what}", flush=True)


def generate(base: str, workdir: Path) -> ModuleType:
    """The client generated from the served schema, imported."""
    schema = workdir / "schema.json"
    with urllib.request.urlopen(f"{base}/api/schema/?format=json", timeout=30) as answer:
        schema.write_bytes(answer.read())
    # The generator formats its output with ruff, which it looks for on PATH.
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [str(BIN / "openapi-python-client"), "generate", "--path", str(schema)]
    command += ["--meta", "none", "--output-path", str(workdir / PACKAGE)]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    print(output, flush=True)
    check(result.returncode == 0, "openapi-python-client generated a client")
    check("Warning" not in output and "Error" not in output, "the generation had no warnings")
    sys.path.insert(0, str(workdir))
    return importlib.import_module(PACKAGE)


def api(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.api.v1.{name}")


def model(name: str) -> type:
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


def search_and_detail(anonymous) -> str:
    """A search, then the first hit's detail; its key."""
    found = api("v1_quotes_list").sync(client=anonymous, q="collective punishment")
    check(type(found).__name__ == "PaginatedQuoteList", "a search answers a page of quotes")
    check(found.count >= 1 and found.results, "the search finds the demo statement")
    first = found.results[0]
    check(first.rank is not None and 0 < first.rank <= 1, "a hit has its rank")
    check("<mark>" in (first.highlight or ""), "a hit has its highlight")
    detail = api("v1_quotes_retrieve").sync_detailed(first.key, client=anonymous)
    check(detail.status_code == 200 and detail.parsed.key == first.key, "the detail answers")
    check(detail.headers.get("ETag", "").startswith('"'), "the detail carries its ETag")
    return first.key


def write_with_if_match(reviewer, key: str) -> None:
    """A conditional write, then the same condition once it is stale."""
    read = api("v1_quotes_retrieve").sync_detailed(key, client=reviewer)
    tag = read.headers["ETag"]
    change = model("PatchedQuoteWriteRequest")(context="Checked through a generated client.")
    update = api("v1_quotes_partial_update")
    written = update.sync_detailed(key, client=reviewer, body=change, if_match=tag)
    check(written.status_code == 200, "a write with the current If-Match is saved")
    check(written.parsed.context == change.context, "the write answers the changed quote")
    check(written.headers["ETag"] != tag, "the write answers the new ETag")
    again = model("PatchedQuoteWriteRequest")(context="A second change over a stale version.")
    stale = update.sync_detailed(key, client=reviewer, body=again, if_match=tag)
    check(stale.status_code == 412, "a write with a stale If-Match is refused with 412")
    failed = stale.parsed
    check(type(failed).__name__ == "PreconditionFailed", "the 412 parses as PreconditionFailed")
    check(failed.etag == written.headers["ETag"] and failed.changes, "it says what changed")


def intake(editor) -> None:
    report = model("IntakeTextRequest")(
        text=DEMO_ARTICLE.read_text(encoding="utf-8"), published="2023-10-20"
    )
    proposed = api("v1_intake_create").sync(client=editor, body=report)
    check(type(proposed).__name__ == "IntakeResponse", "the intake answers its proposals")
    speakers = [proposal.speaker.key for proposal in proposed.proposals]
    check("wang-yi" in speakers, "the intake proposes Wang Yi's statement")
    check(proposed.source.published == "2023-10-20", "the intake keeps the date given")
    malformed = model("IntakeUrlRequest")(url="not an address")
    refused = api("v1_intake_create").sync_detailed(client=editor, body=malformed)
    check(refused.status_code == 400 and "url" in json.loads(refused.content), "400 names url")


def csv_download(anonymous, key: str) -> None:
    """The list's operation with format=csv.

    openapi-python-client parses one media type per status (the first: JSON), so the
    download is requested as the generated operation builds it (typed parameters) and
    sent with the generated client's session, and its text is read as CSV."""
    listing = api("v1_quotes_list")
    csv_format = model("V1QuotesListFormat")("csv")
    request = listing._get_kwargs(format_=csv_format, q="collective punishment")
    answer = anonymous.get_httpx_client().request(**request)
    check(answer.status_code == 200, "the CSV download answers")
    check(answer.headers["Content-Type"].startswith("text/csv"), "it is labelled text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    check(key in {row["key"] for row in rows}, "the CSV holds the quote found by the search")
    bad = listing._get_kwargs(format_=csv_format, said_after="someday")
    refused = anonymous.get_httpx_client().request(**bad)
    check(refused.status_code == 400, "a bad parameter of a download is a 400")
    check("json" in refused.headers["Content-Type"], "in JSON, as the schema declares")
    check("said_after" in refused.json(), "naming the parameter")


def run_checks(base: str, headers: dict[str, str], workdir: Path) -> None:
    client = generate(base, workdir)
    local = {"trust_env": False}  # straight to 127.0.0.1, whatever proxy is configured
    anonymous = client.Client(base_url=base, raise_on_unexpected_status=True, httpx_args=local)

    def as_user(role: str):
        prefix, token = headers[role].split(" ", 1)
        return client.AuthenticatedClient(
            base_url=base, token=token, prefix=prefix, httpx_args=local
        )

    key = search_and_detail(anonymous)
    write_with_if_match(as_user("reviewer"), key)
    intake(as_user("editor"))
    csv_download(anonymous, key)


def main() -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="onrecord-client-"))
    try:
        environment = server_environment(data_dir)
        headers = prepare(environment)
        with live_server(environment, data_dir / "gunicorn.log") as base:
            try:
                run_checks(base, headers, data_dir)
            except CheckFailed as failure:
                print(f"make client-check: FAILED: {failure}", file=sys.stderr)
                return 1
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    print("make client-check: the generated client did every call")
    return 0


if __name__ == "__main__":
    sys.exit(main())
