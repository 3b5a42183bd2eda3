"""Watchers of a statement told that a source no longer contains its cited passage, or
that the source's page is gone (captures/): the drift is a public change of the statement
(``Change.Kind.DRIFTED``), matched with the alerts watching it and mailed with their next
delivery, as corrections are."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from alerts.models import Alert, Change, Match
from quotes.models import Quote


def drift_record(*, quote_ids: Iterable[int], at: datetime.datetime) -> int:
    """A drift change at ``at`` (the capture that found it) of each public statement among
    ``quote_ids``, matched with the confirmed, running alerts watching it; the number of
    matches made. Runs in the caller's transaction; statements not public are not told."""
    public = set(Quote.objects.public().filter(pk__in=list(quote_ids)).values_list("pk", flat=True))
    if not public:
        return 0
    known = set(
        Change.objects.filter(quote_id__in=public, kind=Change.Kind.DRIFTED, at=at).values_list(
            "quote_id", flat=True
        )
    )
    changes = Change.objects.bulk_create(
        [Change(quote_id=pk, kind=Change.Kind.DRIFTED, at=at) for pk in sorted(public - known)]
    )
    by_quote = {change.quote_id: change.pk for change in changes}
    watching = Alert.objects.filter(
        quote_id__in=by_quote, confirmed_at__isnull=False, paused=False
    ).values_list("pk", "quote_id")
    made = Match.objects.bulk_create(
        [Match(alert_id=alert, change_id=by_quote[quote]) for alert, quote in watching],
        ignore_conflicts=True,
    )
    return len(made)
