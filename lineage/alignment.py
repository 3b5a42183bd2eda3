"""An occasion's accounts side by side: each party's passages aligned with the passages of
the other accounts that say the same thing, by meaning and in any of the model's languages,
and what only one account reports marked as such.

Each account's text (its source's full text) is cut into passages (sentences within
paragraphs); each passage is matched with its nearest passage in every other account, kept
at ``ALIGN_THRESHOLD`` or above. The alignment is stored (``Alignment``) with a
fingerprint of the accounts and their sources' last changes, and computed again by the
embedder's job (lineage/tasks.py) when that fingerprint changes: an account saved, removed
or its source's text edited. With each account's passages it stores their HTML for the
occasion's page (``passages_html``: the texts escaped, each passage's note), in which only
the parties' names, which can change without the accounts, are left as ``<party N>``
placeholders for the page to fill (``with_parties``). A reader's page only reads it.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass

import numpy as np
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import F, Func, JSONField, Max, QuerySet
from django.utils import timezone

from lineage.models import Alignment
from quotes import meaning
from quotes.models import Occasion, OccasionAccount

ALIGN_THRESHOLD = meaning.SAME_STATEMENT_THRESHOLD
# A sentence ends at . ! ? (with a closing quote or bracket after it) before a space, but
# not before a number ("Resolution No. 242"), or at their CJK forms, which need no space.
_CLOSING = "\"'”’»)」』"
SENTENCE_END = re.compile(
    rf"(?:(?<=[.!?])|(?<=[.!?][{_CLOSING}]))(?:\s+(?!\d)|$)"
    rf"|(?:(?<=[。！？])|(?<=[。！？][{_CLOSING}]))(?![{_CLOSING}])\s*"
)
# A party's name in the stored HTML: no passage's text can hold a "<", since all are escaped.
PARTY = re.compile(r"<party (\d+)>")
# The version of what an alignment stores: 2 added each account's HTML, and passages cut
# at CJK sentence ends without a space.
STORED = 2
ONLY_HERE = '<span class="alignment" lang="en" dir="ltr">Only in this account.</span>'


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
        entry = {"account": part.account_id, "compared": mine is not None, "passages": passages}
        aligned.append({**entry, "html": passages_html(entry)})
    return aligned


def passages_html(entry: dict) -> str:
    """An aligned account's passages as HTML, each with its note: links to the other
    accounts' passages that also report it, or that only this account does (when it was
    compared). Parties' names are left as ``<party N>`` for ``with_parties``. Escaped with
    the standard library's ``html.escape``, which Django's ``escape`` calls."""
    account, compared = entry["account"], entry["compared"]
    rendered = []
    for n, passage in enumerate(entry["passages"]):
        links = ", ".join(
            f'<a href="#{passage_anchor(m["account"], m["passage"])}">'
            f"<party {m['account']}>\u2019s account</a>"
            for m in passage["matches"]
        )
        if links:
            note = f'<span class="alignment" lang="en" dir="ltr">Also in {links}.</span>'
        else:
            note = ONLY_HERE if compared else ""
        only = " only-here" if compared and not links else ""
        text = html.escape(passage["text"])
        rendered.append(
            f'<p id="{passage_anchor(account, n)}" class="passage{only}">{text} {note}</p>'
        )
    return "".join(rendered)


def passage_anchor(account_id: int, passage: int) -> str:
    """The HTML id of an account's passage (counted from 0) on the occasion's page."""
    return f"account-{account_id}-passage-{passage + 1}"


def with_parties(stored: str, parties: dict[int, str]) -> str:
    """The stored HTML with each ``<party N>`` replaced by account N's party (escaped)."""
    names = {pk: html.escape(name) for pk, name in parties.items()}
    return PARTY.sub(lambda found: names.get(int(found[1]), ""), stored)


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
    return {pk: _digest(ids, a, s) for pk, ids, a, s in rows}


def fingerprint_of(accounts: list[OccasionAccount]) -> str | None:
    """What ``fingerprints`` gives for the occasion of ``accounts`` (all of them, loaded
    with their sources), without another query."""
    if not accounts:
        return None
    return _digest(
        sorted(account.pk for account in accounts),
        max(account.updated for account in accounts),
        max(account.source.updated for account in accounts),
    )


def _digest(ids: list[int], accounts_changed, sources_changed) -> str:
    """The fingerprint; with the version of what is stored (``STORED``), so that the job
    aligns again the occasions aligned before it changed."""
    text = f"{STORED}|{ids}|{accounts_changed}|{sources_changed}"
    return hashlib.sha256(text.encode()).hexdigest()


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


def current_alignment(
    occasion: Occasion, accounts: list[OccasionAccount] | None = None
) -> Alignment | None:
    """The occasion's alignment if it is of its accounts as they are now (else None: the
    job has yet to align them). Given ``accounts`` (all of the occasion's, with their
    sources), their fingerprint is taken from them rather than asked of the database."""
    alignment = Alignment.objects.filter(occasion=occasion).first()
    if alignment is None:
        return None
    now = fingerprints_of(occasion.pk) if accounts is None else fingerprint_of(accounts)
    return alignment if now == alignment.fingerprint else None


def current_html(occasion: Occasion, accounts: list[OccasionAccount]) -> dict[int, dict] | None:
    """Each account's passages as HTML with the parties' names (``passages_html``) and
    whether they were compared, by account, if the alignment is of ``accounts`` (all of the
    occasion's, with their sources) as they are now; else None. Only the HTML and the
    flags are read from the stored alignment, not its passages."""
    row = (
        Alignment.objects.filter(occasion=occasion)
        .values_list("fingerprint", *(_each(name) for name in ("account", "compared", "html")))
        .first()
    )
    if row is None or row[0] != fingerprint_of(accounts):
        return None
    _, ids, compared, stored = row
    parties = {account.pk: account.party for account in accounts}
    return {
        pk: {"compared": flag, "html": with_parties(text, parties)}
        for pk, flag, text in zip(ids, compared, stored, strict=True)
    }


def _each(name: str) -> Func:
    """The ``name`` of each account stored in an alignment, as a list, in their order
    (``name`` is one of this module's, never input)."""
    return Func(
        F("accounts"),
        function="jsonb_path_query_array",
        template=f"%(function)s(%(expressions)s, '$[*].{name}')",
        output_field=JSONField(),
    )


def fingerprints_of(occasion_id: int) -> str | None:
    return fingerprints(Occasion.objects.filter(pk=occasion_id)).get(occasion_id)
