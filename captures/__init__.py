"""Captures of cited pages: snapshots kept as WARC, excerpts checked against them, drift."""
