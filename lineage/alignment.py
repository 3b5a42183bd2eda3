"""An occasion's accounts side by side: each party's passages aligned with the passages of
the other accounts that say the same thing, by meaning and in any of the model's languages,
and what only one account reports marked as such.

Each account's text (its source's full text) is cut into passages (sentences within
paragraphs); each passage is matched with its nearest passage in every other account, kept
at ``ALIGN_THRESHOLD`` or above. The alignment is stored (``Alignment``) with a
fingerprint of the accounts and their sources' last changes, and computed again by the
embedder's job (lineage/tasks.py) when that fingerprint changes: an account saved, removed
or its source's text edited. A reader's page only reads it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Max, QuerySet
from django.utils import timezone

from lineage.models import Alignment
from quotes import meaning
from quotes.models import Occasion, OccasionAccount

ALIGN_THRESHOLD = meaning.SAME_STATEMENT_THRESHOLD
# A sentence ends at . ! ? or their CJK forms, before a space, a closing quote or the end.
SENTENCE_END = re.compile(r"(?<=[.!?。！？])[\"'”’»)]*(?:\s+|$)")


@dataclass(frozen=True)
class Part:
    account_id: int
    language: str
    passages: list[str]


def passages_of(text: str) -> list[str]:
    """The text's passages: its sentences, paragraph by paragraph."""
    found = []
    for paragraph in text.splitlines():
        for sentence in SENTENCE_END.split(paragraph.strip()):
            if sentence and sentence.strip():
                found.append(sentence.strip())
    return found


def align(parts: list[Part]) -> list[dict]:
    """Each account's passages, each with the passages of other accounts it matches."""
    vectors = {part.account_id: _vectors(part) for part in parts}
    aligned = []
    for part in parts:
        mine = vectors[part.account_id]
        passages = [{"text": text, "matches": []} for text in part.passages]
        for other in parts:
            theirs = vectors[other.account_id]
            if other is part or mine is None or theirs is None:
                continue
            for n, match in _best_matches(mine, theirs, other.account_id):
                passages[n]["matches"].append(match)
        aligned.append(
            {"account": part.account_id, "compared": mine is not None, "passages": passages}
        )
    return aligned


def _vectors(part: Part) -> np.ndarray | None:
    """The passages' embeddings; None when there are none or the model lacks the language."""
    if not part.passages or not meaning.supports(part.language or "en"):
        return None
    return meaning.embed(part.passages)


def _best_matches(mine: np.ndarray, theirs: np.ndarray, other_id: int):
    """(passage, match) for each of my passages whose nearest passage of theirs is close."""
    for n, row in enumerate(mine @ theirs.T):
        best = int(np.argmax(row))
        if row[best] >= ALIGN_THRESHOLD:
            yield n, {"account": other_id, "passage": best, "score": round(float(row[best]), 3)}


def fingerprints(occasions: QuerySet | None = None) -> dict[int, str]:
    """Each occasion with accounts: a digest of its accounts and their sources' last change."""
    rows = (
        (Occasion.objects.all() if occasions is None else occasions)
        .filter(accounts__isnull=False)
        .annotate(
            ids=ArrayAgg("accounts__pk", order_by="accounts__pk"),
            accounts_changed=Max("accounts__updated"),
            sources_changed=Max("accounts__source__updated"),
        )
        .values_list("pk", "ids", "accounts_changed", "sources_changed")
    )
    return {pk: hashlib.sha256(f"{ids}|{a}|{s}".encode()).hexdigest() for pk, ids, a, s in rows}


def alignments_refresh() -> int:
    """Align the occasions whose accounts changed since their alignment; how many."""
    current = fingerprints()
    stored = dict(Alignment.objects.values_list("occasion_id", "fingerprint"))
    Alignment.objects.exclude(occasion_id__in=list(current)).delete()
    changed = [pk for pk, digest in current.items() if stored.get(pk) != digest]
    for pk in changed:
        occasion_align(occasion_id=pk, fingerprint=current[pk])
    return len(changed)


def occasion_align(*, occasion_id: int, fingerprint: str) -> Alignment:
    accounts = OccasionAccount.objects.filter(occasion_id=occasion_id).select_related("source")
    parts = [
        Part(account.pk, account.source.language, passages_of(account.source.full_text))
        for account in accounts.order_by("pk")
    ]
    alignment, _ = Alignment.objects.update_or_create(
        occasion_id=occasion_id,
        defaults={
            "fingerprint": fingerprint,
            "computed_at": timezone.now(),
            "accounts": align(parts),
        },
    )
    return alignment


def current_alignment(occasion: Occasion) -> Alignment | None:
    """The occasion's alignment if it is of its accounts as they are now (else None: the
    job has yet to align them)."""
    alignment = Alignment.objects.filter(occasion=occasion).first()
    if alignment is None or fingerprints_of(occasion.pk) != alignment.fingerprint:
        return None
    return alignment


def fingerprints_of(occasion_id: int) -> str | None:
    return fingerprints(Occasion.objects.filter(pk=occasion_id)).get(occasion_id)
