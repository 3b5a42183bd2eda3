"""Confirming a report's proposals: one transaction that creates the source with its full
text, the new speakers and the accepted statements as draft quotes citing the source,
each through the domain's services and rules (validation, keys, roles, the duplicate
check)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from quotes import services
from quotes.actors import Actor
from quotes.exceptions import CurationError, NotPermitted, SimilarQuotesFound
from quotes.models import KEY_LENGTH, Occasion, Organization, Quote, Source, Speaker
from quotes.permissions import may, require
from quotes.services.keys import free_key

# What confirming adds: the source, and quotes with their citations.
NEEDED = (("add", "source"), ("add", "quote"), ("add", "citation"))


@dataclass(frozen=True)
class SourceFields:
    title: str
    full_text: str
    url: str = ""
    publisher: str = ""
    author: str = ""
    published: str = ""
    language: str = ""
    kind: str = Source.Kind.NEWS_ARTICLE


@dataclass(frozen=True)
class AccountFields:
    """The report confirmed as one party's account of an occasion."""

    occasion: Occasion
    kind: str
    organization: Organization | None = None
    country: str = ""


@dataclass(frozen=True)
class NewSpeaker:
    name: str
    role: str = ""  # the role descriptor of the report, kept as the speaker's description


@dataclass(frozen=True)
class AcceptedStatement:
    text: str
    kind: str
    language: str
    excerpt: str
    speaker: Speaker | NewSpeaker
    said: str | None = None
    context: str = ""
    not_a_duplicate: bool = False
    occasion: Occasion | None = None


class PossibleDuplicates(CurationError):
    """Accepted statements that look like quotes already on record.

    ``similar`` maps the index of each such statement to its ``quotes.similarity.Similar``.
    """

    def __init__(self, message: str, similar: dict[int, list[tuple[Quote, float]]]):
        super().__init__(message)
        self.similar = similar


@dataclass
class IntakeResult:
    source: Source
    quotes: list[Quote] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)


def intake_may(*, user: Actor | None) -> bool:
    """Whether ``user`` may propose and confirm statements from a report."""
    return all(may(user, action, model) for action, model in NEEDED)


def intake_check_permission(*, user: Actor | None) -> None:
    if not intake_may(user=user):
        raise NotPermitted("Only editors may add statements from a report.")


@transaction.atomic
def intake_confirm(
    *,
    user: Actor,
    source: SourceFields,
    statements: list[AcceptedStatement],
    account: AccountFields | None = None,
) -> IntakeResult:
    """Create the source, the new speakers and one draft quote per accepted statement; with
    ``account``, mark the source as that party's account of the occasion.

    Refuses with ``PossibleDuplicates`` (nothing written) when a statement resembles a
    quote of the same speaker on record and the editor did not mark it as not a
    duplicate; with ``ValidationError`` when a record breaks a rule; ``NotPermitted``.
    """
    intake_check_permission(user=user)
    if any(isinstance(s.speaker, NewSpeaker) for s in statements):
        require(user, "add", "speaker")
    result = IntakeResult(source=_source_create(source, user))
    if account is not None:
        services.occasion_account_add(
            occasion=account.occasion,
            source=result.source,
            user=user,
            kind=account.kind,
            organization=account.organization,
            country=account.country,
        )
    created: dict[str, Speaker] = {}
    similar: dict[int, list] = {}
    for index, statement in enumerate(statements):
        speaker = statement.speaker
        if isinstance(speaker, NewSpeaker):
            if speaker.name not in created:
                created[speaker.name] = _speaker_create(speaker, user)
                result.speakers.append(created[speaker.name])
            speaker = created[speaker.name]
        try:
            with transaction.atomic():
                result.quotes.append(_quote_create(statement, speaker, result.source, user))
        except SimilarQuotesFound as found:
            similar[index] = found.similar
        except ValidationError as error:
            raise ValidationError({f"statement {index + 1}": error.messages}) from error
    if similar:
        raise PossibleDuplicates(
            f"{len(similar)} accepted statement(s) resemble quotes on record: open them to "
            "check, then reject the statement or mark it as not a duplicate.",
            similar,
        )
    return result


def _source_create(fields: SourceFields, user: Actor) -> Source:
    source = Source(
        key=_free_key(Source, source_key_text(fields)),
        title=fields.title,
        url=fields.url,
        publisher=fields.publisher,
        author=fields.author,
        published=fields.published or None,
        language=fields.language,
        kind=fields.kind,
        full_text=fields.full_text,
    )
    return services.record_save(obj=source, user=user)


def _speaker_create(new: NewSpeaker, user: Actor) -> Speaker:
    speaker = Speaker(key=_free_key(Speaker, new.name), name=new.name, description=new.role)
    return services.speaker_write(speaker=speaker, user=user)


def _quote_create(statement: AcceptedStatement, speaker: Speaker, source: Source, user) -> Quote:
    fields = {
        "speaker": speaker,
        "text": statement.text,
        "language": statement.language,
        "kind": statement.kind,
        "said": statement.said or None,
        "context": statement.context,
        "occasion": statement.occasion,
    }
    return services.quote_create(
        user=user,
        fields=fields,
        parts={"citations": [{"source": source, "excerpt": statement.excerpt}]},
        allow_similar=statement.not_a_duplicate,
    )


# Keys are ASCII: Cyrillic names are transliterated (the BGN/PCGN letters, simplified).
HAN = re.compile(r"[\u3400-\u9fff]")
SOURCE_KEY_WORDS = 5
CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            *[
                "a",
                "b",
                "v",
                "g",
                "d",
                "e",
                "yo",
                "zh",
                "z",
                "i",
                "y",
                "k",
                "l",
                "m",
                "n",
                "o",
                "p",
                "r",
                "s",
                "t",
                "u",
                "f",
                "kh",
                "ts",
                "ch",
                "sh",
                "shch",
            ],
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def _ascii(text: str) -> str:
    """Latin letters for a key: Russian as news writing spells it (Песков → Peskov), every
    other script by anyascii, a Han character as a syllable of its own (费萨尔 → Fei Sa Er)."""
    cyrillic = "".join(
        CYRILLIC.get(c, c) if c.lower() == c else CYRILLIC.get(c.lower(), c).title() for c in text
    )
    return "".join(f" {anyascii(c)} " if HAN.match(c) else anyascii(c) for c in cyrillic)


def source_key_text(fields: SourceFields) -> str:
    """What a new source's key is made of: its publisher, its date and the first words of
    its title ("reuters-2023-10-20-china-and-russia-find"), not the whole headline."""
    words = _ascii(fields.title).split()[:SOURCE_KEY_WORDS]
    return " ".join([*fields.publisher.split()[:3], fields.published or "", *words])


def _free_key(model, text: str) -> str:
    base = slugify(_ascii(text))[: KEY_LENGTH - 8].strip("-") or model._meta.model_name
    return free_key(model=model, base=base)
