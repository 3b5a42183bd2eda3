"""The write pass of an import for quotes, with their topics, translations and citations:
a part of ``writer.Writer``."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Q

from quotes import rules
from quotes.interchange.batches import UPDATE_BATCH_SIZE, Batch, assign, by_quote, with_existed
from quotes.interchange.canonical import (
    DATABASE_KEPT,
    QUOTE_COLUMNS,
    date,
    quote_lists,
    quote_record,
)
from quotes.interchange.copying import copy_rows
from quotes.interchange.errors import LineError
from quotes.interchange.old_keys import old_keys_replace
from quotes.models import (
    Affiliation,
    Citation,
    Quote,
    Source,
    Topic,
    Translation,
)
from quotes.roles import Resolution, resolve_role
from quotes.services.quotes import CORRECTED
from quotes.similarity import NewQuote, similar_for_quotes

User = get_user_model()
QUOTE_FIELDS = {
    "text": "",
    "language": "",
    "kind": "",
    "said": None,
    "context": "",
    "status": "",
    "retraction_reason": "",
    "corrections": [],
}
# The statement's public dates, kept as the file gives them (the database trigger dates
# only what is missing: quotes.models.QUOTE_PUBLIC_DATES_SQL).
QUOTE_DATES = ("published_at", "corrected_at", "retracted_at")


class QuoteWriting:
    """``Writer``'s methods for quotes."""

    def write_quotes(self, batch: Batch) -> None:
        records = [r for _, r in batch]
        speaker_ids = self.id_map("speaker", {r["speaker"] for r in records})
        occasion_ids = self.id_map("occasion", {r["occasion"] for r in records if "occasion" in r})
        roles = RoleFinder(self, {speaker_ids[r["speaker"]] for r in records}, records)
        existing = self.stored_quotes([r["key"] for r in records])
        self.check_excerpts(batch)
        new, changed, new_lines = [], [], []
        for line, given in batch:
            current = existing.get(given["key"])
            record = given if current is None else with_kept_dates(given, current[1])
            speaker_id = speaker_ids[record["speaker"]]
            role = roles.find(line, speaker_id, record)
            if current is not None and _same_quote(*current, record, role):
                self.report.counts["quote"].unchanged += 1
                continue
            if current is not None:
                self.check_correction(line, current[1], record)
                self.check_uid(line, current[1], given)
            quote = Quote(key=record["key"], created_by_id=self.user_id)
            if current is not None:
                quote.pk, quote.updated_by_id = current[0]["id"], current[0]["updated_by_id"]
                quote.uid = current[0]["uid"]
            elif "uid" in record:
                quote.uid = uuid.UUID(record["uid"])
            assign(quote, record, QUOTE_FIELDS)
            for name in QUOTE_DATES:
                moment = record.get(name)
                setattr(quote, name, datetime.datetime.fromisoformat(moment) if moment else None)
            quote.speaker_id = speaker_id
            quote.occasion_id = occasion_ids[record["occasion"]] if "occasion" in record else None
            quote.role_id, quote.role_resolution = role
            quote.updated_by_id = self.user_id or quote.updated_by_id
            (changed if current else new).append((quote, record))
            if current is None:
                new_lines.append(line)
        self.check_similar(list(zip(new_lines, new, strict=True)))
        self.check_new_keys("quote", batch, [quote.key for quote, _ in new])
        fields = [*QUOTE_FIELDS, *QUOTE_DATES, "speaker", "occasion", "role", "role_resolution"]
        fields.append("updated_by")
        self.save("quote", new, changed, fields)
        self.replace_topics(new, changed)
        self.replace_translations(new, changed)
        self.replace_citations(new, changed)
        old_keys_replace("quote", new + changed)
        if roles.speakers_with_new_affiliations:
            self.altered.watch_speakers(roles.speakers_with_new_affiliations)
            self.reresolve(set(roles.speakers_with_new_affiliations))

    def check_correction(self, line: int, stored: dict, record: dict) -> None:
        """A change of what readers rely on in a published quote is a public correction:
        the record must bring a new entry in ``corrections``, as the API asks for a note.
        Corrections are append-only: the record keeps those on record, in their order."""
        kept = stored.get("corrections", [])
        if record.get("corrections", [])[: len(kept)] != kept:
            message = (
                "corrections are append-only: keep the corrections on record, in their order, "
                "and add new ones after them"
            )
            self.errors.append(LineError(line, "corrections", message))
        if stored["status"] != Quote.Status.PUBLISHED:
            return
        corrected = sorted(
            name for name in CORRECTED if stored.get(name) != record.get(name) and name != "role"
        )
        if corrected and len(record.get("corrections", [])) <= len(stored.get("corrections", [])):
            message = (
                f"changing the {', '.join(corrected)} of a published quote is a public "
                "correction: add it to corrections, with its date and note"
            )
            self.errors.append(LineError(line, "corrections", message))

    def check_uid(self, line: int, stored: dict, record: dict) -> None:
        """A statement's permanent identifier never changes: a record giving the quote on
        record another one is about another statement under the same key."""
        if "uid" in record and record["uid"] != stored["uid"]:
            message = (
                f'the quote "{record["key"]}" on record has the permanent identifier '
                f"{stored['uid']}, which never changes; this record gives {record['uid']}"
            )
            self.errors.append(LineError(line, "uid", message))

    def check_similar(self, new: list[tuple[int, tuple[Quote, dict]]]) -> None:
        """A new quote similar to one on record is refused, as ``quote_create`` refuses it
        (``similarity.similar_for_quotes``, one query for the batch), unless allowed."""
        if self.on_record_up_to is None:
            return
        checked = [(line, q, r) for line, (q, r) in new if line not in self.similar_allowed]
        found = similar_for_quotes(
            [
                NewQuote(
                    texts=[quote.text, *(item["text"] for item in record.get("translations", []))],
                    speaker_id=quote.speaker_id,
                    said=quote.said,
                )
                for _, quote, record in checked
            ],
            written_up_to=self.on_record_up_to,
            limit=3,
        )
        for (line, _, _), similar in zip(checked, found, strict=True):
            if similar:
                listed = ", ".join(
                    f"{s.quote.key} ({s.score}, {s.relation}, {s.match})" for s in similar
                )
                message = (
                    f"similar to quotes on record: {listed}; if this is another statement, "
                    'add "allow_similar": true to the record or import with --allow-similar'
                )
                self.errors.append(LineError(line, "text", message))

    def check_excerpts(self, batch: Batch) -> None:
        """Each excerpt must occur in its source's full text, as on every path (rules)."""
        cited = {c["source"] for _, r in batch for c in r.get("citations", []) if c.get("excerpt")}
        source_ids = self.id_map("source", cited)
        texts = dict(
            Source.objects.filter(pk__in=[source_ids[key] for key in cited])
            .exclude(full_text="")
            .values_list("key", "full_text")
        )
        for line, record in batch:
            for index, citation in enumerate(record.get("citations", [])):
                full_text = texts.get(citation["source"], "")
                problem = rules.excerpt_problem(
                    citation.get("excerpt", ""), full_text, f'source "{citation["source"]}"'
                )
                if problem:
                    self.errors.append(LineError(line, f"citations[{index}].excerpt", problem))

    def check_full_texts(
        self, batch: Batch, changed: list[tuple[Source, dict]], stored_texts: dict[str, str]
    ) -> None:
        """A source's new full text must still contain the excerpts cited from it, as on
        every path (``rules.full_text_problem``; the citations of the batch in one query)."""
        retexted = {
            source.pk: source
            for source, _ in changed
            if source.full_text and source.full_text != stored_texts.get(source.key)
        }
        if not retexted:
            return
        cited: dict[int, list[tuple[str, str]]] = defaultdict(list)
        rows = Citation.objects.filter(source_id__in=retexted).exclude(excerpt="")
        for source_id, key, excerpt in rows.values_list("source_id", "quote__key", "excerpt"):
            cited[source_id].append((key, excerpt))
        lines = {record["key"]: line for line, record in batch}
        for source_id, source in retexted.items():
            problem = rules.full_text_problem(source.full_text, cited[source_id])
            if problem:
                self.errors.append(LineError(lines[source.key], "full_text", problem))

    def stored_quotes(self, keys: list[str]) -> dict[str, tuple[dict, dict]]:
        """The stored quotes with these keys: key -> (row, canonical record)."""
        rows = list(Quote.objects.filter(key__in=keys).values(*QUOTE_COLUMNS, "updated_by_id"))
        lists = quote_lists([row["id"] for row in rows])
        return {row["key"]: (row, quote_record(row, lists)) for row in rows}

    def topic_ids_for(self, keys: set[str]) -> dict[str, int]:
        missing = keys - self.topic_ids.keys()
        if missing:
            found = Topic.objects.filter(key__in=missing).values_list("key", "id")
            self.topic_ids.update(found)
            absent = sorted(missing - self.topic_ids.keys())
            created = Topic.objects.bulk_create(Topic(key=k, name=topic_name(k)) for k in absent)
            self.topic_ids.update((topic.key, topic.pk) for topic in created)
            self.report.topics_created += len(created)
        return self.topic_ids

    def replace_topics(self, new: list, changed: list) -> None:
        through = Quote.topics.through
        wanted_keys = {key for _, r, _ in with_existed(new, changed) for key in r.get("topics", [])}
        topic_ids = self.topic_ids_for(wanted_keys)
        stored = defaultdict(set)
        links = through.objects.filter(quote_id__in=[q.pk for q, _ in changed])
        for quote_id, topic_id in links.values_list("quote_id", "topic_id"):
            stored[quote_id].add(topic_id)
        to_add, to_remove = [], Q()
        for quote, record, _ in with_existed(new, changed):
            wanted = {topic_ids[key] for key in record.get("topics", [])}
            current = stored.get(quote.pk, set())
            to_add += [{"quote_id": quote.pk, "topic_id": t} for t in sorted(wanted - current)]
            if current - wanted:
                to_remove |= Q(quote_id=quote.pk, topic_id__in=current - wanted)
        if to_remove:
            through.objects.filter(to_remove).delete()
        copy_rows(through, to_add)

    def replace_translations(self, new: list, changed: list) -> None:
        stored = by_quote(Translation.objects.filter(quote_id__in=[q.pk for q, _ in changed]))
        to_create, to_update, to_delete = [], [], []
        for quote, record, _ in with_existed(new, changed):
            current = {t.language: t for t in stored.get(quote.pk, [])}
            for item in record.get("translations", []):
                translation = current.pop(item["language"], None)
                if translation is None:
                    to_create.append({"quote_id": quote.pk, **item})
                elif (translation.text, translation.official) != (item["text"], item["official"]):
                    translation.text, translation.official = item["text"], item["official"]
                    translation.updated = self.now
                    to_update.append(translation)
            to_delete += [translation.pk for translation in current.values()]
        Translation.objects.filter(pk__in=to_delete).delete()
        fields = ["text", "official", "updated"]
        Translation.objects.bulk_update(to_update, fields, batch_size=UPDATE_BATCH_SIZE)
        copy_rows(Translation, to_create)

    def replace_citations(self, new: list, changed: list) -> None:
        """Citations keep their order (the first one is the main source) and, where the
        excerpt is unchanged, their verification."""
        source_ids = self.id_map(
            "source",
            {c["source"] for _, r, _ in with_existed(new, changed) for c in r.get("citations", [])},
        )
        stored = by_quote(
            Citation.objects.filter(quote_id__in=[q.pk for q, _ in changed]).order_by("pk")
        )
        verifications = Verifications(
            [c for _, r, _ in with_existed(new, changed) for c in r.get("citations", [])]
        )
        to_create, to_update, to_delete = [], [], []
        for quote, record, _ in with_existed(new, changed):
            current = stored.get(quote.pk, [])
            wanted = [
                (source_ids[c["source"]], c.get("excerpt", ""), verifications.given(c))
                for c in record.get("citations", [])
            ]
            if [c.source_id for c in current] == [source for source, _, _ in wanted]:
                for citation, (_, excerpt, given) in zip(current, wanted, strict=True):
                    before = (citation.excerpt, verification_of(citation))
                    if citation.excerpt != excerpt:
                        # A changed excerpt withdraws the verification, as on every path.
                        citation.excerpt = excerpt
                        set_verification(citation, NOT_VERIFIED)
                    if given is not None:
                        set_verification(citation, given)
                    if (citation.excerpt, verification_of(citation)) != before:
                        citation.updated = self.now
                        to_update.append(citation)
                continue
            verified = {(c.source_id, c.excerpt): verification_of(c) for c in current}
            to_delete += [c.pk for c in current]
            for source_id, excerpt, given in wanted:
                by, name, at = given or verified.get((source_id, excerpt), NOT_VERIFIED)
                to_create.append(
                    {
                        "quote_id": quote.pk,
                        "source_id": source_id,
                        "excerpt": excerpt,
                        "verified_by_id": by,
                        "verified_by_name": name,
                        "verified_at": at,
                    }
                )
        Citation.objects.filter(pk__in=to_delete).delete()
        fields = ["excerpt", "verified_by", "verified_by_name", "verified_at", "updated"]
        Citation.objects.bulk_update(to_update, fields, batch_size=UPDATE_BATCH_SIZE)
        copy_rows(Citation, to_create)


