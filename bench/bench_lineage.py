"""Lineage benchmark: "same statement" by meaning, measured on real published pairs.

    .venv/bin/python bench/bench_lineage.py [--pairs tests/data/lineage/pairs.jsonl]
                                            [--json out.json]

It reads the labelled set (docs/lineage.md says how it was collected), checks every line,
embeds each distinct text once with ``quotes.meaning`` and times it (texts per second),
scores each pair (cosine), then chooses the threshold on the **tune** split alone: the
highest recall of "same statement" with precision >= 0.90 and at most 5% of the hard
negatives flagged; among equal recalls, the highest threshold. It reports precision and
recall at that threshold by kind of pair and by language, for the tune and the held-out
split; the held-out figures are the ones to quote. Pairs with a side in a language the
model was not trained on are reported apart and take no part in the choice.

Any malformed line, non-finite score or missing field stops it with a message (exit 1).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from quotes import meaning

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "data" / "lineage" / "pairs.jsonl"
KINDS = ("translation", "rewording", "repetition", "misattribution", "hard_negative")
SPLITS = ("tune", "heldout")
MIN_PRECISION = 0.90
MAX_NEGATIVES_FLAGGED = 0.05
TARGET_RECALL = 0.85  # on translations and outlet rewordings


class DataError(Exception):
    """A line of the labelled set that is not what docs/lineage.md describes."""


@dataclass(frozen=True)
class Pair:
    id: str
    kind: str
    same: bool
    split: str
    a_text: str
    b_text: str
    a_language: str
    b_language: str
    derived: bool = False

    @property
    def languages(self) -> set[str]:
        return {self.a_language, self.b_language}

    @property
    def supported(self) -> bool:
        return meaning.supports(self.a_language) and meaning.supports(self.b_language)


def _side(line: int, record: dict, name: str) -> dict:
    side = record.get(name)
    if not isinstance(side, dict):
        raise DataError(f"line {line}: no side {name!r}")
    for field in ("text", "language", "url", "speaker"):
        if not isinstance(side.get(field), str):
            raise DataError(f"line {line}: side {name} has no {field}")
    if not side["text"].strip():
        raise DataError(f"line {line}: side {name} has an empty text")
    if not side["url"].startswith(("http://", "https://")):
        raise DataError(f"line {line}: side {name} has no published address")
    return side


def load(path: Path) -> list[Pair]:
    """The pairs of the set, each line checked."""
    pairs: list[Pair] = []
    ids: set[str] = set()
    with path.open(encoding="utf-8") as f:
        for line, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise DataError(f"line {line}: {exc}") from exc
            pid = record.get("id")
            if not isinstance(pid, str) or pid in ids:
                raise DataError(f"line {line}: missing or repeated id {pid!r}")
            ids.add(pid)
            kind, same, split = record.get("kind"), record.get("same"), record.get("split")
            if kind not in KINDS:
                raise DataError(f"line {line}: unknown kind {kind!r}")
            if same is not (kind != "hard_negative"):
                raise DataError(f"line {line}: 'same' is {same!r} for a {kind}")
            if split not in SPLITS:
                raise DataError(f"line {line}: unknown split {split!r}")
            a, b = _side(line, record, "a"), _side(line, record, "b")
            derived = record.get("derived_from")
            if derived is not None and kind != "hard_negative":
                raise DataError(f"line {line}: only hard negatives are derived")
            pairs.append(
                Pair(
                    pid,
                    kind,
                    same,
                    split,
                    a["text"],
                    b["text"],
                    a["language"],
                    b["language"],
                    derived is not None,
                )
            )
    if not pairs:
        raise DataError(f"{path}: no pairs")
    return pairs


def score(pairs: Sequence[Pair]) -> tuple[dict[str, float], dict[str, float]]:
    """Each pair's cosine, and the timings: load seconds, texts embedded, texts per second."""
    texts = sorted({t for p in pairs for t in (p.a_text, p.b_text)})
    started = time.perf_counter()
    meaning.embed([texts[0]])  # the first call loads the weights
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    vectors = meaning.embed(texts)
    seconds = time.perf_counter() - started
    again = meaning.embed(texts[:8])
    if not np.allclose(again, vectors[:8], atol=1e-5):
        raise ValueError("the same texts embedded twice gave other vectors")
    index = {t: i for i, t in enumerate(texts)}
    scores: dict[str, float] = {}
    for p in pairs:
        value = float(np.dot(vectors[index[p.a_text]], vectors[index[p.b_text]]))
        if not math.isfinite(value) or not -1.0001 <= value <= 1.0001:
            raise ValueError(f"pair {p.id}: score {value}")
        scores[p.id] = value
    timing = {
        "load_seconds": loaded,
        "texts": float(len(texts)),
        "embed_seconds": seconds,
        "texts_per_second": len(texts) / seconds,
    }
    return scores, timing


