"""How a statement is cited and described to machines: APA and Chicago citations, its
schema.org ``Quotation`` (JSON-LD) and its Open Graph tags."""

from __future__ import annotations

from quotes.models import Quote
from reader.dates import apa_date, long_date

SITE_NAME = "OnRecord"
WIKIDATA = "https://www.wikidata.org/wiki/"
SHORT_TEXT = 200


def shortened(text: str, length: int = SHORT_TEXT) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def english_translation(quote: Quote) -> str:
    if quote.language.split("-")[0].lower() == "en":
        return ""
    found = [t for t in quote.translations.all() if t.language.split("-")[0].lower() == "en"]
    return found[0].text if found else ""


def _quoted_text(quote: Quote) -> str:
    text = f"“{quote.text}”"
    translation = english_translation(quote)
    return f"{text} [{translation}]" if translation else text


def apa_citation(quote: Quote, url: str) -> str:
    """APA style: Speaker. (Date). “Text” [Statement]. Occasion. OnRecord. URL"""
    parts = [quote.speaker.name + ".", apa_date(quote.said) + "."]
    parts.append(f"{_quoted_text(quote)} [Statement].")
    if quote.context:
        parts.append(quote.context.rstrip(".") + ".")
    parts += [f"{SITE_NAME}.", url]
    return " ".join(parts)


def chicago_citation(quote: Quote, url: str) -> str:
    """Chicago style: Speaker, “Text,” occasion, Date, OnRecord, URL."""
    text = quote.text.rstrip().rstrip(".。")
    rest = [quote.context.rstrip(".")] if quote.context else []
    rest += [long_date(quote.said, style="month-first") or "n.d.", SITE_NAME, url]
    return f"{quote.speaker.name}, “{text},” " + ", ".join(rest) + "."


def _person(quote: Quote, speaker_url: str) -> dict:
    person = {"@type": "Person", "name": quote.speaker.name, "url": speaker_url}
    if quote.speaker.wikidata:
        person["sameAs"] = WIKIDATA + quote.speaker.wikidata
    return person


def _work(citation) -> dict:
    source = citation.source
    work = {"@type": "CreativeWork", "name": source.title}
    if source.url:
        work["url"] = source.url
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.published:
        work["datePublished"] = str(source.published)
    if source.language:
        work["inLanguage"] = source.language
    return work


def quotation_jsonld(quote: Quote, url: str, speaker_url: str) -> dict:
    """The statement as a schema.org ``Quotation``."""
    citations = list(quote.citations.all())
    data = {
        "@context": "https://schema.org",
        "@type": "Quotation",
        "@id": url,
        "url": url,
        "text": quote.text,
        "inLanguage": quote.language,
        "spokenByCharacter": _person(quote, speaker_url),
        "isBasedOn": [_work(citation) for citation in citations],
        "citation": [{**_work(c), "text": c.excerpt} if c.excerpt else _work(c) for c in citations],
        "publisher": {"@type": "Organization", "name": SITE_NAME},
    }
    if quote.said:
        data["dateCreated"] = str(quote.said)
    if quote.context:
        data["description"] = quote.context
    topics = [topic.name for topic in quote.topics.all()]
    if topics:
        data["about"] = [{"@type": "Thing", "name": name} for name in topics]
    translations = [
        {"@type": "Quotation", "text": t.text, "inLanguage": t.language}
        for t in quote.translations.all()
    ]
    if translations:
        data["workTranslation"] = translations
    return data


def open_graph(quote: Quote, url: str) -> dict[str, str]:
    when = long_date(quote.said)
    title = f"{quote.speaker.name}{', ' + when if when else ''}"
    description = english_translation(quote) or quote.text
    return {
        "og:type": "article",
        "og:site_name": SITE_NAME,
        "og:title": title,
        "og:description": shortened(f"“{description}”"),
        "og:url": url,
        "og:locale": quote.language.replace("-", "_"),
    }
