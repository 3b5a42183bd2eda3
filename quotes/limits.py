"""The size limits of every text field, the same on every path.

The models enforce them (``full_clean``: the admin, the API, the services) and the
interchange schema (docs/interchange.schema.json, checked against these numbers by
tests/test_conformance.py) states them for imports, so that every record the API accepts
is exported on one line that the importer reads back.

The line limit follows from them: a character takes at most 4 bytes in UTF-8 JSON (quotes,
backslashes and newlines take 2), so the longest quote record, with its text, context,
every translation and citation at their limits, takes about
4 × (50,000 + 10,000 + 30 × 50,000 + 50 × 10,000 + 2,000) bytes, some 8.2 MB, and the
longest source, 4 × 1,000,000 bytes: both under ``MAX_LINE_BYTES``.
"""

QUOTE_TEXT = 50_000
CONTEXT = 10_000
TRANSLATION_TEXT = 50_000
TRANSLATIONS = 30  # per quote
EXCERPT = 10_000
CITATIONS = 50  # per quote
RETRACTION_REASON = 2_000
NOTE = 2_000  # correction notes, rejection reasons
SOURCE_FULL_TEXT = 1_000_000
DESCRIPTION = 10_000  # a speaker's
ERROR_REPORT = 5_000  # a reader's report of an error

MAX_LINE_BYTES = 16 * 1024 * 1024
