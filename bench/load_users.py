"""Locust users for bench/bench_load.py (which runs locust with this file; see there).

BENCH_LOAD_CONFIG names a JSON file with the editor token the users send (editors' reads
are not rate-limited; none for anonymous readers), the quote keys to read and the searches
to run.
"""

import json
import os
import random
from pathlib import Path

from locust import HttpUser, constant, task

CONFIG = json.loads(Path(os.environ["BENCH_LOAD_CONFIG"]).read_text())


class _Client(HttpUser):
    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        self.client.headers.update({"Accept": "application/json"})
        if CONFIG["token"]:
            self.client.headers.update({"Authorization": f"Token {CONFIG['token']}"})

    def detail(self) -> None:
        key = random.choice(CONFIG["keys"])
        self.client.get(f"/api/v1/quotes/{key}/", name="detail")

    def search(self) -> None:
        self.client.get(
            "/api/v1/quotes/", params={"q": random.choice(CONFIG["searches"])}, name="search"
        )


class Mixed(_Client):
    """Half searches, half detail reads, back to back."""

    @task
    def read_one(self) -> None:
        self.detail()

    @task
    def search_some(self) -> None:
        self.search()


class CostliestSearch(_Client):
    """The most expensive search the API answers, over and over."""

    fixed_count = 4

    @task
    def costliest(self) -> None:
        self.client.get("/api/v1/quotes/", params=CONFIG["costliest"], name="costliest search")


class DetailReader(_Client):
    """One reader of quote details, ten requests a second at most."""

    fixed_count = 1
    wait_time = constant(0.1)

    @task
    def read_one(self) -> None:
        self.detail()
