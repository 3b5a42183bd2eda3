"""Who made a statement: the mention in the report ("Chinese Foreign Minister Wang Yi",
"Putin", "the professor", "he") matched against the speakers on record by their names,
other names (any script), aliases and dated affiliations, and against the persons the
report named before, with a confidence and the runner-up candidates."""

from __future__ import annotations

import dataclasses
import datetime
import re
import unicodedata
from dataclasses import dataclass, field, replace

from django.db.models import Prefetch, Q, Value
from django.db.models.functions import StrIndex

from intake import lexicon
from intake.extract import Mention
from intake.inflection import nominative
from quotes.dates import to_reduced_date
from quotes.models import Affiliation, Speaker, SpeakerName

TOKEN = re.compile(r"[^\W\d_][\w'’-]*")
CJK = re.compile(r"[\u3400-\u9fff]{2,4}")
HAN_NAME = r"^[\u3400-\u9fff·・]{2,}$"
# Scripts without capitals, whose names are looked for as they are written.
ARABIC = re.compile(r"[\u0600-\u06ff]{2,}")
ARABIC_NAME = r"^[\u0600-\u06ff]{2,}( [\u0600-\u06ff]{2,})+$"


@dataclass(frozen=True)
class Candidate:
    key: str | None
    name: str
    confidence: float
    role: str = ""  # the role descriptor in the report: a new speaker's proposed affiliation

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "confidence": round(self.confidence, 2),
            "role": self.role,
        }


@dataclass
class Entry:
    """A speaker on record, as matching needs it."""

    key: str
    name: str
    names: list[str]
    roles: list[tuple[str, str, tuple[str, ...], str]]  # title, organization, aliases, country

    def role_words(self) -> str:
        return " ".join(
            f"{_title_head(title)} {organization} {' '.join(aliases)}"
            for title, organization, aliases, _c in self.roles
        ).lower()

    def countries(self) -> set[str]:
        return {country for *_rest, country in self.roles if country}


@dataclass
class Person:
    """Someone the report named, in the order of the text."""

    name: str
    role: str
    position: int
    candidate: Candidate
    # Named as the speaker of a relative clause ("López Obrador, que ha abogado por…"): not
    # whom a dropped subject or a pronoun after it refers to.
    subordinate: bool = False


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


def tokens(text: str) -> list[str]:
    return [fold(t) for t in TOKEN.findall(text)] + CJK.findall(text)


def same_token(one: str, other: str) -> bool:
    """Equal, or one an inflected form of the other ("Путин", "Путина"; "Lawrows")."""
    if one == other:
        return True
    if min(len(one), len(other)) < 4:
        return False
    common = 0
    for a, b in zip(one, other, strict=False):
        if a != b:
            break
        common += 1
    return common >= 4 and common >= max(len(one), len(other)) - 2


class Directory:
    """The speakers on record whose names share a word with the report."""

    def __init__(self, text: str, on: datetime.date | None):
        self.on = on
        self.entries = _load_entries(text, on)

    def by_name(self, name: str) -> list[tuple[Entry, float]]:
        # A middle initial ("Antony J. Blinken") is no part of the name on record.
        wanted = [t for t in tokens(name) if not re.fullmatch(r"[a-z]\.?", t)]
        if not wanted:
            return []
        scored = []
        for entry in self.entries:
            score = max((_name_score(wanted, tokens(n)) for n in entry.names), default=0.0)
            if score:
                scored.append((entry, score))
        return sorted(scored, key=lambda pair: -pair[1])

    def by_role(self, role: str, country: str | None = None) -> list[tuple[Entry, float]]:
        """Speakers on record whose affiliation on the report's day fits the descriptor."""
        concepts = role_concepts(role)
        if not concepts:
            return []
        country = role_country(role) or country
        found = _affiliation_entries(concepts, country, self.on, role)
        return [(entry, 0.75 if len(found) == 1 else 0.75 / len(found)) for entry in found]

    def occurrences(self, text: str) -> list[tuple[int, Entry, str]]:
        """Where the report names a speaker on record (by any of the names)."""
        found = []
        folded = fold(text)
        for entry in self.entries:
            for name in entry.names:
                needle = fold(name)
                if len(needle) < 4:
                    continue
                for match in re.finditer(rf"(?<!\w){re.escape(needle)}(?!\w)", folded):
                    found.append((match.start(), entry, name))
        return sorted(found, key=lambda item: item[0])


