"""The OnRecord interchange format: UTF-8 NDJSON, one record per line (docs/interchange.md).

``importer.records_import`` validates a whole file and then writes it in one transaction;
``exporter.export_lines`` writes the database back in the same format, in dependency order.
"""

RECORD_TYPES = ("organization", "speaker", "source", "topic", "occasion", "quote", "decision")
