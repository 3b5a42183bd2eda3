"""Records the reading site's tests show: a speaker with names in two scripts and dated
roles, statements over several years with translations, topics and sources."""

from __future__ import annotations

import pghistory
from django.utils import timezone

from quotes.models import Quote
from tests.factories import (
    AffiliationFactory,
    CitationFactory,
    OrganizationFactory,
    QuoteFactory,
    ReviewerFactory,
    SourceFactory,
    SpeakerFactory,
    SpeakerNameFactory,
    TopicFactory,
    TranslationFactory,
)

TEXT = "以色列的行为已超出自卫范畴，应停止对加沙民众的集体惩罚。"
TRANSLATION = (
    "Israel's actions have gone beyond the scope of self-defence; it should stop the "
    "collective punishment of the people of Gaza."
)
EXCERPT = "Israel's actions had gone “beyond the scope of self-defence”"


def reading_room(*, extra_quotes: int = 0) -> dict:
    """Wang Yi's statement (verified, translated, two topics) and others around it, each
    recorded as made at once, as an import makes them."""
    with pghistory.context():
        return _reading_room(extra_quotes)


def _reading_room(extra_quotes: int) -> dict:
    wang = SpeakerFactory(key="wang-yi", name="Wang Yi", country="CN", wikidata="Q16250")
    SpeakerNameFactory(speaker=wang, name="王毅", language="zh")
    ministry = OrganizationFactory(
        key="mfa-china", name="Ministry of Foreign Affairs of China", country="CN"
    )
    early = AffiliationFactory(
        speaker=wang, organization=ministry, role="Minister", start="2013", end="2022-12"
    )
    minister = AffiliationFactory(
        speaker=wang, organization=ministry, role="Minister of Foreign Affairs", start="2023"
    )
    gaza, war = TopicFactory(key="gaza", name="Gaza"), TopicFactory(key="war", name="War")
    source = SourceFactory(
        key="reuters-gaza",
        title="China and Russia on the war in Gaza",
        publisher="Example Wire",
        archive_url="https://archive.example.org/gaza",
    )
    quote = QuoteFactory(
        key="wang-yi-2023-10-14",
        speaker=wang,
        text=TEXT,
        language="zh",
        kind=Quote.Kind.PARTIAL,
        said="2023-10-14",
        context="Phone call with Saudi Foreign Minister Faisal bin Farhan",
        role=minister,
        role_resolution=Quote.RoleResolution.RESOLVED,
    )
    quote.topics.add(gaza, war)
    TranslationFactory(quote=quote, language="en", text=TRANSLATION)
    CitationFactory(
        quote=quote,
        source=source,
        excerpt=EXCERPT,
        verified_by=ReviewerFactory(),
        verified_at=timezone.now(),
    )
    older = []
    for number, year in enumerate(("2015", "2015-06", "2019-03-02"), start=1):
        older.append(
            QuoteFactory(
                key=f"wang-yi-older-{number}",
                speaker=wang,
                said=year,
                text=f"Dialogue is the only way, said for the {number}. time.",
                role=early,
            )
        )
        older[-1].topics.add(war)
        CitationFactory(quote=older[-1])
    others = [
        CitationFactory(quote__text=f"Another remark on trade, {n}.").quote
        for n in range(extra_quotes)
    ]
    return {
        "speaker": wang,
        "quote": quote,
        "older": older,
        "others": others,
        "source": source,
        "ministry": ministry,
        "topic": gaza,
    }
