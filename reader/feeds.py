"""Atom feeds (Django's syndication framework): any search, a speaker's statements, a
topic's. Entries render the public representation of each statement
(``quotes.public.PublicStatement``): the id is its permanent ``tag:`` URI, ``published`` its
first publication and ``updated`` its last public change, so that a correction or a
retraction brings its entry up again, saying so. Retracted statements stay in the feeds as
retracted entries: a subscriber is told.

One feed per search: the parameters are those of the search page; parameters that do not
narrow the list (paging, tracking) are dropped, any other is refused with a 400 naming it,
and the order of the parameters does not matter (the feed's self link and id are
canonical). Answers carry ``ETag`` and ``Last-Modified`` and answer conditional requests
with 304; they are compressed when the client accepts it.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Mapping
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
)
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date
from django.views.decorators.gzip import gzip_page
from django_filters import rest_framework as filters
from rest_framework.exceptions import PermissionDenied

from api.filters import PUBLIC_STATUSES, QuoteFilterSet
from quotes import selectors
from quotes.models import Quote, Speaker, Topic
from quotes.public import PublicStatement, statements
from reader.cite import SITE_NAME, shortened
from reader.dates import long_date
from reader.listing import FILTER_PARAMS, filtered
from search.backends.base import SITE_ORDERINGS
from search.turns import takes_turns

FEED_LENGTH = 50
FEED_ORDERING = "-changed"  # the last public change (search.backends.base.SITE_ORDERINGS)
# Parameters that do not change which statements a feed holds: dropped from its address.
IGNORED_PARAMS = frozenset({"page", "page_size", "ordering", "format", "fbclid", "gclid"})
IGNORED_PREFIXES = ("utm_",)
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class FeedParameterError(Exception):
    """Parameters a feed does not take, by name."""


class FeedFilterSet(QuoteFilterSet):
    """The search's FilterSet, but without ``status`` a feed holds every public statement,
    retracted ones included, so that a retraction reaches its subscribers; and its newest
    entries are those of the last public change, which only the feeds order by."""

    ordering = filters.ChoiceFilter(
        choices=[(name, name) for name in (*QuoteFilterSet.ORDERINGS, *SITE_ORDERINGS)],
        field_name="said",
    )

    def statuses(self) -> list[str]:
        if self.form.cleaned_data.get("status"):
            return [self.form.cleaned_data["status"]]
        return list(PUBLIC_STATUSES)


def canonical_params(query, fixed: Mapping[str, str]) -> dict[str, str]:
    """The parameters that select a feed's statements, sorted by name, without empty and
    ignored ones. Raises ``FeedParameterError`` naming unknown or repeated parameters and
    those the feed's own address sets (``speaker`` of a speaker's feed)."""
    accepted = set(FILTER_PARAMS) - IGNORED_PARAMS - set(fixed)
    unknown, repeated, kept = [], [], {}
    for name in sorted(query):
        if name in IGNORED_PARAMS or name.startswith(IGNORED_PREFIXES):
            continue
        if name not in accepted:
            unknown.append(name)
            continue
        values = [value for value in query.getlist(name) if value != ""]
        if len(values) > 1:
            repeated.append(name)
        elif values:
            kept[name] = values[0]
    problems = []
    if unknown:
        problems.append("unknown parameters: " + ", ".join(unknown))
    if repeated:
        problems.append("parameters given more than once: " + ", ".join(repeated))
    if problems:
        raise FeedParameterError("; ".join(problems))
    return kept


class OnRecordAtomFeed(Atom1Feed):
    """An Atom feed whose ``updated`` is its newest entry's, or for an empty feed the last
    public change of the record: never the time of the request, so that the same feed is
    the same bytes (and the same ETag) until a statement in it changes."""

    def latest_post_date(self) -> datetime.datetime:
        updates = [item["updateddate"] for item in self.items if item["updateddate"]]
        if updates:
            return max(updates)
        found = Quote.objects.public().aggregate(
            published=Max("published_at"),
            corrected=Max("corrected_at"),
            retracted=Max("retracted_at"),
        )
        return max([moment for moment in found.values() if moment] or [EPOCH])


def conditional(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``ETag`` (of the body) and ``Last-Modified`` (the feed's ``updated``) on a feed, and
    304 for ``If-None-Match`` or ``If-Modified-Since`` when nothing changed."""

    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or not hasattr(response, "feed_updated"):
            return response
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        modified = response.feed_updated.timestamp()
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(modified)
        return get_conditional_response(
            request, etag=etag, last_modified=int(modified), response=response
        )

    return wrapped


