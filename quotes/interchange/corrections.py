"""Published quotes that an import alters through the records around them.

A record of a speaker, an organization, a source or an occasion can change what published
quotes show (a speaker's name, the role resolved from their affiliations, an organization's
name in a role, a cited source's title or address, the occasion's name, kind, dates or
place), as the same change in the admin or the API can; there it is a public correction of
each of those quotes (``services.corrections``), and so it is here. Each such quote must
either come in the same file with a new entry in its ``corrections`` (a file from another
OnRecord, where the change was made), or the record that changes it gives a
``correction_note``, which each quote it alters gets as a dated correction. Otherwise the
import is refused with that record's line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Max, Q, QuerySet

from quotes.interchange.errors import LineError
from quotes.models import Quote
from quotes.services.corrections import Shown, quotes_correct_altered, quotes_shown

NOTE_FIELD = "correction_note"
# The relation from a published quote to a record it shows, by the record's type.
SHOWN_THROUGH = {
    "speaker": "speaker_id",
    "organization": "role__organization_id",
    "source": "citations__source_id",
    "occasion": "occasion_id",
}
NOTE_NEEDED = (
    "this change alters what {count} published quote(s) show ({keys}): it is a public "
    'correction of each; add "correction_note" to this record, in words for readers, or '
    "bring those quotes in the file with a new entry in their corrections"
)
ROLE_NOTE_NEEDED = (
    "this role gives the speaker a new affiliation, which alters the role that {count} "
    "published quote(s) show ({keys}): it is a public correction of each; add the "
    'affiliation to the speaker\'s record with a "correction_note", or bring those quotes in '
    "the file with a new entry in their corrections"
)
CHUNK = 2000


def with_note(record: dict, given: dict) -> dict:
    """The canonical ``record`` of the file's line ``given``, with the line's note if any."""
    if NOTE_FIELD not in given:
        return record
    return {**record, NOTE_FIELD: given[NOTE_FIELD]}


def without_note(record: dict) -> dict:
    """The record as stored: the note is about the change, not a field of the record."""
    if NOTE_FIELD not in record:
        return record
    return {name: value for name, value in record.items() if name != NOTE_FIELD}


class AlteredQuotes:
    """What the published quotes an import may alter showed before it, and which lines may
    have altered them; ``settle()`` at the end corrects them or names the lines."""

    def __init__(self) -> None:
        self.before: dict[int, Shown] = {}
        self.corrections_before: dict[int, int] = {}
        self.causes: dict[int, list[int]] = defaultdict(list)  # quote id -> lines
        self.notes: dict[int, str] = {}  # line -> its record's correction note
        self.quote_lines: set[int] = set()  # causes that are quote lines (explicit roles)
        # Quotes the import creates were never shown: only those on record before it count.
        self.on_record_up_to = Quote.objects.aggregate(last=Max("pk"))["last"] or 0

    def watch(self, kind: str, changed: Iterable[tuple[int, int, dict]]) -> None:
        """Before records of ``kind`` are written: (line, id, record) of each changed one."""
        lines = {pk: (line, record) for line, pk, record in changed}
        if not lines:
            return
        for line, record in lines.values():
            if record.get(NOTE_FIELD, "").strip():
                self.notes[line] = record[NOTE_FIELD].strip()
        relation = SHOWN_THROUGH[kind]
        rows = self._published().filter(Q(**{f"{relation}__in": list(lines)}))
        self._remember(
            (pk, lines[record_id][0]) for pk, record_id in rows.values_list("pk", relation)
        )

    def watch_speakers(self, speakers: dict[int, int]) -> None:
        """Before roles are resolved again: ``speakers`` maps a speaker's id to the line
        that gave it a new affiliation."""
        self.quote_lines.update(speakers.values())
        rows = self._published().filter(speaker_id__in=list(speakers))
        self._remember((pk, speakers[s]) for pk, s in rows.values_list("pk", "speaker_id"))

    def _published(self) -> QuerySet[Quote]:
        return Quote.objects.filter(
            status=Quote.Status.PUBLISHED, pk__lte=self.on_record_up_to
        ).distinct()

    def _remember(self, pairs: Iterable[tuple[int, int]]) -> None:
        unseen = set()
        for pk, line in pairs:
            if line not in self.causes[pk]:
                self.causes[pk].append(line)
            if pk not in self.before:
                unseen.add(pk)
        for chunk in _chunks(sorted(unseen)):
            self.before.update(quotes_shown(quotes=Quote.objects.filter(pk__in=chunk)))
            self.corrections_before.update(_correction_counts(chunk))

    def settle(self, user: Any) -> list[LineError]:
        """After every record is written: each altered quote that its own record did not
        correct gets its cause's note as a correction; the errors of causes without one."""
        uncorrected = self._uncorrected()
        by_note: dict[str, list[int]] = defaultdict(list)
        unexplained: dict[int, list[int]] = defaultdict(list)
        for pk in uncorrected:
            notes = [self.notes[line] for line in self.causes[pk] if line in self.notes]
            if notes:
                by_note["; ".join(dict.fromkeys(notes))].append(pk)
            else:
                unexplained[self.causes[pk][0]].append(pk)
        for note, pks in by_note.items():
            quotes_correct_altered(before={pk: self.before[pk] for pk in pks}, note=note, user=user)
        return [
            _note_needed(line, pks, line in self.quote_lines)
            for line, pks in sorted(unexplained.items())
        ]

    def _uncorrected(self) -> list[int]:
        """The watched quotes whose shown values changed and whose corrections did not grow."""
        found = []
        for chunk in _chunks(sorted(self.before)):
            after = quotes_shown(quotes=Quote.objects.filter(pk__in=chunk))
            counts = _correction_counts(chunk)
            for pk in chunk:
                # A quote no longer published (its own record withdrew it) shows nothing.
                altered = pk in after and after[pk] != self.before[pk]
                if altered and counts.get(pk, 0) <= self.corrections_before[pk]:
                    found.append(pk)
        return found


def _note_needed(line: int, pks: list[int], explicit_role: bool) -> LineError:
    keys = sorted(Quote.objects.filter(pk__in=pks[:11]).values_list("key", flat=True))
    listed = ", ".join(keys[:10]) + (", …" if len(pks) > 10 else "")
    if explicit_role:
        return LineError(line, "role", ROLE_NOTE_NEEDED.format(count=len(pks), keys=listed))
    return LineError(line, NOTE_FIELD, NOTE_NEEDED.format(count=len(pks), keys=listed))


def _correction_counts(pks: list[int]) -> dict[int, int]:
    rows = Quote.objects.filter(pk__in=pks).values_list("pk", "corrections")
    return {pk: len(corrections) for pk, corrections in rows}


def _chunks(items: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
