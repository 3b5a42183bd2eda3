"""Scoring proposals against labelled reports (tests/data/intake/): precision and recall of
statement detection, speaker and date accuracy, per language. Used by the tests and by
bench/bench_intake.py."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from intake.proposals import Proposal
from quotes.excerpts import fold


@dataclass(frozen=True)
class Expected:
    span: str  # words of the statement, as the report has them
    kind: str
    speaker: str | None  # the key of a speaker on record, "new:Name", or None (unnamed)
    said: str | None


@dataclass(frozen=True)
class Case:
    name: str
    language: str
    published: str
    title: str
    text: str
    expected: tuple[Expected, ...]


def load_cases(folder: Path) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("*.json")):
        if path.name == "speakers.json":
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        cases.append(
            Case(
                name=path.stem,
                language=data["language"],
                published=data.get("published", ""),
                title=data.get("title", ""),
                text="\n\n".join(data["paragraphs"]),
                expected=tuple(Expected(**item) for item in data["expected"]),
            )
        )
    return cases


def matches(expected: Expected, proposal: Proposal) -> bool:
    return fold(expected.span).text in fold(proposal.excerpt).text


def speaker_of(proposal: Proposal) -> str | None:
    if proposal.speaker.key:
        return proposal.speaker.key
    return f"new:{proposal.speaker.name}" if proposal.speaker.name else None


@dataclass
class Tally:
    proposals: int = 0
    correct_proposals: int = 0
    expected: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    found: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    on_record: int = 0
    speaker_right: int = 0
    new_or_unnamed: int = 0
    new_right: int = 0
    dated: int = 0
    date_right: int = 0
    kind_right: int = 0
    matched: int = 0
    preselected: int = 0  # found statements the review offers as accepted
    preselected_wrong: int = 0  # …with a wrong speaker: the costliest error
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))

    misses: list[str] = field(default_factory=list)

    def add(self, case: Case, proposals: list[Proposal]) -> None:
        self.proposals += len(proposals)
        for proposal in proposals:
            if any(matches(e, proposal) for e in case.expected):
                self.correct_proposals += 1
            else:
                self.misses.append(f"{case.name}: proposed “{proposal.excerpt[:80]}…”")
        for item in case.expected:
            group = "indirect" if item.kind == "indirect" else "direct"
            self.expected[group] += 1
            self.by_kind[item.kind][0] += 1
            found = next((p for p in proposals if matches(item, p)), None)
            if found is None:
                self.misses.append(f"{case.name}: missed “{item.span}”")
                continue
            self.found[group] += 1
            self.by_kind[item.kind][1] += 1
            self.by_kind[item.kind][2] += self._score(case, item, found)

    def _score(self, case: Case, item: Expected, found: Proposal) -> bool:
        """Score a found statement; whether its speaker is right."""
        self.matched += 1
        self.kind_right += found.kind == item.kind
        self.dated += 1
        self.date_right += found.said == item.said
        if found.said != item.said:
            self.misses.append(f"{case.name}: “{item.span}” dated {found.said}, not {item.said}")
        right = speaker_of(found) == item.speaker
        if found.preselected:
            self.preselected += 1
            self.preselected_wrong += not right
        if item.speaker and not item.speaker.startswith("new:"):
            self.on_record += 1
            self.speaker_right += right
        else:
            self.new_or_unnamed += 1
            self.new_right += right
        if not right:
            self.misses.append(
                f"{case.name}: “{item.span}” said by {speaker_of(found)}, not {item.speaker}"
            )
        return right

    def kinds(self) -> dict[str, dict]:
        """Per kind of statement: how many, how many found, recall, speaker right among found."""
        return {
            kind: {
                "statements": total,
                "found": found,
                "recall": round(found / total, 3) if total else None,
                "speaker_accuracy": round(right / found, 3) if found else None,
            }
            for kind, (total, found, right) in sorted(self.by_kind.items())
        }

    def report(self) -> dict:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 3) if b else None

        return {
            "precision": ratio(self.correct_proposals, self.proposals),
            "recall_direct": ratio(self.found["direct"], self.expected["direct"]),
            "recall_indirect": ratio(self.found["indirect"], self.expected["indirect"]),
            "recall": ratio(sum(self.found.values()), sum(self.expected.values())),
            "speaker_accuracy": ratio(self.speaker_right + self.new_right, self.matched),
            "speaker_accuracy_on_record": ratio(self.speaker_right, self.on_record),
            "speaker_accuracy_new": ratio(self.new_right, self.new_or_unnamed),
            "date_accuracy": ratio(self.date_right, self.dated),
            "kind_accuracy": ratio(self.kind_right, self.matched),
            "preselected_wrong_speaker": ratio(self.preselected_wrong, self.preselected),
            "preselected": self.preselected,
            "statements": sum(self.expected.values()),
            "proposals": self.proposals,
        }


def load_speakers(path: Path) -> None:
    """Put the labelled data's speakers on record (tests/data/intake/speakers.json)."""
    from quotes.models import Affiliation, Organization, Speaker, SpeakerName

    data = json.loads(path.read_text(encoding="utf-8"))
    for item in data["organizations"]:
        Organization.objects.create(**item)
    for item in data["speakers"]:
        speaker = Speaker.objects.create(
            key=item["key"], name=item["name"], country=item.get("country", "")
        )
        for name, language in item.get("names", []):
            SpeakerName.objects.create(speaker=speaker, name=name, language=language)
        for organization, role, start in item.get("affiliations", []):
            Affiliation.objects.create(
                speaker=speaker,
                organization=Organization.objects.get(key=organization),
                role=role,
                start=start,
            )
