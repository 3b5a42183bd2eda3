"""Data embedded in pages without inline code: JSON-LD in a data block."""

from __future__ import annotations

import json

from django.utils.html import format_html
from django.utils.safestring import SafeString

# What would end the data block or open markup inside it, as django.utils.html.json_script
# escapes it.
ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data: dict) -> SafeString:
    """A ``<script type="application/ld+json">`` block: data, never run, so a strict
    Content-Security-Policy does not concern it."""
    text = json.dumps(data, ensure_ascii=False, indent=1).translate(ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', SafeString(text))
