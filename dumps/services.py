"""Making, listing and pruning the public dumps.

A dump is one directory under ``ONRECORD_DUMPS_DIR`` named by its version, the UTC moment it
was made (``2026-12-05T230000Z``), holding the three files (``FILES``) and ``manifest.json``
(each file's name, size, SHA-256 and record counts, the time and the licence). It is written
in a hidden directory beside it and renamed into place when complete, so a listing never
shows a dump being written or left half-written by a crash. Only the newest
``ONRECORD_DUMPS_KEEP`` versions are kept.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from dumps import writers
from quotes.interchange.exporter import consistent_snapshot

VERSION_FORMAT = "%Y-%m-%dT%H%M%SZ"
VERSION_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{6}Z")
MANIFEST = "manifest.json"
TEMPORARY_PREFIX = ".partial-"
# A hidden directory older than this is what a crashed run left: removed by the next run.
STALE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class DumpFile:
    """One file of a dump: its name (``{version}`` replaced) and what it holds."""

    pattern: str
    media_type: str
    description: str

    def name(self, version: str) -> str:
        return self.pattern.format(version=version)


NDJSON = DumpFile(
    "onrecord-{version}.ndjson.gz",
    "application/gzip",
    "The public record in the interchange format (NDJSON, docs/interchange.md)",
)
CSV = DumpFile(
    "onrecord-statements-{version}.csv.gz",
    "application/gzip",
    "The public statements as CSV, the columns of the CSV download",
)
POPOLO = DumpFile(
    "onrecord-popolo-{version}.json.gz",
    "application/gzip",
    "Speakers, organizations, memberships and statements as Popolo JSON",
)
FILES = (NDJSON, CSV, POPOLO)


class DumpExists(Exception):
    """A dump of this version (the same second) is already there."""


def dumps_dir() -> Path:
    return Path(settings.DUMPS_DIR)


def dump_create(*, now: datetime.datetime | None = None, keep: int | None = None) -> dict:
    """Write a dump of the public record as of now, then prune to the newest ``keep``
    (default ``ONRECORD_DUMPS_KEEP``) versions; return its manifest."""
    created = (now or timezone.now()).astimezone(datetime.UTC).replace(microsecond=0)
    version = created.strftime(VERSION_FORMAT)
    root = dumps_dir()
    root.mkdir(parents=True, exist_ok=True)
    final = root / version
    if final.exists():
        raise DumpExists(f"A dump {version} exists already.")
    _remove_stale(root)
    partial = Path(tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}{version}-", dir=root))
    try:
        manifest = _write_files(partial, version, created)
        partial.chmod(0o755)  # mkdtemp makes it private; the files are public
        partial.rename(final)  # atomic on one file system: listed complete or not at all
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    dump_prune(keep=settings.DUMPS_KEEP if keep is None else keep)
    return manifest


def _write_files(directory: Path, version: str, created: datetime.datetime) -> dict:
    """The three files and the manifest, all from one consistent snapshot of the database,
    so that the files agree with each other."""
    site_url = settings.ONRECORD_SITE_URL
    with consistent_snapshot():
        ndjson_counts = writers.write_ndjson(directory / NDJSON.name(version))
        csv_counts = writers.write_csv(directory / CSV.name(version), site_url=site_url)
        writers.write_popolo(directory / POPOLO.name(version), site_url=site_url)
    # Popolo's persons, organizations and speeches are the public speakers, organizations
    # and statements the NDJSON holds, read in the same snapshot.
    popolo_counts = {
        "persons": ndjson_counts["speaker"],
        "organizations": ndjson_counts["organization"],
        "speeches": ndjson_counts["quote"],
    }
    counts = {NDJSON: ndjson_counts, CSV: csv_counts, POPOLO: popolo_counts}
    manifest = {
        "version": version,
        "created": created.isoformat().replace("+00:00", "Z"),
        "license": {"name": settings.DUMPS_LICENSE, "url": settings.DUMPS_LICENSE_URL},
        "files": [_file_entry(directory, kind.name(version), kind, counts[kind]) for kind in FILES],
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (directory / MANIFEST).write_text(text, encoding="utf-8")
    return manifest


def _file_entry(directory: Path, name: str, kind: DumpFile, records: dict) -> dict:
    path = directory / name
    with open(path, "rb") as stream:
        sha256 = hashlib.file_digest(stream, "sha256").hexdigest()
    return {
        "name": name,
        "description": kind.description,
        "media_type": kind.media_type,
        "size": path.stat().st_size,
        "sha256": sha256,
        "records": records,
    }


def _remove_stale(root: Path) -> None:
    """Remove what a crashed run left; a run in progress is younger than STALE_SECONDS."""
    for path in root.glob(f"{TEMPORARY_PREFIX}*"):
        if time.time() - path.stat().st_mtime > STALE_SECONDS:
            shutil.rmtree(path, ignore_errors=True)


def dump_versions() -> list[str]:
    """The complete dumps' versions, newest first."""
    root = dumps_dir()
    if not root.is_dir():
        return []
    found = [
        path.name
        for path in root.iterdir()
        if VERSION_PATTERN.fullmatch(path.name) and (path / MANIFEST).is_file()
    ]
    return sorted(found, reverse=True)


def dump_manifest(*, version: str) -> dict | None:
    """The manifest of a complete dump, or None when there is no such version."""
    if version not in dump_versions():
        return None
    return json.loads((dumps_dir() / version / MANIFEST).read_text(encoding="utf-8"))


def dump_list() -> list[dict]:
    """The manifests of the complete dumps, newest first."""
    return [manifest for v in dump_versions() if (manifest := dump_manifest(version=v))]


def dump_file(*, version: str, name: str) -> tuple[Path, str] | None:
    """The path and media type of a file a dump's manifest lists (or the manifest itself);
    None for any other name, so that no path outside the dumps can be asked for."""
    manifest = dump_manifest(version=version)
    if manifest is None:
        return None
    if name == MANIFEST:
        return dumps_dir() / version / MANIFEST, "application/json"
    for entry in manifest["files"]:
        if entry["name"] == name:
            return dumps_dir() / version / name, entry["media_type"]
    return None


def dump_prune(*, keep: int) -> list[str]:
    """Remove all but the newest ``keep`` dumps (at least one is kept); return the removed."""
    removed = dump_versions()[max(keep, 1) :]
    for version in removed:
        shutil.rmtree(dumps_dir() / version)
    return removed
