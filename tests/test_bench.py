"""The benchmarks in bench/ time only the answers they expect: an error answer stops them."""

import importlib.util
import os
from pathlib import Path

import pytest
from django.http import HttpResponse

BENCH = Path(__file__).resolve().parent.parent / "bench"


def bench_module(name: str, monkeypatch):
    """A benchmark script as a module; the environment it sets is restored afterwards."""
    for variable in ("ONRECORD_SEARCH_SYNC", "ONRECORD_RATE_ANON", "ONRECORD_RATE_SITE"):
        monkeypatch.delenv(variable, raising=False)
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fault_12_the_search_benchmark_stops_on_an_answer_that_is_not_a_200(monkeypatch):
    bench_search = bench_module("bench_search", monkeypatch)
    ok = HttpResponse("{}", status=200)
    assert bench_search.checked(ok, "rare word") is ok
    with pytest.raises(SystemExit, match="rare word: HTTP 429"):
        bench_search.checked(HttpResponse("throttled", status=429), "rare word")


def test_fault_12_the_search_benchmark_lifts_the_rate_limits(monkeypatch):
    bench_module("bench_search", monkeypatch)
    assert os.environ["ONRECORD_RATE_ANON"] == "1000000000/min"  # its requests and gunicorn's
