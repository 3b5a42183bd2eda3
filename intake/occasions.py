"""The occasion of a proposed statement: one on record that fits (the speaker took part, the
date falls within it), or a new one proposed from the report's words ("in a phone call
with …", "at a press conference in …"), with the kind those words name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from quotes.dates import to_reduced_date
from quotes.models import Occasion

# Words of the occasion phrase -> the kind of occasion, in the languages the intake reads.
KINDS = [
    (
        "press_conference",
        r"press (?:conference|briefing)|conférence de presse|pressekonferenz"
        r"|rueda de prensa|conferencia de prensa|пресс-конференци|记者会|新闻发布会",
    ),
    (
        "call",
        r"(?:phone|telephone) (?:call|conversation)|\bcall\b|téléphon|telefon|llamada"
        r"|телефонн|通电话|通话",
    ),
    ("interview", r"interview|entretien|entrevista|интервью|采访"),
    ("summit", r"summit|sommet|gipfel|cumbre|саммит|峰会"),
    ("visit", r"\bvisit|visite|besuch|visita|визит|访问"),
    ("speech", r"speech|address|discours|rede\b|discurso|выступлени|讲话|演讲"),
    ("session", r"session|séance|sitzung|sesión|заседани|会议"),
    ("meeting", r"meeting|talks|rencontre|entretien|treffen|reunión|встреч|переговор|会见|会谈"),
    ("conference", r"conference|conférence|konferenz|conferencia|конференци|论坛"),
]
KIND_PATTERNS = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in KINDS]


@dataclass(frozen=True)
class ProposedOccasion:
    key: str | None  # an occasion on record, or None: a new one to create
    name: str
    kind: str
    start: str | None

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "start": self.start,
            "on_record": self.key is not None,
        }


def occasion_kind(phrase: str) -> str | None:
    """The kind of occasion the phrase names, if it names one."""
    for kind, pattern in KIND_PATTERNS:
        if pattern.search(phrase):
            return kind
    return None


def proposed_occasion(
    *, speaker_key: str | None, said: str | None, phrase: str
) -> ProposedOccasion | None:
    """The occasion on record the speaker took part in on that date (the one whose kind the
    phrase names first), else a new one from the phrase, else None."""
    kind = occasion_kind(phrase) if phrase else None
    on_record = _on_record(speaker_key, said, kind)
    if on_record is not None:
        start = str(on_record.start) if on_record.start else None
        return ProposedOccasion(on_record.key, on_record.name, on_record.kind, start)
    if not phrase or kind is None:
        return None
    return ProposedOccasion(None, phrase, kind, said)


def _on_record(speaker_key: str | None, said: str | None, kind: str | None) -> Occasion | None:
    period = to_reduced_date(said)
    if speaker_key is None or period is None:
        return None
    around = Q(start_day__lte=period.end) & (
        Q(end__isnull=True, start_day__gte=period.start) | Q(end__isnull=False)
    )
    candidates = [
        occasion
        for occasion in Occasion.objects.filter(around)
        .filter(Q(participants__speaker__key=speaker_key) | Q(quotes__speaker__key=speaker_key))
        .distinct()
        .order_by("start_day", "pk")
        if _covers(occasion, period)
    ]
    candidates.sort(key=lambda occasion: occasion.kind != kind)
    return candidates[0] if candidates else None


def _covers(occasion: Occasion, period) -> bool:
    """Whether the statement's date falls within the occasion (its start to its end, or its
    start alone)."""
    start = to_reduced_date(occasion.start)
    end = to_reduced_date(occasion.end) or start
    if start is None:
        return False
    return start.start <= period.end and period.start <= end.end
