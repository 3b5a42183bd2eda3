"""The one public representation of a statement: what every output tells readers.

Pages, the search page, feeds, JSON-LD, the API, the CSV and NDJSON downloads, Popolo, the
interchange and mails render a :class:`PublicStatement`; none decides on its own which
statements and records are public, how a retraction or a correction is stated, which words
are the speaker's own and which a translation, or what a statement's permanent identifier
is. An output that needs a fact this representation lacks adds it here, for every output.

Which records are public is a QuerySet method of each model (``Quote.objects.public()``,
``Speaker.objects.public()``…, and ``visible_to(user)`` for outputs that also serve
editors): a speaker, organization, source or topic is public once a published or retracted
statement refers to it.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from quotes.dates import ReducedDate
from quotes.models import PUBLIC_STATUSES, Occasion, Quote, Translation

__all__ = [
    "PUBLIC_STATUSES",
    "PublicCitation",
    "PublicCorrection",
    "PublicOccasion",
    "PublicRetraction",
    "PublicRole",
    "PublicSpeaker",
    "PublicStatement",
    "PublicTranslation",
    "public_occasion",
    "statement",
    "statement_tag",
    "statements",
]

OFFICIAL_LABEL = "official translation"
OWN_LABEL = "OnRecord's translation"


@dataclass(frozen=True)
class PublicSpeaker:
    key: str
    name: str
    wikidata: str
    country: str


@dataclass(frozen=True)
class PublicRole:
    """The role the speaker held that day, as resolved from their dated affiliations."""

    title: str
    organization_key: str
    organization_name: str
    organization_wikidata: str
    start: ReducedDate | None
    end: ReducedDate | None
    organization_country: str = ""


@dataclass(frozen=True)
class PublicOccasion:
    """The occasion at which the statement was made: a call, a meeting, a summit…"""

    key: str
    name: str
    kind: str
    kind_label: str
    start: ReducedDate | None
    end: ReducedDate | None
    place: str
    country: str

    @property
    def path(self) -> str:
        return reverse("reader:occasion", args=[self.key])


@dataclass(frozen=True)
class PublicTranslation:
    text: str
    language: str
    official: bool

    @property
    def label(self) -> str:
        """How every output names it: the speaker's office's own, or OnRecord's."""
        return OFFICIAL_LABEL if self.official else OWN_LABEL


@dataclass(frozen=True)
class PublicCitation:
    source_key: str
    source_title: str
    source_kind: str
    publisher: str
    url: str
    archive_url: str
    source_published: ReducedDate | None
    source_language: str
    excerpt: str
    verified_at: datetime.datetime | None
    # The check against the captures of the source's page (captures/): whether the last
    # capture has the excerpt (None before any), when it was taken, the last that had it,
    # and the date the page stopped having it (None when it has it, or an editor judged
    # the change immaterial).
    in_capture: bool | None = None
    checked_at: datetime.datetime | None = None
    found_at: datetime.datetime | None = None
    changed_since: datetime.date | None = None
    anchor: str = ""  # the passage's anchor on the source's page

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


@dataclass(frozen=True)
class PublicCorrection:
    date: datetime.date
    note: str


@dataclass(frozen=True)
class PublicRetraction:
    date: datetime.date | None
    reason: str
    at: datetime.datetime | None = None  # the moment, for outputs that give one


@dataclass(frozen=True)
class PublicAttribution:
    """The same claim on record under another speaker's name, a link a reviewer confirmed
    (lineage/): a statement that other sources attribute to someone else."""

    key: str
    speaker: PublicSpeaker
    said: ReducedDate | None

    @property
    def path(self) -> str:
        return reverse("reader:quote", args=[self.key])


@dataclass(frozen=True)
class PublicStatement:
    """A statement as readers may know it. ``status`` is ``published`` or ``retracted`` for
    the public; editors' outputs may render a draft through the same representation."""

    uid: uuid.UUID
    key: str
    status: str
    speaker: PublicSpeaker
    role: PublicRole | None
    text: str
    language: str
    kind: str
    said: ReducedDate | None
    occasion: PublicOccasion | None
    context: str
    translations: tuple[PublicTranslation, ...]
    citations: tuple[PublicCitation, ...]
    topics: tuple[tuple[str, str], ...]  # (key, name)
    corrections: tuple[PublicCorrection, ...]
    retraction: PublicRetraction | None
    first_published: datetime.datetime | None
    updated: datetime.datetime
    also_attributed_to: tuple[PublicAttribution, ...] = ()

    @property
    def tag(self) -> str:
        return statement_tag(self.uid)

    @property
    def path(self) -> str:
        return reverse("reader:quote", args=[self.key])

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def retracted(self) -> bool:
        return self.retraction is not None

    def translation_in(self, language: str) -> PublicTranslation | None:
        """The translation for a reader of ``language`` (official first), or None when the
        statement was said in that language or has no such translation."""
        wanted = primary_language(language)
        if primary_language(self.language) == wanted:
            return None
        found = [t for t in self.translations if primary_language(t.language) == wanted]
        return sorted(found, key=lambda t: not t.official)[0] if found else None


def statement_tag(uid: uuid.UUID | str) -> str:
    """The statement's permanent identifier as a ``tag:`` URI (RFC 4151): it names no host
    and no key, so no rename, move or mirror changes it (Atom ids, JSON-LD identifiers)."""
    return f"tag:{settings.ONRECORD_TAG_AUTHORITY}:statement:{uid}"


