"""“Did you mean Vladimir Putin?”: speakers whose name is close to a search that found
nothing, by the API's fuzzy speaker search (``quotes.speaker_search``)."""

from __future__ import annotations

from django.db import transaction

from quotes.models import Speaker
from quotes.speaker_search import fuzzy_search_threshold, speakers_matching

SUGGESTIONS = 3


def speaker_suggestions(query: str) -> list[Speaker]:
    """Up to SUGGESTIONS public speakers named like ``query``, the closest first."""
    query = query.strip()
    if not query:
        return []
    with transaction.atomic():
        fuzzy_search_threshold()
        return list(speakers_matching(Speaker.objects.public(), query)[:SUGGESTIONS])
