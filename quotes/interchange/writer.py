"""The write pass of an import: batches of records of one type, written in bulk.

Each batch fetches the records it may update with one query per relation, leaves alone
those whose canonical form is unchanged, and writes the rest: new rows with PostgreSQL's
COPY (``copying.copy_create``), changed ones with ``bulk_update``. Only key-to-id maps of
organizations, speakers, sources and topics are kept between batches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import DatabaseError
from django.db.models import Max, Prefetch, Q
from django.utils import timezone

from quotes import rules
from quotes.interchange.canonical import (
    QUOTE_COLUMNS,
    affiliation_order,
    compact,
    date,
    organization_record,
    quote_lists,
    quote_record,
    source_record,
    speaker_record,
)
from quotes.interchange.copying import copy_create, copy_rows
from quotes.interchange.errors import ImportAborted, LineError
from quotes.interchange.old_keys import old_keys_replace
from quotes.interchange.report import ImportReport
from quotes.interchange.validation import REFERABLE
from quotes.models import (
    Affiliation,
    Citation,
    Organization,
    Quote,
    Source,
    Speaker,
    SpeakerName,
    Topic,
    Translation,
)
from quotes.roles import Resolution, resolve_role
from quotes.services.quotes import CORRECTED
from quotes.similarity import NewQuote, similar_for_quotes

RECORD_MODELS = {"organization": Organization, "speaker": Speaker, "source": Source, "quote": Quote}
UPDATE_BATCH_SIZE = 500

ORGANIZATION_FIELDS = {
    "name": "",
    "kind": "",
    "country": "",
    "aliases": [],
    "wikidata": "",
    "url": "",
}
SPEAKER_FIELDS = {"name": "", "country": "", "wikidata": "", "description": ""}
SOURCE_FIELDS = {
    "kind": "",
    "title": "",
    "url": "",
    "publisher": "",
    "published": None,
    "language": "",
    "author": "",
    "archive_url": "",
    "full_text": "",
}
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


Batch = list[tuple[int, dict]]


def assign(obj: Any, record: dict, defaults: dict) -> None:
    for name, default in defaults.items():
        setattr(obj, name, record.get(name, default))


class Writer:
    def __init__(
        self,
        report: ImportReport,
        user_id: int | None,
        batch_size: int,
        explicit_roles: dict[str, set[tuple[str, str, str | None]]],
        similar_allowed: set[int] | None = frozenset(),
    ) -> None:
        """``similar_allowed``: the lines of new quotes that may be similar to quotes on
        record; ``None`` for all of them."""
        self.report = report
        self.explicit_roles = explicit_roles
        self.user_id = user_id
        self.batch_size = batch_size
        self.now = timezone.now()
        self.ids: dict[str, dict[str, int]] = {kind: {} for kind in REFERABLE}
        self.topic_ids: dict[str, int] = {}
        # speaker id -> its affiliations, loaded once for the quotes of all batches
        self.affiliations: dict[int, list[Affiliation]] = {}
        self.errors: list[LineError] = []
        self.similar_allowed = similar_allowed
        # The quotes on record are those written before the import: the file's own quotes
        # are not compared with each other (an export imports back as it was).
        self.on_record_up_to = (
            None if similar_allowed is None else Quote.objects.aggregate(Max("pk"))["pk__max"]
        )

    def write(self, runs: Iterator[tuple[str, Batch]]) -> None:
        writers = {
            "organization": self.write_organizations,
            "speaker": self.write_speakers,
            "source": self.write_sources,
            "quote": self.write_quotes,
        }
        for kind, batch in runs:
            try:
                writers[kind](batch)
            except DatabaseError as error:
                first, last = batch[0][0], batch[-1][0]
                message = f"the database refused lines {first}–{last}: {error}".strip()
                raise ImportAborted([LineError(first, "", message)]) from error
        if self.errors:
            raise ImportAborted(sorted(self.errors))

    def id_map(self, kind: str, keys: Iterable[str]) -> dict[str, int]:
        known = self.ids[kind]
        missing = {key for key in keys if key not in known}
        if missing:
            found = REFERABLE[kind].objects.filter(key__in=missing).values_list("key", "id")
            known.update(found)
        return known

    def affiliations_of(self, speaker_ids: Iterable[int]) -> dict[int, list[Affiliation]]:
        known = self.affiliations
        missing = {speaker_id for speaker_id in speaker_ids if speaker_id not in known}
        if missing:
            for speaker_id in missing:
                known[speaker_id] = []
            for affiliation in Affiliation.objects.filter(speaker_id__in=missing):
                known[affiliation.speaker_id].append(affiliation)
        return known

    def sort_out(
        self, kind: str, batch: Batch, existing: dict, stored_record: Callable, build: Callable
    ) -> tuple[list, list]:
        """(object, record) pairs to create and to update; unchanged records are counted.

        ``build(obj, record)`` sets the fields of a new or stored object from the record.
        """
        new, changed = [], []
        for _, record in batch:
            current = existing.get(record["key"])
            if current is not None and stored_record(current) == record:
                self.report.counts[kind].unchanged += 1
                continue
            obj = current or RECORD_MODELS[kind](key=record["key"])
            build(obj, record)
            (changed if current else new).append((obj, record))
        return new, changed

    def save(self, kind: str, new: list, changed: list, fields: Iterable[str]) -> None:
        """Write (object, record) pairs: ``new`` with COPY, ``changed`` with bulk_update."""
        model = RECORD_MODELS[kind]
        for obj, _ in changed:
            obj.updated = self.now
        copy_create(model, [obj for obj, _ in new])
        model.objects.bulk_update(
            [obj for obj, _ in changed], [*fields, "updated"], batch_size=UPDATE_BATCH_SIZE
        )
        counts = self.report.counts[kind]
        counts.created += len(new)
        counts.updated += len(changed)
        if kind in self.ids:
            self.ids[kind].update((obj.key, obj.pk) for obj, _ in new)

    # Organizations and sources: plain fields.

    def write_organizations(self, batch: Batch) -> None:
        stored = Organization.objects.filter(key__in=[r["key"] for _, r in batch])
        existing = {o.key: o for o in stored.select_related("parent").prefetch_related("old_keys")}
        parent_ids = self.id_map("organization", {r["parent"] for _, r in batch if "parent" in r})

        def build(organization: Organization, record: dict) -> None:
            assign(organization, record, ORGANIZATION_FIELDS)
            organization.parent_id = parent_ids[record["parent"]] if "parent" in record else None

        new, changed = self.sort_out("organization", batch, existing, organization_record, build)
        self.save("organization", new, changed, [*ORGANIZATION_FIELDS, "parent"])
        old_keys_replace("organization", new + changed)

    def write_sources(self, batch: Batch) -> None:
        existing = Source.objects.prefetch_related("old_keys").in_bulk(
            [r["key"] for _, r in batch], field_name="key"
        )

        def build(source: Source, record: dict) -> None:
            assign(source, record, SOURCE_FIELDS)

        new, changed = self.sort_out("source", batch, existing, source_record, build)
        self.save("source", new, changed, SOURCE_FIELDS)
        old_keys_replace("source", new + changed)

    # Speakers: their names and affiliations are replaced by those of the record.

    def write_speakers(self, batch: Batch) -> None:
        self.affiliations.clear()  # their affiliations are about to change
        stored = Speaker.objects.filter(key__in=[r["key"] for _, r in batch])
        affiliations = Affiliation.objects.select_related("organization")
        stored = stored.prefetch_related(
            "names", Prefetch("affiliations", queryset=affiliations), "old_keys"
        )
        existing = {s.key: s for s in stored}
        batch = [
            (line, with_explicit_roles(record, self.explicit_roles.get(record["key"], ())))
            for line, record in batch
        ]
        organization_keys = {a["organization"] for _, r in batch for a in r.get("affiliations", [])}
        organization_ids = self.id_map("organization", organization_keys)

        def build(speaker: Speaker, record: dict) -> None:
            assign(speaker, record, SPEAKER_FIELDS)

        new, changed = self.sort_out("speaker", batch, existing, speaker_record, build)
        self.save("speaker", new, changed, SPEAKER_FIELDS)
        old_keys_replace("speaker", new + changed)
        self.replace_names(new, changed)
        self.replace_affiliations(new, changed, organization_ids)

    def replace_names(self, new: list, changed: list) -> None:
        to_create, to_delete = [], []
        for speaker, record, existed in _with_existed(new, changed):
            current = {(n.name, n.language): n for n in speaker.names.all()} if existed else {}
            for item in record.get("names", []):
                name, language = item["name"], item.get("language", "")
                if current.pop((name, language), None) is None:
                    to_create.append(SpeakerName(speaker=speaker, name=name, language=language))
            to_delete += [name.pk for name in current.values()]
        SpeakerName.objects.filter(pk__in=to_delete).delete()
        copy_create(SpeakerName, to_create)

    def replace_affiliations(self, new: list, changed: list, organization_ids: dict) -> None:
        """Update matching affiliations in place; remove the others only after their quotes."""
        to_create, to_update, to_remove, touched = [], [], [], set()
        for speaker, record, existed in _with_existed(new, changed):
            current = defaultdict(list)
            for affiliation in speaker.affiliations.all() if existed else ():
                match = (affiliation.organization_id, affiliation.role, date(affiliation.start))
                current[match].append(affiliation)
            for item in record.get("affiliations", []):
                organization_id = organization_ids[item["organization"]]
                matches = current[(organization_id, item["role"], item.get("start"))]
                if not matches:
                    to_create.append(_affiliation(speaker, organization_id, item))
                elif date(matches[0].end) != item.get("end"):
                    affiliation = matches.pop(0)
                    affiliation.end, affiliation.updated = item.get("end"), self.now
                    to_update.append(affiliation)
                else:
                    matches.pop(0)
            leftovers = [a.pk for group in current.values() for a in group]
            to_remove += leftovers
            if existed and (leftovers or to_create or to_update):
                touched.add(speaker.pk)
        self.remove_affiliations(to_remove)
        Affiliation.objects.bulk_update(to_update, ["end", "updated"], batch_size=UPDATE_BATCH_SIZE)
        copy_create(Affiliation, to_create)
        self.reresolve(touched)

    def remove_affiliations(self, ids: list[int]) -> None:
        if not ids:
            return
        # As in services.affiliation_delete: a quote never keeps a role that is gone.
        Quote.objects.filter(role_id__in=ids).update(
            role=None, role_resolution=Resolution.NONE, updated=self.now
        )
        Affiliation.objects.filter(pk__in=ids).delete()

    def reresolve(self, speaker_ids: set[int]) -> None:
        """Re-resolve the roles no editor chose of the quotes of these speakers."""
        if not speaker_ids:
            return
        affiliations = defaultdict(list)
        for affiliation in Affiliation.objects.filter(speaker_id__in=speaker_ids):
            affiliations[affiliation.speaker_id].append(affiliation)
        quotes = (
            Quote.objects.filter(speaker_id__in=speaker_ids)
            .exclude(role_resolution=Resolution.EXPLICIT)
            .only("id", "speaker_id", "said", "role_id", "role_resolution")
        )
        changed = []
        for quote in quotes.iterator(chunk_size=self.batch_size):
            outcome = resolve_role(quote.said, affiliations[quote.speaker_id])
            role_id = outcome.affiliation.pk if outcome.affiliation else None
            if (quote.role_id, quote.role_resolution) != (role_id, outcome.resolution):
                quote.role_id, quote.role_resolution = role_id, outcome.resolution
                quote.updated = self.now
                changed.append(quote)
        fields = ["role", "role_resolution", "updated"]
        Quote.objects.bulk_update(changed, fields, batch_size=UPDATE_BATCH_SIZE)

    # Quotes, with their topics, translations and citations.

    def write_quotes(self, batch: Batch) -> None:
        records = [r for _, r in batch]
        speaker_ids = self.id_map("speaker", {r["speaker"] for r in records})
        roles = RoleFinder(self, {speaker_ids[r["speaker"]] for r in records}, records)
        existing = self.stored_quotes([r["key"] for r in records])
        self.check_excerpts(batch)
        new, changed, new_lines = [], [], []
        for line, record in batch:
            current = existing.get(record["key"])
            speaker_id = speaker_ids[record["speaker"]]
            role = roles.find(line, speaker_id, record)
            if current is not None and _same_quote(*current, record, role):
                self.report.counts["quote"].unchanged += 1
                continue
            if current is not None:
                self.check_correction(line, current[1], record)
            quote = Quote(key=record["key"], created_by_id=self.user_id)
            if current is not None:
                quote.pk, quote.updated_by_id = current[0]["id"], current[0]["updated_by_id"]
            assign(quote, record, QUOTE_FIELDS)
            quote.speaker_id = speaker_id
            quote.role_id, quote.role_resolution = role
            quote.updated_by_id = self.user_id or quote.updated_by_id
            (changed if current else new).append((quote, record))
            if current is None:
                new_lines.append(line)
        self.check_similar(list(zip(new_lines, new, strict=True)))
        fields = [*QUOTE_FIELDS, "speaker", "role", "role_resolution", "updated_by"]
        self.save("quote", new, changed, fields)
        self.replace_topics(new, changed)
        self.replace_translations(new, changed)
        self.replace_citations(new, changed)
        old_keys_replace("quote", new + changed)
        self.reresolve(roles.speakers_with_new_affiliations)

    def check_correction(self, line: int, stored: dict, record: dict) -> None:
        """A change of what readers rely on in a published quote is a public correction:
        the record must bring a new entry in ``corrections``, as the API asks for a note."""
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
                listed = ", ".join(f"{s.quote.key} ({s.score}, {s.relation})" for s in similar)
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
        wanted_keys = {
            key for _, r, _ in _with_existed(new, changed) for key in r.get("topics", [])
        }
        topic_ids = self.topic_ids_for(wanted_keys)
        stored = defaultdict(set)
        links = through.objects.filter(quote_id__in=[q.pk for q, _ in changed])
        for quote_id, topic_id in links.values_list("quote_id", "topic_id"):
            stored[quote_id].add(topic_id)
        to_add, to_remove = [], Q()
        for quote, record, _ in _with_existed(new, changed):
            wanted = {topic_ids[key] for key in record.get("topics", [])}
            current = stored.get(quote.pk, set())
            to_add += [{"quote_id": quote.pk, "topic_id": t} for t in sorted(wanted - current)]
            if current - wanted:
                to_remove |= Q(quote_id=quote.pk, topic_id__in=current - wanted)
        if to_remove:
            through.objects.filter(to_remove).delete()
        copy_rows(through, to_add)

    def replace_translations(self, new: list, changed: list) -> None:
        stored = _by_quote(Translation.objects.filter(quote_id__in=[q.pk for q, _ in changed]))
        to_create, to_update, to_delete = [], [], []
        for quote, record, _ in _with_existed(new, changed):
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
            {
                c["source"]
                for _, r, _ in _with_existed(new, changed)
                for c in r.get("citations", [])
            },
        )
        stored = _by_quote(
            Citation.objects.filter(quote_id__in=[q.pk for q, _ in changed]).order_by("pk")
        )
        to_create, to_update, to_delete = [], [], []
        for quote, record, _ in _with_existed(new, changed):
            current = stored.get(quote.pk, [])
            wanted = [
                (source_ids[c["source"]], c.get("excerpt", "")) for c in record.get("citations", [])
            ]
            if [c.source_id for c in current] == [source for source, _ in wanted]:
                for citation, (_, excerpt) in zip(current, wanted, strict=True):
                    if citation.excerpt != excerpt:
                        citation.excerpt, citation.updated = excerpt, self.now
                        citation.verified_by_id, citation.verified_at = None, None
                        to_update.append(citation)
                continue
            verified = {
                (c.source_id, c.excerpt): (c.verified_by_id, c.verified_at) for c in current
            }
            to_delete += [c.pk for c in current]
            for source_id, excerpt in wanted:
                by, at = verified.get((source_id, excerpt), (None, None))
                to_create.append(
                    {
                        "quote_id": quote.pk,
                        "source_id": source_id,
                        "excerpt": excerpt,
                        "verified_by_id": by,
                        "verified_at": at,
                    }
                )
        Citation.objects.filter(pk__in=to_delete).delete()
        fields = ["excerpt", "verified_by", "verified_at", "updated"]
        Citation.objects.bulk_update(to_update, fields, batch_size=UPDATE_BATCH_SIZE)
        copy_rows(Citation, to_create)


def _by_quote(queryset: Iterable) -> dict[int, list]:
    grouped = defaultdict(list)
    for item in queryset:
        grouped[item.quote_id].append(item)
    return grouped


def _with_existed(new: list, changed: list) -> Iterator[tuple[Any, dict, bool]]:
    for obj, record in new:
        yield obj, record, False
    for obj, record in changed:
        yield obj, record, True


def _affiliation(speaker: Speaker, organization_id: int, item: dict) -> Affiliation:
    return Affiliation(
        speaker=speaker,
        organization_id=organization_id,
        role=item["role"],
        start=item.get("start"),
        end=item.get("end"),
    )


def with_explicit_roles(record: dict, roles: Iterable[tuple[str, str, str | None]]) -> dict:
    """The speaker's record with an affiliation for each explicit role of its quotes in the
    file that none of its listed affiliations matches.

    The quote would create that affiliation anyway; adding it here keeps the speaker's
    replacement from removing it again when the same file is imported twice.
    """
    listed = record.get("affiliations", [])
    missing = [
        compact({"organization": organization, "role": role, "start": start})
        for organization, role, start in sorted(roles, key=lambda r: (r[0], r[1], r[2] or ""))
        if not any(
            a["organization"] == organization
            and a["role"] == role
            and (start is None or a.get("start") == start)
            for a in listed
        )
    ]
    if not missing:
        return record
    return {**record, "affiliations": sorted(listed + missing, key=affiliation_order)}


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

    def __init__(self, writer: Writer, speaker_ids: set[int], records: list[dict]) -> None:
        self.writer = writer
        self.by_speaker = writer.affiliations_of(speaker_ids)
        keys = {r["role"]["organization"] for r in records if "role" in r}
        self.organization_ids = writer.id_map("organization", keys)
        self.speakers_with_new_affiliations: set[int] = set()

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
            self.speakers_with_new_affiliations.add(speaker_id)
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
