"""Transcripts of press conferences and briefings: paragraphs that open with their speaker's
label ("Mao Ning: …", "Reuters: …", "Q: …"/"A: …", "问：…"/"答：…"). The answers are the
statements, each the spokesperson's own words (direct), going on through the unlabelled
paragraphs after them; the questions, by journalists and their outlets, are not."""

from __future__ import annotations

import re
from functools import lru_cache

from intake import lexicon
from intake.extract.base import HONORIFICS, ORGANIZATION_WORDS, Found, Mention

LABEL = re.compile(r"^\s*(?P<label>[^\n:：。.!?,，]{1,60}?)\s*[:：]\s*(?=\S)")
# A label on a line of its own, with the time into the recording: "Matthew Miller (00:00):".
TIMED_LABEL = re.compile(r"^\s*(?P<label>[^\n:：()]{1,60}?)\s*\(\d{1,2}:\d{2}(?::\d{2})?\):\s*$")
QUESTIONS = re.compile(r"(?i)^(?:q|question|问|問|记者|記者|journalist|reporter)$")
ANSWERS = re.compile(r"(?i)^(?:a|answer|答)$")
# "Foreign Ministry Spokesperson Mao Ning’s Regular Press Conference", "外交部发言人汪文斌":
# the host's name, without the possessive.
SPOKESPERSON = re.compile(
    r"(?:[Ss]pokes(?:person|man|woman)|发言人|發言人)\s*"
    r"(?P<name>[A-Z][a-z-]+(?: [A-Z][a-z-]+){1,2}|[\u3400-\u9fff]{2,4})"
)
MIN_LABELLED = 3  # paragraphs: fewer is an interview quoted in a report, not a transcript
# The State Department's and the White House's transcripts label a speaker in capitals, by
# title and surname: "MR MILLER:", "SECRETARY BLINKEN:", "AMBASSADOR THOMAS-GREENFIELD:".
CAPITALS_TITLES = {"secretary", "ambassador", "president", "minister", "spokesperson", "general"}
# An answer of fewer words in a spaced script is a pleasantry ("That’s it.", "Go ahead."),
# not a statement an editor records.
MIN_ANSWER_WORDS = 8


def _label(text: str) -> re.Match | None:
    """The speaker's label opening a paragraph; none for a dateline ("October 20:") or an
    attribution ("王毅补充：「…」", "Lavrov said: …"), which a report writes, not a transcript."""
    match = TIMED_LABEL.match(text) or LABEL.match(text)
    if match is None or re.search(r"\d", match.group("label")):
        return None
    label = match.group("label").strip()
    if QUESTIONS.match(label) or ANSWERS.match(label):
        return match
    return None if _attributions().search(label) else match


@lru_cache(maxsize=1)
def _attributions() -> re.Pattern:
    """A label that ends with a verb of saying of any language's word lists."""
    endings = [
        rf"(?:{lexicon.alternation(lang.verbs)})"
        if not lang.spaced
        else rf"(?<![\w-])(?:{lexicon.alternation(lang.verbs)})"
        for lang in lexicon.LANGUAGES.values()
    ]
    return re.compile(rf"(?:{'|'.join(endings)}|告诉|告訴)$", re.IGNORECASE)


def transcript_statements(paragraphs: list[tuple[int, str]]) -> list[Found] | None:
    """The answers of a transcript, or None when the text is not one."""
    labelled = [(i, _label(text)) for i, (_start, text) in enumerate(paragraphs)]
    labelled = [(i, m) for i, m in labelled if m]
    labels = {match.group("label").strip() for _i, match in labelled}
    if len(labels) < 2:  # a dateline "October 20:" is none
        return None
    first = labelled[0][0]
    header = " ".join(text for _start, text in paragraphs[:first])
    host = SPOKESPERSON.search(header)
    hosted = host is not None and host.group("name") in labels  # the header names who answers
    if len(labelled) < MIN_LABELLED and not hosted:
        return None
    found: list[Found] = []
    current: Found | None = None
    for index, (start, text) in enumerate(paragraphs[first:], start=first):
        match = _label(text)
        if match is None:
            if current is not None:  # the answer goes on
                if not current.text:  # after a label on a line of its own
                    current.start, current.paragraph = start, index
                current.end = start + len(text)
                current.text = f"{current.text}\n\n{text}" if current.text else text
            continue
        mention = _answerer(match.group("label"), header, host)
        current = None
        if mention is not None:
            mention.start = start
            current = Found(
                kind="direct",
                text=text[match.end() :],
                start=start + match.end(),
                end=start + len(text),
                attribution=header,
                mention=mention,
                paragraph=index,
                # A named answerer: the publisher's own transcript, out the day it is held (a
                # "答：" relayed by a news site may be a day later).
                transcript=mention.kind == "name",
            )
            found.append(current)
    found = [statement for statement in found if statement.text and not _pleasantry(statement.text)]
    return found or None  # no answer: labels of another kind ("Photo:", "Source:")


def _answerer(label: str, header: str, host: re.Match | None) -> Mention | None:
    """Who answers under ``label``: the host for "A:", a person by name; None for a question,
    an outlet or an office."""
    label = label.strip()
    if QUESTIONS.match(label):
        return None
    if ANSWERS.match(label):
        if host is not None:
            return Mention("name", name=host.group("name"))
        return Mention("role", role="spokesperson", anaphoric=True)
    if host is not None:  # the host answers; the other labels are those who ask
        return Mention("name", name=label) if label == host.group("name") else None
    if capitals := _capitals_name(label):
        return Mention("name", name=capitals)
    return Mention("name", name=label) if _person_like(label) else None


def _pleasantry(text: str) -> bool:
    if re.search(r"[\u3400-\u9fff]", text):  # unspaced: no words to count
        return False
    return len(text.split()) < MIN_ANSWER_WORDS


def _capitals_name(label: str) -> str | None:
    """ "MR MILLER" → "Miller": a title and a surname in capitals."""
    words = label.split()
    if not 2 <= len(words) <= 4 or not all(w.isupper() for w in words):
        return None
    if words[0].lower() not in HONORIFICS and words[0].lower() not in CAPITALS_TITLES:
        return None
    return " ".join(w.capitalize() if "-" not in w else w.title() for w in words[1:])


def _person_like(label: str) -> bool:
    """A person's name, not an outlet's ("Mao Ning", not "Xinhua News Agency" or "CCTV")."""
    if re.fullmatch(r"[\u3400-\u9fff·]{2,4}", label):
        return True
    words = label.split()
    return (
        2 <= len(words) <= 4
        and all(word[:1].isupper() and not word.isupper() for word in words)
        and not any(ORGANIZATION_WORDS.match(word) for word in words)
    )
