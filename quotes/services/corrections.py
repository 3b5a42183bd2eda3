"""Corrections of published quotes by changes of the records they show.

A published quote shows its speaker's name, its role (the affiliation's title and its
organization's name) and the title and address of each cited source. A change of one of
those records that alters what a published quote shows is a public correction of that
quote, as a change of the quote itself is: the writer gives a note, and each quote it
alters gets a dated correction with it (append-only, like every correction). Which quotes
a change alters is found by comparing what they show before and after it, so that every
way of changing them counts: a renamed speaker, an affiliation edited, added or removed
(the role resolved again), a renamed organization, a source's new title or address.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone

from quotes.actors import Actor, person
from quotes.history import action_context
from quotes.models import Affiliation, Citation, Occasion, Organization, Quote, Source, Speaker

ALTERED_NOTE_NEEDED = (
    "This change alters what {count} published quote(s) show ({keys}): it is a public "
    "correction of each. Say what was corrected and why, in words for readers."
)
Shown = tuple[str, str | None, str | None, tuple[tuple[str, str], ...], tuple | None]


def quotes_showing(obj: models.Model) -> models.QuerySet[Quote]:
    """The published quotes that show ``obj`` (a speaker, an affiliation of their speaker,
    an organization of their role, a cited source, their occasion); none for other records."""
    published = Quote.objects.filter(status=Quote.Status.PUBLISHED)
    if obj.pk is None:
        return published.none()
    if isinstance(obj, Speaker):
        return published.filter(speaker=obj)
    if isinstance(obj, Affiliation):
        return published.filter(speaker_id=obj.speaker_id)
    if isinstance(obj, Organization):
        return published.filter(role__organization=obj)
    if isinstance(obj, Source):
        return published.filter(citations__source=obj).distinct()
    if isinstance(obj, Occasion):
        return published.filter(occasion=obj)
    return published.none()


def quotes_shown(*, quotes: models.QuerySet[Quote]) -> dict[int, Shown]:
    """What each published quote of ``quotes`` shows of the records around it."""
    cited = Citation.objects.select_related("source").order_by("pk")
    rows = (
        Quote.objects.filter(pk__in=quotes.values("pk"), status=Quote.Status.PUBLISHED)
        .select_related("speaker", "role__organization", "occasion")
        .prefetch_related(Prefetch("citations", queryset=cited))
    )
    return {quote.pk: _shown(quote) for quote in rows}


def _shown(quote: Quote) -> Shown:
    role = quote.role
    return (
        quote.speaker.name,
        role.role if role else None,
        role.organization.name if role else None,
        tuple((c.source.title, c.source.url) for c in quote.citations.all()),
        _occasion_shown(quote.occasion),
    )


def _occasion_shown(occasion: Occasion | None) -> tuple | None:
    """What a statement shows of its occasion (``quotes.public.PublicOccasion``)."""
    if occasion is None:
        return None
    fields = (occasion.name, occasion.kind, occasion.start, occasion.end, occasion.place)
    return (*(str(value or "") for value in fields), str(occasion.country or ""))


def quotes_correct_altered(*, before: dict[int, Shown], note: str, user: Actor) -> list[str]:
    """Add a correction with ``note`` to each quote whose shown values differ from
    ``before`` (``quotes_shown`` taken before the change); return their keys.

    Raises ``ValidationError`` on ``correction_note`` when quotes were altered and there is
    no note: the caller's transaction then leaves everything as it was.
    """
    after = quotes_shown(quotes=Quote.objects.filter(pk__in=before))
    altered = [pk for pk, shown in before.items() if after.get(pk) != shown]
    if not altered:
        return []
    keys = sorted(Quote.objects.filter(pk__in=altered).values_list("key", flat=True))
    note = note.strip()
    if not note:
        listed = ", ".join(keys[:10]) + (", …" if len(keys) > 10 else "")
        raise ValidationError(
            {"correction_note": ALTERED_NOTE_NEEDED.format(count=len(keys), keys=listed)}
        )
    entry = {"date": timezone.localdate().isoformat(), "note": note}
    author = person(user)
    with action_context(action="correct", note=note):
        for quote in Quote.objects.select_for_update().filter(pk__in=altered):
            quote.corrections = [*quote.corrections, entry]
            quote.updated_by = author or quote.updated_by
            quote.save(update_fields=["corrections", "updated_by", "updated"])
    return keys


def quotes_lock(*, quotes: models.QuerySet[Quote]) -> None:
    """Lock ``quotes`` for the rest of the transaction, in the order of their ids.

    A write that alters what many quotes show takes their locks first, all in one order, so
    that it waits for a concurrent write of one of them instead of deadlocking with it: that
    write may itself wait for a row this one would otherwise hold by then (the affiliation
    it deletes, which the quote's role refers to).
    """
    locked = Quote.objects.filter(pk__in=quotes.values("pk")).order_by("pk")
    list(locked.select_for_update(no_key=True).values_list("pk", flat=True))


@contextmanager
def published_quotes_corrected(
    *, quotes: models.QuerySet[Quote], note: str, user: Actor
) -> Iterator[None]:
    """Around a write inside a transaction: the published quotes of ``quotes`` that it
    alters get a correction with ``note``, or the write is refused without one."""
    quotes_lock(quotes=quotes)
    before = quotes_shown(quotes=quotes)
    yield
    quotes_correct_altered(before=before, note=note, user=user)