@dataclass(frozen=True)
class Counts:
    positives: int
    found: int
    negatives: int
    flagged: int

    @property
    def recall(self) -> float | None:
        return self.found / self.positives if self.positives else None

    @property
    def flag_rate(self) -> float | None:
        return self.flagged / self.negatives if self.negatives else None

    @property
    def precision(self) -> float | None:
        taken = self.found + self.flagged
        return self.found / taken if taken and self.positives else None


def count(pairs: Iterable[Pair], scores: dict[str, float], threshold: float) -> Counts:
    positives = found = negatives = flagged = 0
    for p in pairs:
        hit = bool(scores[p.id] >= threshold)
        if p.same:
            positives += 1
            found += hit
        else:
            negatives += 1
            flagged += hit
    return Counts(positives, found, negatives, flagged)


def choose_threshold(pairs: Sequence[Pair], scores: dict[str, float]) -> tuple[float, bool]:
    """The tune split's threshold by the rule in the module docstring; and whether it met it."""
    candidates = [round(0.20 + i / 100, 2) for i in range(76)]
    best: tuple[float, float] | None = None  # (recall, threshold)
    for t in candidates:
        c = count(pairs, scores, t)
        if c.precision is None or c.precision < MIN_PRECISION:
            continue
        if c.flag_rate is not None and c.flag_rate > MAX_NEGATIVES_FLAGGED:
            continue
        recall = c.recall or 0.0
        if best is None or recall > best[0] or (recall == best[0] and t > best[1]):
            best = (recall, t)
    if best is not None:
        return best[1], True
    # No threshold meets both: the one with the fewest hard negatives flagged past the cap.
    fallback = min(candidates, key=lambda t: (count(pairs, scores, t).flag_rate or 0.0, -t))
    return fallback, False


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def table(title: str, rows: list[tuple[str, Counts]]) -> list[str]:
    lines = [
        f"| {title} | same pairs | found | recall | hard negatives | flagged | precision |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, c in rows:
        lines.append(
            f"| {name} | {c.positives} | {c.found} | {fmt(c.recall)} | {c.negatives} | "
            f"{c.flagged} | {fmt(c.precision)} |"
        )
    return lines


def report_split(
    name: str, pairs: Sequence[Pair], scores: dict[str, float], threshold: float
) -> tuple[list[str], dict]:
    lines = [f"### {name}", ""]
    overall = count(pairs, scores, threshold)
    target = count([p for p in pairs if p.kind in ("translation", "rewording")], scores, threshold)
    by_kind = [(k, count([p for p in pairs if p.kind == k], scores, threshold)) for k in KINDS]
    by_kind += [
        (
            "hard_negative, paired by hand",
            count(
                [p for p in pairs if p.kind == "hard_negative" and not p.derived], scores, threshold
            ),
        ),
        (
            "hard_negative, derived through a translation",
            count([p for p in pairs if p.derived], scores, threshold),
        ),
    ]
    languages = sorted({lang for p in pairs for lang in p.languages})
    by_language = [
        (lang, count([p for p in pairs if lang in p.languages], scores, threshold))
        for lang in languages
    ]
    across = [
        ("one language", count([p for p in pairs if len(p.languages) == 1], scores, threshold)),
        ("two languages", count([p for p in pairs if len(p.languages) == 2], scores, threshold)),
    ]
    lines += table("all pairs", [("all", overall), ("translations + rewordings", target)])
    lines += ["", *table("kind", by_kind), "", *table("language", by_language), ""]
    lines += [*table("languages in the pair", across), ""]
    summary = {
        "pairs": len(pairs),
        "precision": overall.precision,
        "recall": overall.recall,
        "hard_negatives_flagged": overall.flag_rate,
        "recall_translations_rewordings": target.recall,
        "by_kind": {
            k: c.__dict__ | {"recall": c.recall, "flag_rate": c.flag_rate} for k, c in by_kind
        },
        "by_language": {
            k: c.__dict__ | {"recall": c.recall, "precision": c.precision} for k, c in by_language
        },
    }
    return lines, summary


def distribution(pairs: Sequence[Pair], scores: dict[str, float]) -> list[str]:
    lines = [
        "| kind | pairs | min | median | max |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for k in KINDS:
        values = sorted(scores[p.id] for p in pairs if p.kind == k)
        if values:
            lines.append(
                f"| {k} | {len(values)} | {values[0]:.2f} | {float(np.median(values)):.2f} | "
                f"{values[-1]:.2f} |"
            )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--json", type=Path, help="write the figures to this file too")
    args = parser.parse_args(argv)
    try:
        pairs = load(args.pairs)
    except DataError as exc:
        print(f"bench_lineage: {exc}", file=sys.stderr)
        return 1
    scores, timing = score(pairs)
    supported = [p for p in pairs if p.supported]
    unsupported = [p for p in pairs if not p.supported]
    tune = [p for p in supported if p.split == "tune"]
    heldout = [p for p in supported if p.split == "heldout"]
    threshold, met = choose_threshold(tune, scores)

    out = [
        f"{len(pairs)} pairs ({len(supported)} in languages the model reads: "
        f"{len(tune)} tune, {len(heldout)} held out; {len(unsupported)} with a side in another "
        "language)",
        f"first call (loads the weights) {timing['load_seconds']:.1f} s; "
        f"embedded {int(timing['texts'])} distinct texts in {timing['embed_seconds']:.1f} s: "
        f"{timing['texts_per_second']:.0f} texts/s",
        f"threshold chosen on the tune split: {threshold:.2f}"
        + (
            "" if met else " (NO threshold met precision >= 0.90 with <= 5% hard negatives flagged)"
        ),
        f"quotes.meaning.SAME_STATEMENT_THRESHOLD = {meaning.SAME_STATEMENT_THRESHOLD:.2f}",
        "",
    ]
    held_lines, held = report_split("held out (headline)", heldout, scores, threshold)
    tune_lines, tuned = report_split("tune", tune, scores, threshold)
    other_lines, other = report_split(
        "a side in a language the model was not trained on", unsupported, scores, threshold
    )
    out += held_lines + tune_lines + other_lines
    out += [
        "### scores by kind (all pairs the model reads)",
        "",
        *distribution(supported, scores),
        "",
    ]
    checks = {
        "precision >= 0.90": (held["precision"] or 0.0) >= MIN_PRECISION,
        "recall >= 0.85 on translations and rewordings": (
            held["recall_translations_rewordings"] or 0.0
        )
        >= TARGET_RECALL,
        "hard negatives flagged <= 1 in 20": (held["hard_negatives_flagged"] or 0.0)
        <= MAX_NEGATIVES_FLAGGED,
    }
    out += ["### targets on the held-out split", ""]
    out += [f"- {name}: {'met' if ok else 'MISSED'}" for name, ok in checks.items()]
    print("\n".join(out))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "threshold": threshold,
                    "threshold_met_rule": met,
                    "timing": timing,
                    "heldout": held,
                    "tune": tuned,
                    "unsupported": other,
                    "targets": checks,
                    "scores": scores,
                },
                indent=1,
                ensure_ascii=False,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