class QuoteFeed(Feed):
    """``/feeds/quotes.atom`` with the search page's parameters."""

    feed_type = OnRecordAtomFeed
    description_template = "reader/feed_entry.html"

    @classmethod
    def as_view(cls):
        """A view making a feed per request: a feed keeps its request while it renders."""

        @gzip_page
        @conditional
        @takes_turns
        def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return cls()(request, *args, **kwargs)

        return view

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        obj = self.get_object(request, *args, **kwargs)
        if isinstance(obj, HttpResponse):  # a redirect from a renamed key
            return obj
        try:
            self.params = canonical_params(request.GET, self.fixed(obj))
        except FeedParameterError as error:
            return bad_request(str(error))
        filterset = filtered(
            {"ordering": FEED_ORDERING, **self.params}, self.fixed(obj), FeedFilterSet
        )
        try:
            valid = filterset.is_valid()
        except PermissionDenied as refusal:  # a status only editors may ask for
            return HttpResponseForbidden(f"{refusal.detail}\n", content_type="text/plain")
        if not valid:
            problems = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items()
            )
            return bad_request(problems)
        quotes = filterset.qs[:FEED_LENGTH]
        request.reader_statements = statements(quotes)
        response = super().__call__(request, *args, **kwargs)
        response.feed_updated = self.feed_updated
        return response

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        self.feed_updated = feed.latest_post_date()
        return feed

    def get_object(self, request: HttpRequest, *args, **kwargs):
        self.request = request
        return None

    def fixed(self, obj) -> dict[str, str]:
        return {}

    def canonical_query(self) -> str:
        return "?" + urlencode(self.params) if self.params else ""

    def feed_path(self, obj) -> str:
        return reverse("reader:feed")

    def title(self, obj) -> str:
        q = self.params.get("q")
        return f"{SITE_NAME}: statements matching “{q}”" if q else f"{SITE_NAME}: statements"

    def subtitle(self, obj) -> str:
        return (
            "Statements reviewed by OnRecord: who said what, in which role, when. "
            "Corrections and retractions update their entries."
        )

    def link(self, obj) -> str:
        return reverse("reader:search") + self.canonical_query()

    def feed_url(self, obj) -> str:
        return self.feed_path(obj) + self.canonical_query()

    def feed_guid(self, obj) -> str:
        """The feed's id: its canonical address without the host, as a ``tag:`` URI."""
        return f"tag:{settings.ONRECORD_TAG_AUTHORITY}:feed:{self.feed_url(obj)}"

    def items(self, obj) -> list[PublicStatement]:
        return self.request.reader_statements

    def item_title(self, item: PublicStatement) -> str:
        when = long_date(item.said) or "undated"
        title = f"{item.speaker.name}, {when}: “{shortened(item.text, 120)}”"
        if item.retracted:
            return f"Retracted: {title}"
        if item.corrections:
            return f"Corrected: {title}"
        return title

    def item_link(self, item: PublicStatement) -> str:
        return item.path

    def item_guid(self, item: PublicStatement) -> str:
        return item.tag

    def item_guid_is_permalink(self, item: PublicStatement) -> bool:
        return False

    def item_author_name(self, item: PublicStatement) -> str:
        return item.speaker.name

    def item_author_link(self, item: PublicStatement) -> str:
        return self.request.build_absolute_uri(reverse("reader:speaker", args=[item.speaker.key]))

    def item_pubdate(self, item: PublicStatement) -> datetime.datetime | None:
        return item.first_published

    def item_updateddate(self, item: PublicStatement) -> datetime.datetime:
        return item.updated

    def item_categories(self, item: PublicStatement) -> list[str]:
        return [name for _, name in item.topics]


class SpeakerFeed(QuoteFeed):
    def get_object(self, request: HttpRequest, key: str):
        self.request = request
        speaker = Speaker.objects.public().filter(key=key).first()
        if speaker is not None:
            return speaker
        survivor, redirected = selectors.speaker_by_key(key)
        if redirected and Speaker.objects.public().filter(pk=survivor.pk).exists():
            return moved(request, reverse("reader:speaker-feed", args=[survivor.key]))
        raise Http404("No speaker has this address.")

    def fixed(self, speaker: Speaker) -> dict[str, str]:
        return {"speaker": speaker.key}

    def feed_path(self, speaker: Speaker) -> str:
        return reverse("reader:speaker-feed", args=[speaker.key])

    def title(self, speaker: Speaker) -> str:
        return f"{SITE_NAME}: statements by {speaker.name}"

    def link(self, speaker: Speaker) -> str:
        return reverse("reader:speaker", args=[speaker.key]) + self.canonical_query()


class TopicFeed(QuoteFeed):
    def get_object(self, request: HttpRequest, key: str):
        self.request = request
        topic = Topic.objects.public().filter(key=key).first()
        if topic is None:
            raise Http404("No topic has this address.")
        return topic

    def fixed(self, topic: Topic) -> dict[str, str]:
        return {"topic": topic.key}

    def feed_path(self, topic: Topic) -> str:
        return reverse("reader:topic-feed", args=[topic.key])

    def title(self, topic: Topic) -> str:
        return f"{SITE_NAME}: statements on {topic.name}"

    def link(self, topic: Topic) -> str:
        return reverse("reader:topic", args=[topic.key]) + self.canonical_query()


def bad_request(problems: str) -> HttpResponse:
    return HttpResponseBadRequest(
        f"Invalid feed parameters: {problems}\n", content_type="text/plain"
    )


def moved(request: HttpRequest, path: str) -> HttpResponse:
    """A permanent redirect from a renamed or merged record's feed, with its parameters."""
    query = request.META.get("QUERY_STRING", "")
    return redirect(path + ("?" + query if query else ""), permanent=True)
