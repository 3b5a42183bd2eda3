"""The occasion's page: when and where, who took part for whom, each party's account side by
side with its passages aligned (lineage/alignment.py, computed by the job when the accounts
change, only read here), and the statements made there."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from lineage.alignment import current_html
from quotes import selectors
from quotes.models import (
    Citation,
    Occasion,
    OccasionAccount,
    OccasionParticipant,
    Quote,
    Source,
)
from reader import cite
from reader.markup import json_ld
from reader.views import admin_url, listing_page


@require_safe
def occasion_detail(request: HttpRequest, key: str) -> HttpResponse:
    """An occasion: when and where, who took part for whom, and the statements made there;
    a 404 until a public statement names it (editors see it before)."""
    visible = Occasion.objects.visible_to(request.user)
    occasion = visible.filter(key=key).select_related("parent").first()
    if occasion is None:
        survivor, redirected = selectors.record_by_key(Occasion, key)
        if redirected and visible.filter(pk=survivor.pk).exists():
            return redirect("reader:occasion", key=survivor.key, permanent=True)
        raise Http404("No occasion has this address.")
    # The participants of a visible occasion are visible speakers (SpeakerQuerySet), and
    # the sources of its accounts visible sources (SourceQuerySet).
    participants = list(
        OccasionParticipant.objects.filter(occasion=occasion)
        .select_related("speaker", "organization")
        .order_by("pk")
    )
    url = request.build_absolute_uri(reverse("reader:occasion", args=[occasion.key]))
    context = {
        "occasion": occasion,
        "parent": visible.filter(pk=occasion.parent_id).first() if occasion.parent_id else None,
        "parts": visible.filter(parent=occasion).order_by("start", "name"),
        "participants": participants,
        "accounts": occasion_accounts(request, occasion),
        "json_ld": json_ld(cite.event_jsonld(occasion, url, participants)),
        "edit_url": admin_url(request, "occasion", occasion.pk),
    }
    return listing_page(request, "reader/occasion.html", context, fixed={"occasion": occasion.key})


def occasion_accounts(request: HttpRequest, occasion: Occasion) -> list[dict]:
    """Each party's account of the occasion: its passages aligned with the other accounts'
    when the alignment is of the accounts as they are now, else its text in paragraphs; and
    the visible statements quoted from it. The sources' full texts are read only when there
    is no current alignment (which holds the passages)."""
    accounts = list(
        OccasionAccount.objects.filter(occasion=occasion)
        .select_related("source", "organization")
        .defer("source__full_text")
        .order_by("pk")
    )
    aligned = aligned_passages(occasion, accounts)
    texts = {} if aligned else full_texts(accounts)
    quoted = quotes_by_source(request, accounts)
    return [
        {
            "account": account,
            "paragraphs": paragraphs(texts.get(account.source_id, "")),
            "passages": aligned.get(account.pk),
            "quotes": quoted.get(account.source_id, []),
        }
        for account in accounts
    ]


def full_texts(accounts: list[OccasionAccount]) -> dict[int, str]:
    sources = Source.objects.filter(pk__in=[account.source_id for account in accounts])
    return dict(sources.values_list("pk", "full_text"))


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def quotes_by_source(request: HttpRequest, accounts: list[OccasionAccount]) -> dict[int, list]:
    """The visible statements that cite each account's source, by source."""
    citations = Citation.objects.filter(
        source_id__in=[account.source_id for account in accounts],
        quote__in=Quote.objects.visible_to(request.user),
    ).select_related("quote__speaker")
    by_source: dict[int, list[Quote]] = {}
    for citation in citations.order_by("quote__said", "quote__key"):
        by_source.setdefault(citation.source_id, []).append(citation.quote)
    return by_source


def aligned_passages(occasion: Occasion, accounts: list[OccasionAccount]) -> dict[int, dict]:
    """Each account's passages, as HTML, with links to the other accounts' passages that say
    the same thing, when the alignment is of the accounts as they are now. The HTML is the
    alignment's, stored with it when the job aligned the accounts (an account of 2,000 words
    has about a hundred passages, which took a millisecond each to render by a template
    loop); only the parties' names are filled in here."""
    aligned = current_html(occasion, accounts) if len(accounts) > 1 else None
    # Every text in it was escaped (passages_html, with_parties).
    return {
        pk: {**entry, "html": mark_safe(entry["html"])} for pk, entry in (aligned or {}).items()
    }
