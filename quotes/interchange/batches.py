"""What the write pass of an import shares between its parts: batches of (line, record)
pairs, and how records' fields become an object's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from quotes.models import Occasion, Organization, Quote, Source, Speaker, Topic

RECORD_MODELS = {
    "organization": Organization,
    "speaker": Speaker,
    "source": Source,
    "topic": Topic,
    "occasion": Occasion,
    "quote": Quote,
}
UPDATE_BATCH_SIZE = 500

Batch = list[tuple[int, dict]]


def assign(obj: Any, record: dict, defaults: dict) -> None:
    for name, default in defaults.items():
        setattr(obj, name, record.get(name, default))


def by_quote(queryset: Iterable) -> dict[int, list]:
    grouped = defaultdict(list)
    for item in queryset:
        grouped[item.quote_id].append(item)
    return grouped


def with_existed(new: list, changed: list) -> Iterator[tuple[Any, dict, bool]]:
    for obj, record in new:
        yield obj, record, False
    for obj, record in changed:
        yield obj, record, True
