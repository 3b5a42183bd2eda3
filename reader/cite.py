"""How a statement is cited and described to machines: APA and Chicago citations, its
schema.org ``Quotation`` (JSON-LD, from its public representation) with the ``Event`` it
was recorded at, the ``Person``, ``Organization`` and ``Event`` of speaker, organization
and occasion pages, and its Open Graph tags."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from quotes.models import Quote
from quotes.public import (
    PublicCitation,
    PublicOccasion,
    PublicStatement,
    PublicTranslation,
    public_occasion,
)
from reader.dates import apa_date, long_date

SITE_NAME = "OnRecord"
WIKIDATA = "https://www.wikidata.org/wiki/"
SHORT_TEXT = 200
# schema.org's creativeWorkStatus of each status; editors' previews of drafts and quotes
# under review say "Draft".
WORK_STATUS = {Quote.Status.PUBLISHED: "Published", Quote.Status.RETRACTED: "Retracted"}


def shortened(text: str, length: int = SHORT_TEXT) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def quoted_text(statement: PublicStatement) -> str:
    """The speaker's own words, then, for a statement not said in English, its English
    translation labelled as official or OnRecord's: never the translation alone."""
    text = f"“{statement.text}”"
    translation = statement.translation_in("en")
    return f"{text} [{translation.label}: “{translation.text}”]" if translation else text


def apa_citation(statement: PublicStatement, url: str) -> str:
    """APA style: Speaker. (Date). “Text” [Statement]. Occasion. OnRecord. URL"""
    parts = [statement.speaker.name + ".", apa_date(statement.said) + "."]
    parts.append(f"{quoted_text(statement)} [Statement].")
    if statement.context:
        parts.append(statement.context.rstrip(".") + ".")
    if statement.retraction:
        parts.append(f"Retracted: {statement.retraction.reason.rstrip('.')}.")
    parts += [f"{SITE_NAME}.", url]
    return " ".join(parts)


def chicago_citation(statement: PublicStatement, url: str) -> str:
    """Chicago style: Speaker, “Text,” occasion, Date, OnRecord, URL."""
    text = statement.text.rstrip().rstrip(".。")
    rest = [statement.context.rstrip(".")] if statement.context else []
    rest += [long_date(statement.said, style="month-first") or "n.d.", SITE_NAME, url]
    return f"{statement.speaker.name}, “{text},” " + ", ".join(rest) + "."


def _same_as(wikidata: str) -> dict:
    return {"sameAs": WIKIDATA + wikidata} if wikidata else {}


def _work(citation: PublicCitation) -> dict:
    """A cited source as a ``CreativeWork``, with its archived copy (``archivedAt``)."""
    work = {"@type": "CreativeWork", "name": citation.source_title}
    if citation.url:
        work["url"] = citation.url
    if citation.archive_url:
        work["archivedAt"] = citation.archive_url
    if citation.publisher:
        work["publisher"] = {"@type": "Organization", "name": citation.publisher}
    if citation.source_published:
        work["datePublished"] = str(citation.source_published)
    if citation.source_language:
        work["inLanguage"] = citation.source_language
    return work


def _translation(translation: PublicTranslation, url: str) -> dict:
    """A translation, labelled as every output labels it; OnRecord's own names its
    translator."""
    data = {
        "@type": "Quotation",
        "text": translation.text,
        "inLanguage": translation.language,
        "name": translation.label,
        "translationOfWork": {"@id": url},
    }
    if not translation.official:
        data["translator"] = {"@type": "Organization", "name": SITE_NAME}
    return data


def _corrections(item: PublicStatement) -> list[dict]:
    """Each correction, and a retraction with its reason, as a ``CorrectionComment``."""
    comments = [
        {"@type": "CorrectionComment", "datePublished": str(c.date), "text": c.note}
        for c in item.corrections
    ]
    if item.retraction is not None:
        retraction = {
            "@type": "CorrectionComment",
            "name": "Retraction",
            "text": f"Retracted: {item.retraction.reason}",
        }
        if item.retraction.date:
            retraction["datePublished"] = str(item.retraction.date)
        comments.append(retraction)
    return comments


def _event(occasion: PublicOccasion, url: str) -> dict:
    """An occasion as a schema.org ``Event``: its name, kind, dates and place."""
    data = {"@type": "Event", "@id": url, "url": url, "name": occasion.name}
    data["description"] = occasion.kind_label
    if occasion.start:
        data["startDate"] = str(occasion.start)
    if occasion.end:
        data["endDate"] = str(occasion.end)
    if occasion.place or occasion.country:
        place = {"@type": "Place", "name": occasion.place or occasion.country}
        if occasion.country:
            place["address"] = {"@type": "PostalAddress", "addressCountry": occasion.country}
        data["location"] = place
    return data


