"""The index on disk: its schema, readers, the one writer at a time, and its position.

An index directory holds a tantivy index and ``position.json``, the outbox position up to
which the index is current (see ``search.outbox``) and the database it was built from.
Every process reads the index through one ``tantivy.Index``, whose reader reloads by itself
after each commit; writing takes a file lock first, so that one writer at a time (an
indexer, a rebuild) works on a directory.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tantivy
from django.conf import settings

from search import analysis

# Each part of a quote is indexed in its own fields, so that BM25 weighs them apart.
PARTS = ("text", "translation", "name", "context")
# Context is read as English, as editors write it.
CONTEXT_STEMMER = "english"
WRITER_HEAP = 64_000_000
SCHEMA_VERSION = 3  # 2: "changed", the last public change; 3: the occasion and its kind
log = logging.getLogger(__name__)


def part_fields(part: str) -> list[str]:
    stemmed = [CONTEXT_STEMMER] if part == "context" else analysis.STEMMED_LANGUAGES
    return [f"{part}_{name}" for name in [analysis.PLAIN, *stemmed]]


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for part in PARTS:
        for field in part_fields(part):
            builder.add_text_field(field, tokenizer_name=field.split("_", 1)[1])
        builder.add_text_field(f"{part}_cjk", tokenizer_name="cjk")
        builder.add_text_field(f"{part}_cjk1", tokenizer_name="cjk", index_option="freq")
    # Filters and facets.
    for field in ("status", "kind", "language", "language_match", "speaker", "organization"):
        builder.add_text_field(field, tokenizer_name="raw", fast=True)
    for field in ("country", "topic", "source", "year", "occasion", "occasion_kind"):
        builder.add_text_field(field, tokenizer_name="raw", fast=True)
    builder.add_integer_field("said_start", indexed=True, fast=True)
    # Orders: see documents.said_order.
    for field in ("said_asc", "said_desc", "created", "updated", "changed"):
        builder.add_integer_field(field, fast=True)
    return builder.build()


@dataclass
class Position:
    """How far the index is: the last outbox position applied, and when; and the database
    whose outbox it is (``search.outbox.State``)."""

    position: int = 0
    committed: str | None = None
    schema: int = SCHEMA_VERSION
    database: str | None = None


class IndexDamaged(Exception):
    """The index's files cannot be read."""


class SearchIndex:
    """One index directory."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.schema = build_schema()
        self._index: tantivy.Index | None = None
        self._opening = threading.Lock()

    @property
    def position_file(self) -> Path:
        return self.path / "position.json"

    def exists(self) -> bool:
        return self.position_file.exists() and tantivy.Index.exists(str(self.path))

    def open(self) -> tantivy.Index:
        """The index, created empty when missing (a rebuild then fills it)."""
        with self._opening:
            if self._index is None:
                self.path.mkdir(parents=True, exist_ok=True)
                index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
                analysis.register(index)
                if settings.SEARCH_SYNC:  # this process is the only writer: it reloads
                    index.config_reader("Manual")
                self._index = index
            return self._index

    def searcher(self) -> tantivy.Searcher:
        return self.open().searcher()

    def reload(self) -> None:
        self.open().reload()

    def position(self) -> Position:
        try:
            data = json.loads(self.position_file.read_text())
            return Position(**data)
        except FileNotFoundError:
            return Position()
        except (ValueError, TypeError) as error:
            raise IndexDamaged(f"{self.position_file.name}: {error}") from error

    def damage(self) -> str | None:
        """Why the index's files cannot be read, if they cannot (a missing index is not
        damaged: see ``exists``)."""
        try:
            json.loads((self.path / "meta.json").read_text())
            if (schema := self.position().schema) != SCHEMA_VERSION:
                return f"the search index at {self.path} has schema {schema}, not {SCHEMA_VERSION}"
            self.open()
        except FileNotFoundError:
            return None
        except (IndexDamaged, ValueError, OSError) as error:
            return f"the search index at {self.path} is damaged ({error})"
        return None

    def clear(self) -> None:
        """Remove the index's files (a damaged index, before a rebuild); the caller writes."""
        log.warning("Removing the damaged search index at %s to rebuild it.", self.path)
        with self._opening:
            self._index = None
            for child in self.path.iterdir():
                if child.name == "write.lock":
                    continue
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()

    def save_position(self, position: Position) -> None:
        """Written after the index's commit: a crash in between only replays changes."""
        scratch = self.position_file.with_suffix(".tmp")
        scratch.write_text(json.dumps(position.__dict__))
        os.replace(scratch, self.position_file)

    @contextmanager
    def writing(self) -> Iterator[tantivy.IndexWriter]:
        """The index's writer, once no other process or thread writes to this directory;
        a damaged index is removed first."""
        self.path.mkdir(parents=True, exist_ok=True)
        with _locked(self.path / "write.lock"):
            if self.damage():  # nothing in it can be kept: the writer rebuilds from nothing
                self.clear()
            writer = self.open().writer(WRITER_HEAP, 1)
            try:
                yield writer
            except BaseException:
                writer.rollback()
                raise
            finally:
                # Finishes the merges and releases tantivy's own lock with the writer.
                writer.wait_merging_threads()


_thread_locks: dict[Path, threading.Lock] = {}


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path``, across processes (flock) and threads."""
    thread_lock = _thread_locks.setdefault(path, threading.Lock())
    with thread_lock, path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_indexes: dict[Path, SearchIndex] = {}
_registry = threading.Lock()


def search_dir() -> Path:
    return Path(settings.SEARCH_DIR)


def current_index() -> SearchIndex:
    """This process's index of ``settings.SEARCH_DIR``."""
    path = search_dir()
    with _registry:
        if path not in _indexes:
            _indexes[path] = SearchIndex(path)
        return _indexes[path]


def forget(path: Path) -> None:
    """Drop this process's handle on ``path`` (after its directory was removed)."""
    with _registry:
        _indexes.pop(Path(path), None)