def _name_score(wanted: list[str], known: list[str]) -> float:
    if not known:
        return 0.0
    matched = [w for w in wanted if any(same_token(w, k) for k in known)]
    if len(matched) != len(wanted):
        return 0.0
    if len(wanted) >= len(known):
        return 0.97 if len(wanted) == len(known) else 0.9
    return 0.8  # a surname or a given name alone


def _load_entries(text: str, on: datetime.date | None) -> list[Entry]:
    words = {t for t in TOKEN.findall(text) if t[:1].isupper() and len(t) >= 3}
    words |= set(CJK.findall(text))
    if not words and not ARABIC.search(text):
        return []
    stems = sorted({w[:-2] if len(w) >= 7 else w for w in words})[:400]
    pattern = r"\m(" + "|".join(re.escape(s) for s in stems) + ")"
    by_word = Q(name__iregex=pattern) | Q(names__name__iregex=pattern) if stems else Q(pk__in=[])
    speakers = (
        Speaker.objects.filter(by_word | _han_names_in(text) | _uncased_names_in(text))
        .distinct()
        .prefetch_related(
            "names",
            Prefetch("affiliations", queryset=Affiliation.objects.select_related("organization")),
        )[:500]
    )
    return [_entry(speaker, on) for speaker in speakers]


def _uncased_names_in(text: str) -> Q:
    """Speakers with a name in Arabic script that the report contains: no capital marks a
    name there, so the report's words cannot be told from names before matching."""
    if not ARABIC.search(text):
        return Q(pk__in=[])
    return _names_in(text, ARABIC_NAME)


def _names_in(text: str, pattern: str) -> Q:
    found = {
        model: model.objects.filter(name__regex=pattern)
        .annotate(at=StrIndex(Value(text), "name"))
        .filter(at__gt=0)
        for model in (Speaker, SpeakerName)
    }
    return Q(pk__in=found[Speaker].values("pk")) | Q(pk__in=found[SpeakerName].values("speaker_id"))


def _han_names_in(text: str) -> Q:
    """Speakers with a name in Han characters that the report contains: nothing separates
    such a name from the words around it ("外交部长王毅同…"), so it is looked for as it is."""
    if not CJK.search(text):
        return Q(pk__in=[])
    return _names_in(text, HAN_NAME)


def _entry(speaker: Speaker, on: datetime.date | None) -> Entry:
    roles = [
        (a.role, a.organization.name, tuple(a.organization.aliases), str(a.organization.country))
        for a in speaker.affiliations.all()
        if _covers(a, on)
    ]
    names = [speaker.name, *(n.name for n in speaker.names.all())]
    return Entry(speaker.key, speaker.name, names, roles)


def _covers(affiliation: Affiliation, on: datetime.date | None) -> bool:
    if on is None:
        return affiliation.end is None
    start, end = to_reduced_date(affiliation.start), to_reduced_date(affiliation.end)
    return (start is None or start.start <= on) and (end is None or on <= end.end)


def _title_head(title: str) -> str:
    """ "Spokesperson for the Secretary-General" is a spokesperson, not the Secretary-General:
    the title before "for"/"to" names a serving post, the rest whom it serves. ("Minister for
    Foreign Affairs" names no serving post: the whole title is the post.)"""
    head = re.split(r"\s+(?:for|to)\s+", title.casefold(), maxsplit=1)[0]
    serving = any(word in head for words in lexicon.SERVING_POSTS.values() for word in words)
    return head if serving else title.casefold()


