"""The reader's pages. Lists of statements come from ``reader.listing`` (the API's search
and filters); a record's own page shows it whole, or redirects from a merged record's key."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from alerts.links import signup_url
from captures.reading import source_text
from lineage.selectors import quote_lineage, related_statements
from quotes import public, selectors
from quotes.models import (
    Affiliation,
    Citation,
    Occasion,
    OccasionParticipant,
    Organization,
    Quote,
    Source,
    Speaker,
    Topic,
)
from reader import cite, links
from reader.chart import year_chart
from reader.listing import quote_listing, quote_summary
from reader.markup import json_ld
from search.turns import takes_turns

OVERVIEW_LIMIT = 100


def can_edit(request: HttpRequest, permission: str = "quotes.change_quote") -> bool:
    return request.user.is_authenticated and request.user.has_perm(permission)


@takes_turns
def listing_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    fixed: Mapping[str, str] | None = None,
    feed_url: str = "",
) -> HttpResponse:
    """A page with a list of statements narrowed by ``fixed`` and the request's filters."""
    listing = quote_listing(request.GET, fixed=fixed)
    params = links.own_params(request.GET)
    hide = tuple(name for name in (fixed or {}) if name in links.FACET_TITLES)
    context.update(
        listing=listing,
        params=params,
        facet_groups=links.facet_groups(listing, params, hide=hide),
        active_filters=links.active_filters(params, listing),
        sort_links=links.sort_links(params),
        downloads=links.download_links(params, fixed),
        download_cap=settings.ONRECORD_DOWNLOAD_MAX_ROWS,
        feed_url=feed_url + links.query_string(params),
        alerts_url=signup_url({**params, **(fixed or {})}) if feed_url else "",
        page_links=page_links(listing, params),
    )
    return render(request, template, context, status=400 if listing.errors else 200)


def page_links(listing, params: dict[str, str]) -> dict:
    page = listing.page
    if page is None or page.paginator.num_pages <= 1:
        return {}
    return {
        "number": page.number,
        "pages": page.paginator.num_pages,
        "previous": links.query_string(params, page=str(page.number - 1))
        if page.has_previous()
        else "",
        "next": links.query_string(params, page=str(page.number + 1)) if page.has_next() else "",
    }


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    return listing_page(request, "reader/search.html", {}, feed_url=reverse("reader:feed"))


@require_safe
def quote_detail(request: HttpRequest, key: str) -> HttpResponse:
    """The statement as its public representation says it (``quotes.public``); editors
    also see drafts, marked as not public."""
    visible = Quote.objects.visible_to(request.user)
    quote = visible.with_public_parts().filter(key=key).first()
    if quote is None:
        survivor, redirected = selectors.quote_by_key(key)
        if redirected and visible.filter(pk=survivor.pk).exists():
            return redirect("reader:quote", key=survivor.key, permanent=True)
        raise Http404("No statement has this address.")
    shown = public.statement(quote)
    url = request.build_absolute_uri(shown.path)
    speaker_url = request.build_absolute_uri(reverse("reader:speaker", args=[shown.speaker.key]))
    open_graph = cite.open_graph(shown, url)
    context = {
        "statement": shown,
        "page_url": url,
        "apa": cite.apa_citation(shown, url),
        "chicago": cite.chicago_citation(shown, url),
        "json_ld": json_ld(cite.quotation_jsonld(shown, url, speaker_url)),
        "open_graph": open_graph,
        "description": open_graph["og:description"],
        "edit_url": reverse("admin:quotes_quote_change", args=[quote.pk])
        if can_edit(request)
        else "",
        "lineage": quote_lineage(quote=quote, among=visible),
        "related": related_statements(quote=quote, among=visible),
    }
    return render(request, "reader/quote.html", context)


