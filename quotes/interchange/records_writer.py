"""The write pass of an import for organizations, sources, topics, speakers (with their
names and affiliations) and occasions (with their participants): a part of
``writer.Writer``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch

from quotes.interchange.batches import UPDATE_BATCH_SIZE, Batch, assign, with_existed
from quotes.interchange.canonical import (
    affiliation_order,
    compact,
    date,
    occasion_record,
    organization_record,
    source_record,
    speaker_record,
    topic_record,
)
from quotes.interchange.copying import copy_create
from quotes.interchange.old_keys import old_keys_replace
from quotes.models import (
    Affiliation,
    Occasion,
    OccasionAccount,
    OccasionParticipant,
    Organization,
    Quote,
    Source,
    Speaker,
    SpeakerName,
    Topic,
)
from quotes.roles import Resolution, resolve_role

ORGANIZATION_FIELDS = {
    "name": "",
    "kind": "",
    "country": "",
    "aliases": [],
    "wikidata": "",
    "url": "",
}
OCCASION_FIELDS = {
    "name": "",
    "kind": "",
    "start": None,
    "end": None,
    "place": "",
    "country": "",
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


class RecordWriting:
    """``Writer``'s methods for the records quotes refer to."""

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

        stored_texts = {key: source.full_text for key, source in existing.items()}
        stored_places = {key: (source.title, source.url) for key, source in existing.items()}
        new, changed = self.sort_out("source", batch, existing, source_record, build)
        self.check_full_texts(batch, changed, stored_texts)
        self.save("source", new, changed, SOURCE_FIELDS)
        self.moved_sources.update(
            s.pk for s, _ in changed if (s.title, s.url) != stored_places[s.key]
        )
        old_keys_replace("source", new + changed)

    def write_topics(self, batch: Batch) -> None:
        existing = Topic.objects.in_bulk([r["key"] for _, r in batch], field_name="key")

        def build(topic: Topic, record: dict) -> None:
            topic.name = record["name"]

        new, changed = self.sort_out("topic", batch, existing, topic_record, build)
        self.save("topic", new, changed, ["name"])
        self.topic_ids.update((topic.key, topic.pk) for topic, _ in new)

    # Occasions: their participants are replaced by those of the record.

    def write_occasions(self, batch: Batch) -> None:
        participants = OccasionParticipant.objects.select_related("speaker", "organization")
        accounts = OccasionAccount.objects.select_related("source", "organization")
        stored = Occasion.objects.filter(key__in=[r["key"] for _, r in batch])
        stored = stored.select_related("parent").prefetch_related(
            "old_keys",
            Prefetch("participants", queryset=participants.order_by("pk")),
            Prefetch("accounts", queryset=accounts.order_by("pk")),
        )
        existing = {o.key: o for o in stored}
        parent_ids = self.id_map("occasion", {r["parent"] for _, r in batch if "parent" in r})

        def build(occasion: Occasion, record: dict) -> None:
            assign(occasion, record, OCCASION_FIELDS)
            occasion.parent_id = parent_ids[record["parent"]] if "parent" in record else None

        new, changed = self.sort_out("occasion", batch, existing, occasion_record, build)
        self.save("occasion", new, changed, [*OCCASION_FIELDS, "parent"])
        old_keys_replace("occasion", new + changed)
        self.replace_participants(new, changed)
        self.replace_accounts(new, changed)

    def replace_participants(self, new: list, changed: list) -> None:
        items = [item for _, record in new + changed for item in record.get("participants", [])]
        speaker_ids = self.id_map("speaker", {item["speaker"] for item in items})
        organization_keys = {item["organization"] for item in items if "organization" in item}
        organization_ids = self.id_map("organization", organization_keys)
        OccasionParticipant.objects.filter(occasion__in=[o for o, _ in changed]).delete()
        copy_create(
            OccasionParticipant,
            [
                OccasionParticipant(
                    occasion=occasion,
                    speaker_id=speaker_ids[item["speaker"]],
                    organization_id=organization_ids.get(item.get("organization")),
                    country=item.get("country", ""),
                )
                for occasion, record in new + changed
                for item in record.get("participants", [])
            ],
        )

    def replace_accounts(self, new: list, changed: list) -> None:
        items = [item for _, record in new + changed for item in record.get("accounts", [])]
        source_ids = self.id_map("source", {item["source"] for item in items})
        organization_keys = {item["organization"] for item in items if "organization" in item}
        organization_ids = self.id_map("organization", organization_keys)
        OccasionAccount.objects.filter(occasion__in=[o for o, _ in changed]).delete()
        copy_create(
            OccasionAccount,
            [
                OccasionAccount(
                    occasion=occasion,
                    source_id=source_ids[item["source"]],
                    kind=item["kind"],
                    organization_id=organization_ids.get(item.get("organization")),
                    country=item.get("country", ""),
                )
                for occasion, record in new + changed
                for item in record.get("accounts", [])
            ],
        )

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
        for speaker, record, existed in with_existed(new, changed):
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
        for speaker, record, existed in with_existed(new, changed):
            current = defaultdict(list)
            for affiliation in speaker.affiliations.all() if existed else ():
                match = (affiliation.organization_id, affiliation.role, date(affiliation.start))
                current[match].append(affiliation)
            for item in record.get("affiliations", []):
                organization_id = organization_ids[item["organization"]]
                matches = current[(organization_id, item["role"], item.get("start"))]
                if not matches:
                    to_create.append(new_affiliation(speaker, organization_id, item))
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


def new_affiliation(speaker: Speaker, organization_id: int, item: dict) -> Affiliation:
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