def _affiliation_entries(
    concepts: list[str], country: str | None, on: datetime.date | None, role: str
) -> list[Entry]:
    affiliations = Affiliation.objects.filter(_titles_meaning(concepts)).select_related(
        "speaker", "organization"
    )
    if country:
        affiliations = affiliations.filter(organization__country=country)
    fitting = _best_fitting([a for a in affiliations[:50] if _covers(a, on)], role)
    speakers = {a.speaker_id: a.speaker for a in fitting}
    if len(speakers) > 5:
        return []  # "the minister" of a country with many ministers tells nothing
    return [
        _entry(s, on)
        for s in Speaker.objects.filter(pk__in=speakers).prefetch_related(
            "names",
            Prefetch("affiliations", queryset=Affiliation.objects.select_related("organization")),
        )
    ]


def _best_fitting(affiliations: list[Affiliation], role: str) -> list[Affiliation]:
    """The affiliations that fit the whole descriptor best: "the Kremlin spokesman" is the
    Kremlin's, not the foreign ministry's; "the president's press secretary" the one whose
    title names the president."""
    folded = fold(role)
    concepts = [c for c, words in lexicon.ROLE_CONCEPTS if any(w in folded for w in words)]

    def fit(affiliation: Affiliation) -> int:
        title = affiliation.role.casefold()
        named = [affiliation.organization.name, *affiliation.organization.aliases]
        by_name = any(re.search(rf"(?<!\w){re.escape(fold(n))}(?!\w)", folded) for n in named)
        words = [w for c in concepts for w in lexicon.SERVING_POSTS.get(c, (c,))]
        return 2 * by_name + sum(word in title for word in words)

    best = max(map(fit, affiliations), default=0)
    return [a for a in affiliations if fit(a) == best]


def _titles_meaning(concepts: list[str]) -> Q:
    """The titles on record that a descriptor's concepts mean. A post serving a body is no
    title of the body's head: the ministry's spokesperson is not its minister, the
    president's press secretary not the president."""
    meant = {w for concept in concepts for w in lexicon.SERVING_POSTS.get(concept, (concept,))}
    query = Q()
    for word in meant:
        query |= Q(role__icontains=word)
    for words in lexicon.SERVING_POSTS.values():
        for word in set(words) - meant:
            query &= ~Q(role__icontains=word)
    return query


def role_concepts(role: str) -> list[str]:
    """The English words of affiliations' titles that a role descriptor means."""
    folded = role.casefold()
    for concept, words in lexicon.ROLE_CONCEPTS:
        if any(word in folded for word in words):
            return [concept]
    return []


def role_country(role: str) -> str | None:
    folded = fold(role)
    for word in re.findall(r"[\w.'’-]+", role):
        code = lexicon.country_of_word(word) or lexicon.country_of_word(fold(word))
        if code:
            return code
    for phrase, code in lexicon.COUNTRY_BY_WORD.items():
        if " " in phrase and phrase in folded:
            return code
    return None


# Calibration of a speaker the text does not name where it quotes (never preselected unless
# the person followed back was named plainly, and no one else was named since).
FOLLOW_BACK = 0.9  # "he said", a quotation without an attribution: the speaker just before
OTHER_NAMED = 0.8  # …when another person was named between them