# A citation's verification: (verifier's user id, their name when this database has no such
# user, when), as the citation's verified_by, verified_by_name and verified_at hold it.
Verification = tuple[int | None, str, datetime.datetime | None]
NOT_VERIFIED: Verification = (None, "", None)


class Verifications:
    """The verifications that a batch's citations give, with their verifiers' users looked
    up at once (one query): a user name this database does not have is kept as a name."""

    def __init__(self, citations: list[dict]) -> None:
        names = {c["verified_by"] for c in citations if c.get("verified_by")}
        found = User.objects.filter(username__in=names).values_list("username", "pk")
        self.user_ids = dict(found)

    def given(self, citation: dict) -> Verification | None:
        """The verification the file gives; None when it gives none."""
        if "verified_at" not in citation:
            return None
        name = citation.get("verified_by", "")
        user_id = self.user_ids.get(name)
        at = datetime.datetime.fromisoformat(citation["verified_at"])
        return user_id, "" if user_id is not None else name, at


def verification_of(citation: Citation) -> Verification:
    return citation.verified_by_id, citation.verified_by_name, citation.verified_at


def set_verification(citation: Citation, verification: Verification) -> None:
    citation.verified_by_id, citation.verified_by_name, citation.verified_at = verification


def with_kept_dates(record: dict, stored: dict) -> dict:
    """The record, with the public dates and permanent identifier of the quote on record
    where it gives none: an older file, or one written by hand, moves none of them."""
    kept = {name: stored[name] for name in DATABASE_KEPT if name in stored and name not in record}
    return {**record, **kept} if kept else record