def statement(quote: Quote) -> PublicStatement:
    """The public representation of ``quote``, read from its prefetched parts
    (``Quote.objects.with_public_parts()``)."""
    speaker = quote.speaker
    return PublicStatement(
        uid=quote.uid,
        key=quote.key,
        status=quote.status,
        speaker=PublicSpeaker(speaker.key, speaker.name, speaker.wikidata, str(speaker.country)),
        role=_role(quote),
        text=quote.text,
        language=quote.language,
        kind=quote.kind,
        said=quote.said,
        occasion=_occasion(quote),
        context=quote.context,
        translations=tuple(_translation(t) for t in _ordered(quote.translations.all())),
        citations=tuple(_citation(c) for c in quote.citations.all()),
        topics=tuple((topic.key, topic.name) for topic in quote.topics.all()),
        corrections=tuple(_corrections(quote)),
        retraction=_retraction(quote),
        first_published=quote.published_at,
        updated=_updated(quote),
        also_attributed_to=tuple(_attributions(quote)),
    )


def _attributions(quote: Quote) -> Iterable[PublicAttribution]:
    """The public statements of other speakers a reviewer confirmed as the same claim, read
    from ``with_attributions()`` (a quote fetched without it asks the database)."""
    if quote.pk is None:
        return
    if not hasattr(quote, "confirmed_as_first"):
        quote = type(quote).objects.with_attributions().get(pk=quote.pk)
    others = [d.second for d in quote.confirmed_as_first] + [
        d.first for d in quote.confirmed_as_second
    ]
    for other in sorted(others, key=lambda q: (q.said_start is None, q.said_start, q.key)):
        if other.status in PUBLIC_STATUSES and other.speaker_id != quote.speaker_id:
            speaker = other.speaker
            yield PublicAttribution(
                other.key,
                PublicSpeaker(speaker.key, speaker.name, speaker.wikidata, str(speaker.country)),
                other.said,
            )


def statements(quotes: Iterable[Quote]) -> list[PublicStatement]:
    return [statement(quote) for quote in quotes]


def primary_language(tag: str) -> str:
    """A language tag's primary subtag: "zh-Hant-TW" -> "zh"."""
    return (tag or "").split("-")[0].lower()


def _ordered(translations: Iterable[Translation]) -> list[Translation]:
    return sorted(translations, key=lambda t: (not t.official, t.language, t.pk or 0))


def _translation(translation: Translation) -> PublicTranslation:
    return PublicTranslation(translation.text, translation.language, translation.official)


def _role(quote: Quote) -> PublicRole | None:
    role = quote.role
    if role is None:
        return None
    organization = role.organization
    return PublicRole(
        role.role,
        organization.key,
        organization.name,
        organization.wikidata,
        role.start,
        role.end,
        str(organization.country),
    )


def _occasion(quote: Quote) -> PublicOccasion | None:
    return None if quote.occasion is None else public_occasion(quote.occasion)


def public_occasion(occasion: Occasion) -> PublicOccasion:
    """An occasion as statements and its own page show it."""
    return PublicOccasion(
        key=occasion.key,
        name=occasion.name,
        kind=occasion.kind,
        kind_label=str(occasion.get_kind_display()),
        start=occasion.start,
        end=occasion.end,
        place=occasion.place,
        country=str(occasion.country),
    )


def passage_anchor(quote_key: str) -> str:
    """The anchor of a statement's cited passage on its source's page (a source cites a
    statement once)."""
    return f"passage-{quote_key}"


def _citation(citation) -> PublicCitation:
    source = citation.source
    check = getattr(citation, "capture_check", None)
    return PublicCitation(
        source_key=source.key,
        source_title=source.title,
        source_kind=source.kind,
        publisher=source.publisher,
        url=source.url,
        archive_url=source.archive_url,
        source_published=source.published,
        source_language=source.language,
        excerpt=citation.excerpt,
        verified_at=citation.verified_at,
        in_capture=check.in_capture if check else None,
        checked_at=check.checked_at if check else None,
        found_at=check.found_at if check else None,
        changed_since=check.drift_since if check else None,
        anchor=passage_anchor(citation.quote.key),
    )


def _corrections(quote: Quote) -> list[PublicCorrection]:
    """The public corrections, oldest first. Append-only: the services add one with each
    correction and never remove one."""
    return [
        PublicCorrection(datetime.date.fromisoformat(item["date"]), item["note"])
        for item in quote.corrections or []
    ]


def _retraction(quote: Quote) -> PublicRetraction | None:
    if quote.status != Quote.Status.RETRACTED:
        return None
    date = quote.retracted_at.date() if quote.retracted_at else None
    return PublicRetraction(date, quote.retraction_reason, quote.retracted_at)


# ``_updated`` in SQL, for the search index's order of the last public change (feeds).
LAST_PUBLIC_CHANGE_SQL = (
    "COALESCE(GREATEST(q.published_at, q.corrected_at, q.retracted_at), q.updated)"
)


def _updated(quote: Quote) -> datetime.datetime:
    """The last public change: first publication, the latest correction or the retraction.
    An editor's work that readers do not see (a draft, a pending revision) does not count.
    (The search index orders by the same moment: ``LAST_PUBLIC_CHANGE_SQL``.)"""
    moments = [quote.published_at, quote.corrected_at, quote.retracted_at]
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else quote.updated