def quotation_jsonld(item: PublicStatement, url: str, speaker_url: str) -> dict:
    """The statement as a schema.org ``Quotation``: the speaker as its ``creator`` (a real
    person; ``spokenByCharacter`` names the same node), its status and the reason of a
    retraction, each correction, the permanent identifier and the labelled translations."""
    person = {"@type": "Person", "@id": speaker_url, "name": item.speaker.name, "url": speaker_url}
    person.update(_same_as(item.speaker.wikidata))
    data = {
        "@context": "https://schema.org",
        "@type": "Quotation",
        "@id": url,
        "url": url,
        "identifier": item.tag,
        "text": item.text,
        "inLanguage": item.language,
        "creator": person,
        "spokenByCharacter": {"@id": speaker_url},
        "creativeWorkStatus": WORK_STATUS.get(item.status, "Draft"),
        "isBasedOn": [_work(citation) for citation in item.citations],
        "citation": [
            {**_work(c), "text": c.excerpt} if c.excerpt else _work(c) for c in item.citations
        ],
        "publisher": {"@type": "Organization", "name": SITE_NAME},
        "dateModified": item.updated.isoformat(),
    }
    if item.first_published:
        data["datePublished"] = item.first_published.isoformat()
    if item.said:
        data["dateCreated"] = str(item.said)
    if item.context:
        data["description"] = item.context
    if item.occasion:
        occasion_url = url.removesuffix(item.path) + item.occasion.path
        data["recordedAt"] = _event(item.occasion, occasion_url)
    if item.topics:
        data["about"] = [{"@type": "Thing", "name": name} for _, name in item.topics]
    if item.translations:
        data["workTranslation"] = [_translation(t, url) for t in item.translations]
    corrections = _corrections(item)
    if corrections:
        data["correction"] = corrections
    if item.also_attributed_to:
        site = url.removesuffix(item.path)
        data["disambiguatingDescription"] = "Also attributed to " + "; ".join(
            f"{other.speaker.name}{f' ({other.said})' if other.said else ''}, {site}{other.path}"
            for other in item.also_attributed_to
        )
    return data


def organization_jsonld(organization, url: str, absolute: Callable[[str], str]) -> dict:
    """An organization's page as a schema.org ``Organization``."""
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": url,
        "url": url,
        "name": organization.name,
    }
    same_as = [WIKIDATA + organization.wikidata] if organization.wikidata else []
    same_as += [organization.url] if organization.url else []
    if same_as:
        data["sameAs"] = same_as
    if organization.parent_id:
        parent = organization.parent
        link = absolute(reverse("reader:organization", args=[parent.key]))
        data["parentOrganization"] = {"@type": "Organization", "@id": link, "name": parent.name}
    return data


def event_jsonld(occasion, url: str, participants: list) -> dict:
    """An occasion's page as a schema.org ``Event``, with who took part (``attendee``: the
    occasion's participants, with their speakers) and the occasion it was part of
    (``superEvent``)."""
    data = {"@context": "https://schema.org", **_event(public_occasion(occasion), url)}
    attendees = [
        {"@type": "Person", "name": p.speaker.name, **_same_as(p.speaker.wikidata)}
        for p in participants
    ]
    if attendees:
        data["attendee"] = attendees
    if occasion.parent_id:
        data["superEvent"] = {"@type": "Event", "name": occasion.parent.name}
    return data


def person_jsonld(speaker, names, affiliations, url: str, absolute: Callable[[str], str]) -> dict:
    """A speaker's page as a schema.org ``Person``: other names, Wikidata and the
    organizations of their roles."""
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "@id": url,
        "url": url,
        "name": speaker.name,
        **_same_as(speaker.wikidata),
    }
    if names:
        data["alternateName"] = [name.name for name in names]
    if speaker.description:
        data["description"] = speaker.description
    organizations = {a.organization.key: a.organization for a in affiliations}
    if organizations:
        data["affiliation"] = [
            {
                "@type": "Organization",
                "@id": absolute(reverse("reader:organization", args=[key])),
                "name": organization.name,
                **_same_as(organization.wikidata),
            }
            for key, organization in organizations.items()
        ]
    return data


def open_graph(statement: PublicStatement, url: str) -> dict[str, str]:
    when = long_date(statement.said)
    title = f"{statement.speaker.name}{', ' + when if when else ''}"
    if statement.retraction:
        title = f"Retracted: {title}"
    return {
        "og:type": "article",
        "og:site_name": SITE_NAME,
        "og:title": title,
        "og:description": shortened(quoted_text(statement)),
        "og:url": url,
        "og:locale": statement.language.replace("-", "_"),
    }