def _same_quote(row: dict, stored: dict, record: dict, role: tuple[int | None, str]) -> bool:
    """Whether the stored quote already is what the record asks for, role included."""
    if (row["role_id"], row["role_resolution"]) != role:
        return False
    return {n: v for n, v in stored.items() if n != "role"} == {
        n: v for n, v in record.items() if n != "role"
    }


def topic_name(key: str) -> str:
    return key.replace("-", " ").replace("_", " ").capitalize()


class RoleFinder:
    """The role of each quote of a batch, from its speaker's affiliations loaded once."""

    def __init__(self, writer: QuoteWriting, speaker_ids: set[int], records: list[dict]) -> None:
        self.writer = writer
        self.by_speaker = writer.affiliations_of(speaker_ids)
        keys = {r["role"]["organization"] for r in records if "role" in r}
        self.organization_ids = writer.id_map("organization", keys)
        # speaker id -> the first line that gave it a new affiliation
        self.speakers_with_new_affiliations: dict[int, int] = {}

    def find(self, line: int, speaker_id: int, record: dict) -> tuple[int | None, str]:
        affiliations = self.by_speaker[speaker_id]
        role = record.get("role")
        if role is None:
            outcome = resolve_role(record.get("said"), affiliations)
            return (outcome.affiliation.pk if outcome.affiliation else None), outcome.resolution
        organization_id = self.organization_ids[role["organization"]]
        candidates = [
            a
            for a in affiliations
            if a.organization_id == organization_id
            and a.role == role["role"]
            and ("start" not in role or date(a.start) == role["start"])
        ]
        chosen = self.choose(candidates, record.get("said"))
        if chosen is None and candidates:
            message = (
                f'the speaker held "{role["role"]}" at "{role["organization"]}" '
                f'{len(candidates)} times; add "start" to say which'
            )
            self.writer.errors.append(LineError(line, "role", message))
            return None, Resolution.NONE
        if chosen is None:
            chosen = Affiliation.objects.create(
                speaker_id=speaker_id,
                organization_id=organization_id,
                role=role["role"],
                start=role.get("start"),
            )
            affiliations.append(chosen)
            self.speakers_with_new_affiliations.setdefault(speaker_id, line)
        return chosen.pk, Resolution.EXPLICIT

    @staticmethod
    def choose(candidates: list[Affiliation], said: str | None) -> Affiliation | None:
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        outcome = resolve_role(said, candidates)
        if outcome.affiliation is not None:
            return outcome.affiliation
        undated = [a for a in candidates if a.start is None]
        return undated[0] if len(undated) == 1 else None
