"""Merging duplicate quotes and speakers; the duplicate's key leads to the survivor."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from alerts.services import alerts_retarget
from lineage.services import decisions_retarget
from quotes.actors import Actor, person
from quotes.exceptions import MergeNotAllowed
from quotes.history import action_context
from quotes.models import KeyRedirect, Quote, Speaker, SpeakerName
from quotes.permissions import require
from quotes.services.corrections import published_quotes_corrected
from quotes.services.speakers import speaker_quotes_reresolve


@transaction.atomic
def quote_merge(
    *, survivor: Quote, duplicate: Quote, user: Actor, correction_note: str = ""
) -> Quote:
    """Merge ``duplicate`` into ``survivor`` (reviewers only) and delete it.

    Citations, translations and topics are combined; the survivor's text, date, role and
    status stay, and its empty fields are filled from the duplicate. The duplicate's key
    (and any key merged into it before) leads to the survivor from now on. A published
    survivor that gains citations is corrected: ``correction_note`` is needed then.
    """
    require(user, "merge", "quote")
    survivor, duplicate = lock_pair(Quote, survivor, duplicate, "quote")
    if survivor.speaker_id != duplicate.speaker_id:
        raise MergeNotAllowed(
            f"“{survivor.key}” and “{duplicate.key}” have different speakers; correct the "
            "speaker of the wrong one before merging."
        )
    with (
        published_quotes_corrected(
            quotes=Quote.objects.filter(pk=survivor.pk), note=correction_note, user=user
        ),
        action_context(action="merge", note=f"{duplicate.key} merged into {survivor.key}"),
    ):
        _merge_citations(survivor, duplicate)
        _merge_translations(survivor, duplicate)
        survivor.topics.add(*duplicate.topics.all())
        decisions_retarget(duplicate=duplicate, survivor=survivor)
        alerts_retarget(target="quote", duplicate=duplicate, survivor=survivor)
        fill_blanks(survivor, duplicate, ["context", "said"])
        survivor.updated_by = person(user) or survivor.updated_by
        survivor.save()
        redirect_keys(KeyRedirect.Kind.QUOTE, duplicate, survivor, user)
        duplicate.delete()
    survivor.refresh_from_db()  # with the correction, if it got one
    return survivor


@transaction.atomic
def speaker_merge(
    *, survivor: Speaker, duplicate: Speaker, user: Actor, correction_note: str = ""
) -> Speaker:
    """Merge ``duplicate`` into ``survivor`` (reviewers only) and delete it.

    Quotes, affiliations and parts in occasions move to the survivor (an affiliation it
    already has, or an occasion it already took part in, is not doubled); the duplicate's
    names become the survivor's other names; empty fields are filled from the duplicate.
    The duplicate's key leads to the survivor from now on.
    Published quotes that then show another name or role are corrected with
    ``correction_note``, which is needed then (``services.corrections``).
    """
    require(user, "merge", "speaker")
    survivor, duplicate = lock_pair(Speaker, survivor, duplicate, "speaker")
    if survivor.wikidata and duplicate.wikidata and survivor.wikidata != duplicate.wikidata:
        raise MergeNotAllowed(
            f"{survivor.name} ({survivor.wikidata}) and {duplicate.name} ({duplicate.wikidata}) "
            "are different Wikidata items, so not the same person."
        )
    both = Quote.objects.filter(speaker__in=[survivor, duplicate])
    with (
        published_quotes_corrected(quotes=both, note=correction_note, user=user),
        action_context(action="merge", note=f"{duplicate.key} merged into {survivor.key}"),
    ):
        _merge_affiliations(survivor, duplicate)
        _merge_names(survivor, duplicate)
        _merge_participations(survivor, duplicate)
        alerts_retarget(target="speaker", duplicate=duplicate, survivor=survivor)
        duplicate.quotes.update(speaker=survivor, updated=timezone.now())
        fill_blanks(survivor, duplicate, ["country", "description", "wikidata"])
        survivor.save()
        redirect_keys(KeyRedirect.Kind.SPEAKER, duplicate, survivor, user)
        duplicate.delete()
        speaker_quotes_reresolve(speaker=survivor)
    return survivor


def lock_pair(model, survivor, duplicate, noun: str):
    if survivor.pk == duplicate.pk:
        raise MergeNotAllowed(f"A {noun} cannot be merged into itself.")
    locked = model.objects.select_for_update().order_by("pk").in_bulk([survivor.pk, duplicate.pk])
    if len(locked) != 2:
        raise MergeNotAllowed(f"One of the two {noun}s no longer exists.")
    return locked[survivor.pk], locked[duplicate.pk]


def fill_blanks(survivor: models.Model, duplicate: models.Model, names: list[str]) -> None:
    for name in names:
        if getattr(survivor, name) in (None, "") and getattr(duplicate, name) not in (None, ""):
            setattr(survivor, name, getattr(duplicate, name))


def _merge_citations(survivor: Quote, duplicate: Quote) -> None:
    kept = {citation.source_id: citation for citation in survivor.citations.all()}
    for citation in duplicate.citations.all():
        twin = kept.get(citation.source_id)
        if twin is None:
            citation.quote = survivor
            citation.save(update_fields=["quote", "updated"])
            continue
        if not twin.excerpt.strip() and citation.excerpt.strip():
            twin.excerpt = citation.excerpt
            _copy_verification(citation, twin)
            twin.save()
        elif twin.verified_at is None and citation.verified_at and twin.excerpt == citation.excerpt:
            _copy_verification(citation, twin)
            twin.save()
        citation.delete()


def _copy_verification(citation, twin) -> None:
    twin.verified_by, twin.verified_at = citation.verified_by, citation.verified_at
    twin.verified_by_name = citation.verified_by_name


def _merge_translations(survivor: Quote, duplicate: Quote) -> None:
    kept = {translation.language: translation for translation in survivor.translations.all()}
    for translation in duplicate.translations.all():
        twin = kept.get(translation.language)
        if twin is None:
            translation.quote = survivor
            translation.save(update_fields=["quote", "updated"])
            continue
        if translation.official and not twin.official:
            twin.text, twin.official = translation.text, True
            twin.save()
        translation.delete()


def _merge_affiliations(survivor: Speaker, duplicate: Speaker) -> None:
    kept = {(a.organization_id, a.role, a.start, a.end): a for a in survivor.affiliations.all()}
    for affiliation in duplicate.affiliations.all():
        twin = kept.get(
            (affiliation.organization_id, affiliation.role, affiliation.start, affiliation.end)
        )
        if twin is None:
            affiliation.speaker = survivor
            affiliation.save(update_fields=["speaker", "updated"])
        else:
            Quote.objects.filter(role=affiliation).update(role=twin, updated=timezone.now())
            affiliation.delete()


def _merge_participations(survivor: Speaker, duplicate: Speaker) -> None:
    """The duplicate's part in occasions becomes the survivor's; where both took part,
    the survivor's keeps what it says and gains what only the duplicate's says."""
    kept = {p.occasion_id: p for p in survivor.occasion_participations.all()}
    for participation in duplicate.occasion_participations.all():
        twin = kept.get(participation.occasion_id)
        if twin is None:
            participation.speaker = survivor
            participation.save(update_fields=["speaker"])
            continue
        fill_blanks(twin, participation, ["organization", "country"])
        twin.save()
        participation.delete()


def _merge_names(survivor: Speaker, duplicate: Speaker) -> None:
    taken = {(n.name, n.language) for n in survivor.names.all()} | {(survivor.name, "")}
    for name in duplicate.names.all():
        if (name.name, name.language) in taken:
            name.delete()
        else:
            name.speaker = survivor
            name.save(update_fields=["speaker"])
            taken.add((name.name, name.language))
    if (duplicate.name, "") not in taken:
        SpeakerName.objects.create(speaker=survivor, name=duplicate.name, language="")


def redirect_keys(kind: str, duplicate: models.Model, survivor: models.Model, user: Actor) -> None:
    KeyRedirect.objects.filter(**{kind: duplicate}).update(**{kind: survivor})
    KeyRedirect.objects.update_or_create(
        kind=kind,
        old_key=duplicate.key,
        defaults={kind: survivor, "cause": KeyRedirect.Cause.MERGE, "created_by": person(user)},
    )