@require_safe
def speaker_detail(request: HttpRequest, key: str) -> HttpResponse:
    speaker = (
        Speaker.objects.visible_to(request.user)
        .filter(key=key)
        .prefetch_related(
            "names",
            Prefetch(
                "affiliations",
                Affiliation.objects.select_related("organization").order_by("start", "pk"),
            ),
        )
        .first()
    )
    if speaker is None:
        survivor, redirected = selectors.speaker_by_key(key)
        if redirected and Speaker.objects.visible_to(request.user).filter(pk=survivor.pk).exists():
            return redirect("reader:speaker", key=survivor.key, permanent=True)
        raise Http404("No speaker has this address.")
    overview = quote_summary({"speaker": speaker.key}, facet_limit=OVERVIEW_LIMIT)
    roles, names = list(speaker.affiliations.all()), list(speaker.names.all())
    url = request.build_absolute_uri(reverse("reader:speaker", args=[speaker.key]))
    person = cite.person_jsonld(speaker, names, roles, url, request.build_absolute_uri)
    context = {
        "speaker": speaker,
        "roles": roles,
        "names": names,
        "json_ld": json_ld(person),
        "chart": year_chart(overview["facets"]["year"]),
        "topics": overview["facets"]["topic"],
        "occasions": speaker_occasions(request, speaker),
        "total": overview["count"],
        "edit_url": admin_url(request, "speaker", speaker.pk),
    }
    return listing_page(
        request,
        "reader/speaker.html",
        context,
        fixed={"speaker": speaker.key},
        feed_url=reverse("reader:speaker-feed", args=[speaker.key]),
    )


def speaker_occasions(request: HttpRequest, speaker: Speaker) -> list[Occasion]:
    """The occasions the speaker took part in or spoke at, that the reader may see."""
    said = Quote.objects.visible_to(request.user).filter(speaker=speaker).values("occasion")
    taking_part = OccasionParticipant.objects.filter(speaker=speaker).values("occasion")
    return list(
        Occasion.objects.visible_to(request.user)
        .filter(Q(pk__in=said) | Q(pk__in=taking_part))
        .order_by("-start", "name")[:OVERVIEW_LIMIT]
    )


def admin_url(request: HttpRequest, model: str, pk: int) -> str:
    if not can_edit(request, f"quotes.change_{model}"):
        return ""
    return reverse(f"admin:quotes_{model}_change", args=[pk])


@require_safe
def topic_detail(request: HttpRequest, key: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.visible_to(request.user), key=key)
    context = {"topic": topic, "edit_url": admin_url(request, "topic", topic.pk)}
    return listing_page(
        request,
        "reader/topic.html",
        context,
        fixed={"topic": topic.key},
        feed_url=reverse("reader:topic-feed", args=[topic.key]),
    )


@require_safe
def organization_detail(request: HttpRequest, key: str) -> HttpResponse:
    organizations = Organization.objects.visible_to(request.user)
    organization = get_object_or_404(organizations, key=key)
    members = (
        Affiliation.objects.filter(
            organization=organization, speaker__in=Speaker.objects.visible_to(request.user)
        )
        .select_related("speaker")
        .order_by("-start", "speaker__name", "pk")
    )
    url = request.build_absolute_uri(reverse("reader:organization", args=[organization.key]))
    context = {
        "organization": organization,
        "parent": organizations.filter(pk=organization.parent_id).first()
        if organization.parent_id
        else None,
        "members": list(members),
        "json_ld": json_ld(cite.organization_jsonld(organization, url, request.build_absolute_uri)),
        "edit_url": admin_url(request, "organization", organization.pk),
    }
    return listing_page(
        request, "reader/organization.html", context, fixed={"organization": organization.key}
    )


@require_safe
def source_detail(request: HttpRequest, key: str) -> HttpResponse:
    source = get_object_or_404(Source.objects.visible_to(request.user).defer("full_text"), key=key)
    cited = Citation.objects.filter(
        source=source, quote__in=Quote.objects.visible_to(request.user)
    ).values_list("quote__key", "excerpt")
    context = {
        "source": source,
        "edit_url": admin_url(request, "source", source.pk),
        "text": source_text(source, list(cited)),
    }
    return listing_page(request, "reader/source.html", context, fixed={"source": source.key})


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "reader/about.html")
