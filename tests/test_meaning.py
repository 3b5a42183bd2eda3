"""quotes.meaning loads its model with no network and tells a translation from another claim.

The pairs are real published texts from the labelled set (tests/data/lineage/pairs.jsonl).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from quotes import meaning

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "data" / "lineage" / "pairs.jsonl"


def pair(pid: str) -> dict:
    with PAIRS.open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record["id"] == pid:
                return record
    raise LookupError(pid)


def bench_lineage():
    spec = importlib.util.spec_from_file_location(
        "bench_lineage", ROOT / "bench" / "bench_lineage.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_lineage", module)  # dataclasses look their module up
    spec.loader.exec_module(sys.modules["bench_lineage"])
    return sys.modules["bench_lineage"]


class NoNetwork(OSError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket or resolve a name fails; the model is loaded afresh."""

    def refuse(*args, **kwargs):
        raise NoNetwork("the network is off in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(meaning, "_model", None)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_the_model_loads_with_sockets_disabled_and_a_published_translation_is_the_same_statement(
    no_network,
):
    # Churchill, 13 May 1940, as Wikiquote gives it in English and in German.
    record = pair("c_blood_en--c_blood_de1")
    assert record["kind"] == "translation"
    assert record["same"]
    score = meaning.similarity(record["a"]["text"], record["b"]["text"])
    assert score >= meaning.SAME_STATEMENT_THRESHOLD
    assert meaning.same_statement(record["a"]["text"], record["b"]["text"])


def test_a_translation_into_another_script_is_the_same_statement(no_network):
    # Guterres, 27 July 2023, "global boiling": an English outlet and a Chinese one.
    record = pair("g_en--g_zh")
    assert meaning.similarity(record["a"]["text"], record["b"]["text"]) >= (
        meaning.SAME_STATEMENT_THRESHOLD
    )


def test_a_hard_negative_is_not_the_same_statement(no_network):
    # Two of Churchill's lines on democracy, as German pages publish them.
    record = pair("c_demo_de--c_voter_de")
    assert record["kind"] == "hard_negative"
    assert not record["same"]
    assert meaning.similarity(record["a"]["text"], record["b"]["text"]) < (
        meaning.SAME_STATEMENT_THRESHOLD
    )
    # Guterres's "global boiling" against another sentence of the same statement.
    record = pair("g_en--g_en_b")
    assert not meaning.same_statement(record["a"]["text"], record["b"]["text"])


def test_the_model_loads_in_a_process_without_a_network_namespace_of_its_own():
    # A process in a new network namespace has no interface but loopback (root, as here
    # and in CI, may create one): the package's files are all the model needs.
    assert shutil.which("unshare"), "util-linux's unshare is on every Debian machine"
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.fail(f"unshare -n is refused here: {probe.stderr.decode()}")
    code = (
        "from quotes import meaning;"
        "print(round(meaning.similarity("
        "'I have nothing to offer but blood, toil, tears, and sweat.',"
        " 'Ich habe nichts anzubieten außer Blut, Mühsal, Tränen und Schweiß!'), 3))"
    )
    done = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) >= meaning.SAME_STATEMENT_THRESHOLD


def test_embeddings_are_unit_vectors_and_empty_texts_are_refused():
    vectors = meaning.embed(["Taiwan is an inalienable part of China's territory.", "Ciao"])
    assert vectors.shape == (2, meaning.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert meaning.embed([]).shape == (0, meaning.DIMENSIONS)
    with pytest.raises(ValueError, match="text 1 is empty"):
        meaning.embed(["a statement", "  "])
    with pytest.raises(TypeError, match="not one string"):
        meaning.embed("one string")


def test_the_languages_the_model_reads():
    for language in ("zh-TW", "pt-BR", "ar", "ja"):
        assert meaning.supports(language), language
    for language in ("hu", "uk", "cs"):
        assert not meaning.supports(language), language


def test_every_line_of_the_labelled_set_is_well_formed_and_the_splits_are_as_hashed():
    import hashlib

    bench = bench_lineage()
    pairs = bench.load(PAIRS)
    assert len(pairs) >= 150
    assert len({lang for p in pairs for lang in p.languages if meaning.supports(lang)}) >= 8
    assert {p.kind for p in pairs} == set(bench.KINDS)
    for p in pairs:
        digest = int(hashlib.sha256(p.id.encode()).hexdigest()[:8], 16)
        assert p.split == ("heldout" if digest % 5 < 2 else "tune"), p.id


def test_the_benchmark_stops_on_a_malformed_line(tmp_path):
    bench = bench_lineage()
    good = PAIRS.read_text(encoding="utf-8").splitlines()[0]
    record = json.loads(good)
    record["same"] = not record["same"]
    bad = tmp_path / "pairs.jsonl"
    bad.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(bench.DataError, match="'same'"):
        bench.load(bad)
    record = json.loads(good)
    record["a"]["url"] = ""
    bad.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(bench.DataError, match="address"):
        bench.load(bad)


def test_the_threshold_on_record_is_the_one_the_benchmark_chooses_on_the_tune_split(tmp_path):
    # A change of the set or of the model that moves the tune split's choice must move
    # SAME_STATEMENT_THRESHOLD with it (and docs/lineage.md's figures).
    bench = bench_lineage()
    out = tmp_path / "figures.json"
    assert bench.main(["--json", str(out)]) == 0
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["threshold_met_rule"]
    assert figures["threshold"] == meaning.SAME_STATEMENT_THRESHOLD
    assert set(figures["scores"]) == {p.id for p in bench.load(PAIRS)}