@dataclass
class Resolver:
    """Resolves the mentions of one report, in the order of the text."""

    directory: Directory
    lang: str
    persons: list[Person] = field(default_factory=list)
    last_speaker: tuple[int, Candidate, int] | None = None  # (paragraph, who, position)
    unresolved: list[int] = field(default_factory=list)  # where a speaker was not found
    text: str = ""

    def seed(self, text: str) -> None:
        """Note where the report names speakers on record outside any attribution."""
        self.text = text
        for position, entry, name in self.directory.occurrences(text):
            self.persons.append(Person(name, "", position, Candidate(entry.key, entry.name, 0.9)))
        self.persons.extend(self._described(text))
        self.persons.sort(key=lambda p: p.position)

    def _described(self, text: str) -> list[Person]:
        """Where the report names a speaker on record by a title only one fits ("The
        Secretary-General spoke … He told the Council"), so that a pronoun after it is that
        person, not someone named earlier. "Spokesman for the Secretary-General" describes
        the spokesman, not the Secretary-General."""
        determiners = lexicon.alternation(lexicon.language(self.lang).determiners or ("the",))
        pattern = rf"(?<![\w-])(?:{determiners})\s+((?:[A-Z][\w-]+)(?:\s+[A-Z][\w-]+){{0,2}})"
        persons, fitting = [], {}
        for match in re.finditer(pattern, text, re.IGNORECASE):
            title = match.group(1)
            served = re.search(r"(?:for|to)\s*$", text[max(match.start() - 8, 0) : match.start()])
            if not title[:1].isupper() or served:
                continue
            if title not in fitting:  # one query a title, not one an occurrence
                fitting[title] = self.directory.by_role(title)
            found = fitting[title]
            if len(found) == 1:
                entry, score = found[0]
                candidate = Candidate(entry.key, entry.name, score, title)
                persons.append(Person(entry.name, title, match.start(1), candidate))
        return persons

    def resolve(self, mention: Mention, paragraph: int) -> tuple[Candidate, list[Candidate]]:
        if mention.kind == "name":
            chosen, others = self._by_name(mention)
        elif mention.kind in ("pronoun", "continuation"):
            chosen, others = self._follow_back(mention, paragraph)
        else:
            chosen, others = self._by_role(mention)
            if self._party_descriptor(chosen, mention, paragraph):
                # "die Grünen-Politikerin warnte": a descriptor that names no post (a party,
                # a profession) goes back to the speaker just before in its paragraph, unsure.
                back = self.last_speaker[1]
                chosen = Candidate(back.key, back.name, round(back.confidence * 0.7, 2), back.role)
        if chosen.key or chosen.name:
            person = Person(chosen.name, mention.role, mention.start, chosen, mention.subordinate)
            self.persons.append(person)
            if not mention.subordinate:
                self.last_speaker = (paragraph, chosen, mention.start)
        else:
            self.unresolved.append(mention.start)
        return chosen, others

    def _by_name(self, mention: Mention) -> tuple[Candidate, list[Candidate]]:
        matches = self.directory.by_name(mention.name)
        if not matches and mention.alias and self.directory.by_name(mention.alias):
            # "古特瑞斯（Antonio Guterres）": on record by the name in Latin letters
            mention = dataclasses.replace(mention, name=mention.alias)
            matches = self.directory.by_name(mention.name)
        if not matches and not lexicon.language(self.lang).cased:
            mention = self._uncased_full_name(mention)
            matches = self.directory.by_name(mention.name)
        earlier = self._earlier_named(mention.name, mention.start)
        if earlier is not None and len(tokens(earlier.name)) > len(tokens(mention.name)) > 1:
            return earlier, []  # "González Laya" after "Arancha González Laya"
        if len(tokens(mention.name)) == 1:
            if earlier is not None:
                return earlier, [
                    self._candidate(e, s, mention) for e, s in matches[:3] if e.key != earlier.key
                ]
            full = self._full_name_in_text(mention)
            if full is not None:
                mention = full
                matches = self.directory.by_name(mention.name)
        if not matches:
            confidence = 0.7 if len(tokens(mention.name)) >= 2 else 0.4
            name = nominative(mention.name, self.lang)
            return Candidate(None, name, confidence, mention.role), []
        ranked = sorted(
            (self._candidate(entry, score, mention) for entry, score in matches),
            key=lambda c: -c.confidence,
        )
        return _split(ranked)

    def _full_name_in_text(self, mention: Mention) -> Mention | None:
        """ "Lavrov said" after "Foreign Minister Sergei Lavrov met…": the full name."""
        from intake.extract import WORD, find_name

        lang = lexicon.language(self.lang)
        before = self.text[: max(mention.start, 0)]
        pattern = rf"((?:[^\W\d_][\w'’.-]*\s+){{1,6}}){re.escape(mention.name)}(?!\w)"
        for match in reversed(list(re.finditer(pattern, before))):
            found = find_name(match.group(0), lang)
            if found and len(tokens(found[0])) >= 2 and found[0].endswith(mention.name):
                words = WORD.findall(match.group(0)[: found[1]])
                role = " ".join(words[-4:]) if words else ""
                return Mention(
                    "name", name=found[0], role=mention.role or role, start=match.start()
                )
        return None

    def _uncased_full_name(self, mention: Mention) -> Mention:
        """A family name alone ("عراقجي", "بن فرحان") completed from the full name the report
        gave before: no capitals tell a name there, so the uncased reader finds it."""
        from intake.extract.uncased import full_name_before

        before = self.text[: max(mention.start, 0)]
        full = full_name_before(before, mention.name, lexicon.language(self.lang))
        return replace(mention, name=full) if full else mention

    def _candidate(self, entry: Entry, score: float, mention: Mention) -> Candidate:
        if mention.role and role_concepts(mention.role):
            consistent = any(c in entry.role_words() for c in role_concepts(mention.role))
            country = role_country(mention.role)
            if country and entry.countries() and country not in entry.countries():
                consistent = False
            score = min(score + 0.02, 0.99) if consistent else score - 0.1
        return Candidate(entry.key, entry.name, score, mention.role)

    def _earlier_named(self, name: str, position: int) -> Candidate | None:
        wanted = tokens(name)
        for person in reversed(self.persons):
            if person.position <= position and all(
                any(same_token(w, t) for t in tokens(person.candidate.name)) for w in wanted
            ):
                return person.candidate
        return None

    def _party_descriptor(self, chosen: Candidate, mention: Mention, paragraph: int) -> bool:
        return (
            not (chosen.key or chosen.name)
            and mention.anaphoric
            and not role_concepts(mention.role)
            and not (mention.country or role_country(mention.role))  # "le dirigeant israélien"
            and self.last_speaker is not None
            and self.last_speaker[0] >= paragraph - 1
        )

    def _follow_back(self, mention: Mention, paragraph: int) -> tuple[Candidate, list[Candidate]]:
        if self.last_speaker and self.last_speaker[0] >= paragraph - 1:
            _paragraph, who, since = self.last_speaker
        else:
            earlier = sorted(
                (
                    p
                    for p in self.persons
                    if 0 <= p.position <= max(mention.start, 0) and not p.subordinate
                ),
                key=lambda p: p.position,
            )
            if not earlier:
                return Candidate(None, "", 0.0), []
            who, since = earlier[-1].candidate, earlier[-1].position
        confidence = who.confidence * FOLLOW_BACK
        others = self._named_since(since, mention.start, who)
        if others or self._other_described(since, mention.start, who):
            # Someone else was named since ("Dujarric said the Secretary-General… He
            # warned…"): "he" may be them, so the editor is asked, with them as candidates.
            confidence *= OTHER_NAMED
        return Candidate(who.key, who.name, round(confidence, 2), who.role), others

    def _other_described(self, since: int, until: int, who: Candidate) -> bool:
        """Whether someone other than ``who`` may be meant: a statement between them whose
        speaker was not found ("afirmó el presidente ucraniano"), or a descriptor of another
        office ("The Secretary-General spoke…" after his spokesman)."""
        if any(since < position < until for position in self.unresolved):
            return True
        own = role_concepts(who.role + " " + self._known_roles(Person(who.name, "", 0, who)))
        lang = lexicon.language(self.lang)
        if since < 0 or not lang.roles:
            return False
        between = self.text[since:until]
        return any(
            role_concepts(found.group(0))[:1] not in ([], own[:1])
            for found in lexicon.compile_words(lang.roles).finditer(between)
        )

    def _named_since(self, since: int, until: int, who: Candidate) -> list[Candidate]:
        """The persons other than ``who`` the report named between two positions."""
        others: dict[tuple[str | None, str], Candidate] = {}
        for person in self.persons:
            found = person.candidate
            same = found.key == who.key if who.key else found.name == who.name
            if since < person.position < until and found.name and not same:
                others.setdefault(
                    (found.key, found.name),
                    Candidate(found.key, found.name, round(found.confidence / 2, 2)),
                )
        return list(others.values())[:3]

    def _by_role(self, mention: Mention) -> tuple[Candidate, list[Candidate]]:
        concepts = role_concepts(mention.role)
        earlier = sorted(self.persons, key=lambda p: p.position) if mention.anaphoric else []
        country = mention.country or role_country(mention.role)
        for person in reversed(earlier):
            described = fold(person.role + " " + self._known_roles(person))
            if country and self._country_of(person) not in (None, country):
                continue  # "the Ukrainian leader" is not the Russian president named last
            if concepts and person.position <= mention.start and _fits(concepts, described):
                who = person.candidate
                return Candidate(who.key, who.name, round(who.confidence * 0.85, 2), who.role), []
        described = self._described_in_text(mention) if mention.anaphoric else None
        if described is not None:
            return described
        ranked = [
            self._candidate(e, s, mention)
            for e, s in self.directory.by_role(mention.role, mention.country or None)
        ]
        if ranked:
            return _split(sorted(ranked, key=lambda c: -c.confidence))
        return Candidate(None, "", 0.0, mention.role), []

    def _country_of(self, person: Person) -> str | None:
        entry = next((e for e in self.directory.entries if e.key == person.candidate.key), None)
        if entry is not None and entry.countries():
            return next(iter(entry.countries())) if len(entry.countries()) == 1 else None
        return role_country(person.role) if person.role else None

    def _described_in_text(self, mention: Mention) -> tuple[Candidate, list[Candidate]] | None:
        """ "el presidente ucraniano" after "al presidente ucraniano, Volodimir Zelenski": the
        person the report named right after the same descriptor, nearest first."""
        from intake.extract import find_name

        words = mention.role.split()[:2]
        if len(words) < 2:
            return None
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r",?\s+"
        before = self.text[: max(mention.start, 0)]
        for match in reversed(list(re.finditer(pattern, before, re.I))):
            found = find_name(before[match.end() : match.end() + 60], lexicon.language(self.lang))
            if found and found[1] == 0:
                named = Mention("name", name=found[0], role=mention.role, start=match.end())
                who, _others = self._by_name(named)
                return Candidate(who.key, who.name, round(who.confidence * 0.85, 2), who.role), []
        return None

    def _known_roles(self, person: Person) -> str:
        if person.candidate.key is None:
            return person.candidate.role
        entry = next((e for e in self.directory.entries if e.key == person.candidate.key), None)
        return entry.role_words() if entry else ""


# Roles whose titles name the head they serve ("Press Secretary of the President"): such a
# person fits only a descriptor of that role, never one of the head's.
SERVING = ("press secretary", "spokes")


def _fits(concepts: list[str], described: str) -> bool:
    """Whether a person described so fits a descriptor meaning ``concepts``."""
    if _serves(described) and not set(concepts) & set(SERVING):
        return False
    return any(
        word in described
        for concept, words in lexicon.ROLE_CONCEPTS
        if concept in concepts
        for word in words
    )


def _serves(title: str) -> bool:
    own = role_concepts(title)
    return bool(own) and own[0] in SERVING


def _split(ranked: list[Candidate]) -> tuple[Candidate, list[Candidate]]:
    best, others = ranked[0], ranked[1:4]
    if others and others[0].confidence >= best.confidence - 0.01:
        # Two speakers fit as well: say so with the confidence.
        best = Candidate(best.key, best.name, round(best.confidence / 2, 2), best.role)
    return best, others
