"""Atom feeds (Django's syndication framework): any search, a speaker's statements, a
topic's. Entries are the statements the reader's lists show, newest change first, so that a
correction brings its entry up again with a new ``updated`` date."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from quotes.models import Quote, Speaker, Topic
from reader.cite import SITE_NAME, shortened
from reader.dates import long_date
from reader.links import query_string
from reader.listing import filtered
from search.turns import takes_turns

FEED_LENGTH = 50
FEED_ORDERING = "-updated"


class QuoteFeed(Feed):
    """``/feeds/quotes.atom`` with the search page's parameters."""

    feed_type = Atom1Feed
    description_template = "reader/feed_entry.html"

    @classmethod
    def as_view(cls):
        """A view making a feed per request: a feed keeps its request while it renders."""

        @takes_turns
        def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return cls()(request, *args, **kwargs)

        return view

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        obj = self.get_object(request, *args, **kwargs)
        filterset = filtered({"ordering": FEED_ORDERING, **request.GET.dict()}, self.fixed(obj))
        if not filterset.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items()
            )
            return HttpResponseBadRequest(
                f"Invalid feed parameters: {problems}\n", content_type="text/plain"
            )
        request.reader_quotes = list(filterset.qs[:FEED_LENGTH])
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request: HttpRequest, *args, **kwargs):
        self.request = request
        return None

    def fixed(self, obj) -> dict[str, str]:
        return {}

    def title(self, obj) -> str:
        q = self.request.GET.get("q")
        return f"{SITE_NAME}: statements matching “{q}”" if q else f"{SITE_NAME}: statements"

    def subtitle(self, obj) -> str:
        return "Statements reviewed by OnRecord: who said what, in which role, when."

    def link(self, obj) -> str:
        return reverse("reader:search") + query_string(self.request.GET.dict())

    def feed_url(self, obj) -> str:
        return self.request.get_full_path()

    def items(self, obj) -> list[Quote]:
        return self.request.reader_quotes

    def item_title(self, quote: Quote) -> str:
        when = long_date(quote.said) or "undated"
        return f"{quote.speaker.name}, {when}: “{shortened(quote.text, 120)}”"

    def item_link(self, quote: Quote) -> str:
        return reverse("reader:quote", args=[quote.key])

    def item_author_name(self, quote: Quote) -> str:
        return quote.speaker.name

    def item_author_link(self, quote: Quote) -> str:
        return self.request.build_absolute_uri(reverse("reader:speaker", args=[quote.speaker.key]))

    def item_pubdate(self, quote: Quote):
        return quote.created

    def item_updateddate(self, quote: Quote):
        return quote.updated

    def item_categories(self, quote: Quote) -> list[str]:
        return [topic.name for topic in quote.topics.all()]


class SpeakerFeed(QuoteFeed):
    def get_object(self, request: HttpRequest, key: str) -> Speaker:
        self.request = request
        return get_object_or_404(Speaker, key=key)

    def fixed(self, speaker: Speaker) -> dict[str, str]:
        return {"speaker": speaker.key}

    def title(self, speaker: Speaker) -> str:
        return f"{SITE_NAME}: statements by {speaker.name}"

    def link(self, speaker: Speaker) -> str:
        return reverse("reader:speaker", args=[speaker.key])


class TopicFeed(QuoteFeed):
    def get_object(self, request: HttpRequest, key: str) -> Topic:
        self.request = request
        return get_object_or_404(Topic, key=key)

    def fixed(self, topic: Topic) -> dict[str, str]:
        return {"topic": topic.key}

    def title(self, topic: Topic) -> str:
        return f"{SITE_NAME}: statements on {topic.name}"

    def link(self, topic: Topic) -> str:
        return reverse("reader:topic", args=[topic.key])
