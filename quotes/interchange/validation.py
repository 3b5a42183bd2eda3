"""The validation pass: every line is checked before anything is written.

Besides the schema, it checks what needs the rest of the file or the database: dates that
do not exist, language tags, country codes, URLs, references to records defined on
earlier lines or already stored, keys defined twice with different content, URLs shared
by two sources, and organizations that would become their own ancestors. It keeps only
keys, 64-bit content digests and a few small maps in memory, whatever the file's size.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django_countries import countries

from quotes import rules
from quotes.dates import ReducedDate
from quotes.interchange import RECORD_TYPES
from quotes.interchange.canonical import language
from quotes.interchange.decisions import decision_from_file
from quotes.interchange.errors import LineError
from quotes.interchange.reader import Line
from quotes.interchange.schema import schema_errors, shown
from quotes.models import Occasion, Organization, Quote, Source, Speaker

REFERABLE = {
    "organization": Organization,
    "speaker": Speaker,
    "source": Source,
    "occasion": Occasion,
}
# What a record may refer to: the above, and quotes, which decisions name.
REFERRED = {**REFERABLE, "quote": Quote}
DIGEST_BITS = 64
DIGEST_MASK = (1 << DIGEST_BITS) - 1
FLUSH_EVERY = 2000
COUNTRY_CODES = frozenset(code for code, _ in countries)
url_validator = URLValidator()


def content_digest(record: dict) -> int:
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


class FileCheck:
    """Collects every error of a file; afterwards tells the write pass which lines to skip."""

    def __init__(
        self, *, may_publish: bool = True, may_verify: bool = True, may_decide: bool = True
    ) -> None:
        # Whether the importing user may publish: published and retracted quotes need it;
        # verify: verified citations need it; and decide lineage: decisions need it.
        self.may_publish = may_publish
        self.may_verify = may_verify
        self.may_decide = may_decide
        self.errors: list[LineError] = []
        # key -> (line number << 64) | content digest, per record type
        self.defined: dict[str, dict[str, int]] = {kind: {} for kind in RECORD_TYPES}
        self.duplicate_lines: set[int] = set()
        self.in_database: dict[str, set[str]] = {kind: set() for kind in REFERRED}
        self.to_look_up: list[tuple[str, str, int, str]] = []
        self.unresolved: list[tuple[str, str, int, str]] = []
        self.source_urls: dict[str, tuple[str, int]] = {}
        self.urls_to_look_up: list[tuple[str, str, int, str]] = []
        # key -> parent key, of the organizations and occasions of the file
        self.parents: dict[str, dict[str, str | None]] = {"organization": {}, "occasion": {}}
        # speaker key -> explicit roles of its quotes: (organization key, role, start or None)
        self.explicit_roles: dict[str, set[tuple[str, str, str | None]]] = defaultdict(set)
        # Lines of quotes to import although similar quotes are on record (allow_similar).
        self.similar_allowed: set[int] = set()
        self.crlf_lines, self.first_crlf_line = 0, 0
        self.lines = 0
        self.line = 0

    # The pass itself.

    def check(self, lines) -> list[LineError]:
        for line in lines:
            self.check_line(line)
            if len(self.to_look_up) + len(self.urls_to_look_up) >= FLUSH_EVERY:
                self.look_up()
        self.look_up()
        self.finish()
        return sorted(self.errors)

    def check_line(self, line: Line) -> None:
        self.lines, self.line = line.number, line.number
        self.errors.extend(line.errors)
        if line.crlf:
            self.crlf_lines += 1
            self.first_crlf_line = self.first_crlf_line or line.number
        record = line.record
        if record is None:
            return
        kind = record.get("type")
        if "type" not in record:
            self.error("type", "missing required field")
            return
        if kind not in RECORD_TYPES:
            expected = "organization, speaker, source, topic, occasion, quote or decision"
            self.error("type", f"unknown type {shown(kind)}; expected {expected}")
            return
        problems = schema_errors(record, kind)
        for field, message in problems:
            self.error(field, message)
        self.define(kind, record)
        if problems:
            # Check the rest of the record too, so that one run reports every error.
            bad = {re.split(r"[.\[]", field)[0] for field, _ in problems}
            record = {name: value for name, value in record.items() if name not in bad}
            if schema_errors(record, kind):
                return
        SEMANTIC_CHECKS[kind](self, record)

    def error(self, field: str, message: str, line: int | None = None) -> None:
        self.errors.append(LineError(line or self.line, field, message))

    def define(self, kind: str, record: dict) -> None:
        key = record.get("key")
        if not isinstance(key, str) or not key:
            return
        earlier = self.remember(kind, key, record)
        if earlier is not None:
            self.error(
                "key", f'{kind} "{key}" is already defined on line {earlier} with different content'
            )

    def remember(self, kind: str, key: str, record: dict) -> int | None:
        """Note that this line defines ``key``; a line defining it before with the same
        content makes this one a duplicate, skipped. Returns the line of an earlier
        definition with different content, if any."""
        digest = content_digest(record)
        previous = self.defined[kind].setdefault(key, (self.line << DIGEST_BITS) | digest)
        if previous >> DIGEST_BITS == self.line:
            return None
        if previous & DIGEST_MASK == digest:
            self.duplicate_lines.add(self.line)
            return None
        return previous >> DIGEST_BITS

    def defined_on(self, kind: str, key: str) -> int | None:
        found = self.defined[kind].get(key)
        return None if found is None else found >> DIGEST_BITS

    # Checks of single values.

    def refer(self, kind: str, key: str, field: str) -> None:
        defined_at = self.defined_on(kind, key)
        if defined_at is not None and defined_at < self.line:
            return
        if key not in self.in_database[kind]:
            self.to_look_up.append((kind, key, self.line, field))

    def date(self, value: str | None, field: str) -> ReducedDate | None:
        if value is None:
            return None
        try:
            return ReducedDate.parse(value)
        except ValidationError as error:
            self.error(field, error.messages[0])
            return None

    def language(self, value: str | None, field: str) -> str | None:
        if value is None:
            return None
        try:
            return language(value)
        except ValidationError as error:
            self.error(field, error.messages[0].rstrip("."))
            return None

    def instant(self, value: str | None, field: str) -> None:
        if value is None:
            return
        try:
            datetime.datetime.fromisoformat(value)
        except ValueError:
            self.error(field, f"{shown(value)} is not a moment that exists")

    def country(self, value: str | None, field: str = "country") -> None:
        if value is not None and value not in COUNTRY_CODES:
            self.error(field, f"{shown(value)} is not an ISO 3166-1 alpha-2 country code")

    def url(self, value: str | None, field: str) -> None:
        if value is None:
            return
        try:
            url_validator(value)
        except ValidationError:
            self.error(field, f"{shown(value)} is not a valid URL")

    # Checks that need the database or the whole file.

    def look_up(self) -> None:
        keys = defaultdict(set)
        for kind, key, _, _ in self.to_look_up:
            keys[kind].add(key)
        for kind, wanted in keys.items():
            found = REFERRED[kind].objects.filter(key__in=wanted).values_list("key", flat=True)
            self.in_database[kind].update(found)
        self.unresolved += [
            ref for ref in self.to_look_up if ref[1] not in self.in_database[ref[0]]
        ]
        self.to_look_up = []
        self.look_up_urls()

    def look_up_urls(self) -> None:
        urls = {url for url, _, _, _ in self.urls_to_look_up}
        owners = dict(Source.objects.filter(url__in=urls).values_list("url", "key"))
        for url, key, line, field in self.urls_to_look_up:
            owner = owners.get(url)
            if owner is not None and owner != key:
                self.error(field, f'{shown(url)} is already the url of source "{owner}"', line)
        self.urls_to_look_up = []

    def finish(self) -> None:
        for kind, key, line, field in self.unresolved:
            defined_at = self.defined_on(kind, key)
            if defined_at is not None:
                message = (
                    f'{kind} "{key}" is defined on line {defined_at}, after this line; '
                    "records must come after the records they refer to"
                )
            else:
                message = f'unknown {kind} "{key}": not defined on an earlier line or stored'
            self.error(field, message, line)
        for kind in self.parents:
            self.check_cycles(kind)
        if self.crlf_lines:
            self.error(
                "",
                f"Windows line ending (CR LF) on {self.crlf_lines} line(s), the first one here; "
                "save the file with Unix line endings (LF)",
                self.first_crlf_line,
            )

    def check_cycles(self, kind: str) -> None:
        """No organization or occasion may become its own ancestor."""
        given = self.parents[kind]
        if not given:
            return
        parents = dict(REFERABLE[kind].objects.values_list("key", "parent__key"))
        parents.update(given)
        for key in given:
            chain, current = [key], parents.get(key)
            while current is not None and current not in chain:
                chain.append(current)
                current = parents.get(current)
            if current == key:
                cycle = " → ".join([*chain, key])
                message = f"an {kind} cannot be its own ancestor: {cycle}"
                self.error("parent", message, self.defined_on(kind, key))


def check_organization(check: FileCheck, record: dict) -> None:
    check.country(record.get("country"))
    check.url(record.get("url"), "url")
    parent = record.get("parent")
    if parent == record["key"]:
        check.error("parent", "an organization cannot be its own parent")
        return
    check.parents["organization"][record["key"]] = parent
    if parent is not None:
        check.refer("organization", parent, "parent")


def check_speaker(check: FileCheck, record: dict) -> None:
    check.country(record.get("country"))
    seen_names = set()
    for index, item in enumerate(record.get("names", [])):
        tag = check.language(item.get("language"), f"names[{index}].language")
        if (item["name"], tag) in seen_names:
            check.error(f"names[{index}]", "the same name and language are listed twice")
        seen_names.add((item["name"], tag))
    seen_roles = set()
    for index, item in enumerate(record.get("affiliations", [])):
        field = f"affiliations[{index}]"
        check.refer("organization", item["organization"], f"{field}.organization")
        start = check.date(item.get("start"), f"{field}.start")
        end = check.date(item.get("end"), f"{field}.end")
        if start and end and str(end) < str(start)[: len(str(end))]:
            check.error(f"{field}.end", f'"{end}" is before the start "{start}"')
        role = (item["organization"], item["role"], str(start) if start else None)
        if role in seen_roles:
            check.error(field, "the same organization, role and start are listed twice")
        seen_roles.add(role)


def check_source(check: FileCheck, record: dict) -> None:
    check.url(record.get("url"), "url")
    check.url(record.get("archive_url"), "archive_url")
    check.date(record.get("published"), "published")
    check.language(record.get("language"), "language")
    url = record.get("url")
    if url is None:
        return
    owner = check.source_urls.get(url)
    if owner is not None and owner[0] != record["key"]:
        check.error(
            "url", f'{shown(url)} is already the url of source "{owner[0]}" (line {owner[1]})'
        )
        return
    check.source_urls[url] = (record["key"], check.line)
    check.urls_to_look_up.append((url, record["key"], check.line, "url"))


def check_occasion(check: FileCheck, record: dict) -> None:
    check.country(record.get("country"))
    start = check.date(record.get("start"), "start")
    end = check.date(record.get("end"), "end")
    if end and not record.get("start"):
        check.error("end", "an end needs a start")
    if start and end and str(end) < str(start)[: len(str(end))]:
        check.error("end", f'"{end}" is before the start "{start}"')
    parent = record.get("parent")
    if parent == record["key"]:
        check.error("parent", "an occasion cannot be its own parent")
    elif parent is not None:
        check.parents["occasion"][record["key"]] = parent
        check.refer("occasion", parent, "parent")
    seen = set()
    for index, item in enumerate(record.get("participants", [])):
        field = f"participants[{index}]"
        check.refer("speaker", item["speaker"], f"{field}.speaker")
        if item.get("organization") is not None:
            check.refer("organization", item["organization"], f"{field}.organization")
        check.country(item.get("country"), f"{field}.country")
        if item["speaker"] in seen:
            check.error(f"{field}.speaker", f'speaker "{item["speaker"]}" is listed twice')
        seen.add(item["speaker"])
    check_accounts(check, record.get("accounts", []))


def check_accounts(check: FileCheck, accounts: list[dict]) -> None:
    """Each account names a source once, and its party: an organization or a country."""
    seen = set()
    for index, item in enumerate(accounts):
        field = f"accounts[{index}]"
        check.refer("source", item["source"], f"{field}.source")
        if item.get("organization") is not None:
            check.refer("organization", item["organization"], f"{field}.organization")
        check.country(item.get("country"), f"{field}.country")
        if item.get("organization") is None and item.get("country") is None:
            check.error(field, "an account needs its party: an organization or a country")
        if item["source"] in seen:
            check.error(f"{field}.source", f'source "{item["source"]}" is listed twice')
        seen.add(item["source"])


def check_quote(check: FileCheck, record: dict) -> None:
    check.refer("speaker", record["speaker"], "speaker")
    if record.get("occasion") is not None:
        check.refer("occasion", record["occasion"], "occasion")
    check.language(record["language"], "language")
    check.date(record.get("said"), "said")
    seen_languages = set()
    for index, item in enumerate(record.get("translations", [])):
        tag = check.language(item["language"], f"translations[{index}].language")
        if tag is not None and tag in seen_languages:
            check.error(f"translations[{index}].language", f'a second "{tag}" translation')
        seen_languages.add(tag)
    seen_sources = set()
    for index, item in enumerate(record.get("citations", [])):
        field = f"citations[{index}].source"
        check.refer("source", item["source"], field)
        if item["source"] in seen_sources:
            check.error(field, f'source "{item["source"]}" is cited twice')
        seen_sources.add(item["source"])
        check_verification(check, item, f"citations[{index}]")
    for name in ("published_at", "corrected_at", "retracted_at"):
        check.instant(record.get(name), name)
    if record.get("retracted_at") and record.get("status") != "retracted":
        check.error("retracted_at", "only a retracted quote has a retraction date")
    excerpts = [item.get("excerpt", "") for item in record.get("citations", [])]
    if record.get("status") == "published" and not rules.has_cited_excerpt(excerpts):
        # The same rule as publishing in the admin or the API (docs/curation.md).
        check.error("citations", "a published quote needs at least one citation with an excerpt")
    if record.get("status") in ("published", "retracted") and not check.may_publish:
        check.error("status", f"only reviewers may import {record['status']} quotes")
    if record.get("status") == "retracted" and not record.get("retraction_reason", "").strip():
        check.error("retraction_reason", "a retracted quote needs the reason for its retraction")
    if record.get("allow_similar"):
        check.similar_allowed.add(check.line)
    role = record.get("role")
    if role is not None:
        check.refer("organization", role["organization"], "role.organization")
        start = check.date(role.get("start"), "role.start")
        explicit = (role["organization"], role["role"], str(start) if start else None)
        check.explicit_roles[record["speaker"]].add(explicit)


def check_verification(check: FileCheck, citation: dict, field: str) -> None:
    """A verification vouches for an excerpt, as ``services.citation_verify`` requires, and
    only a user who may verify brings one."""
    if "verified_at" not in citation:
        if "verified_by" in citation:
            check.error(f"{field}.verified_by", "a verifier needs the date: add verified_at")
        return
    check.instant(citation["verified_at"], f"{field}.verified_at")
    if not citation.get("excerpt", "").strip():
        check.error(f"{field}.verified_at", "a citation without an excerpt cannot be verified")
    if not check.may_verify:
        check.error(f"{field}.verified_at", "only reviewers may import verified citations")


def check_decision(check: FileCheck, record: dict) -> None:
    """A decision is on two statements of the file (on earlier lines) or on record, as
    ``lineage.services`` requires, by a user who may decide lineage; a pair once a file."""
    quotes = record["quotes"]
    if quotes[0] == quotes[1]:
        check.error("quotes", f"{shown(quotes[0])} twice: a statement is not compared with itself")
        return
    for index, key in enumerate(quotes):
        check.refer("quote", key, f"quotes[{index}]")
    if not check.may_decide:
        check.error("verdict", "only reviewers may import lineage decisions")
    try:
        canonical = decision_from_file(record)
    except ValueError:
        check.error("decided_at", f"{shown(record['decided_at'])} is not a moment that exists")
        return
    earlier = check.remember("decision", " ".join(canonical["quotes"]), canonical)
    if earlier is not None:
        message = f"line {earlier} decides on the same two quotes differently: one decision a pair"
        check.error("quotes", message)


def check_topic(check: FileCheck, record: dict) -> None:
    """A topic has only its key and name, which the schema checks."""


SEMANTIC_CHECKS: dict[str, Callable[[FileCheck, dict], None]] = {
    "organization": check_organization,
    "speaker": check_speaker,
    "source": check_source,
    "topic": check_topic,
    "occasion": check_occasion,
    "quote": check_quote,
    "decision": check_decision,
}
