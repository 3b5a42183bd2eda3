"""``/sitemap.xml`` (an index of one sitemap per kind of record) and ``/robots.txt``: every
public statement, speaker, topic, organization, source and occasion, and nothing else."""

from __future__ import annotations

import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from quotes.models import Occasion, Organization, Quote, Source, Speaker, Topic
from quotes.public import statement


class StatementSitemap(Sitemap):
    """Public statements; the last modification is the public representation's
    ``updated`` (first publication, last correction or retraction)."""

    limit = 10_000  # each statement is read with its public parts

    def items(self) -> QuerySet:
        return Quote.objects.public().with_public_parts().order_by("pk")

    def location(self, item: Quote) -> str:
        return reverse("reader:quote", args=[item.key])

    def lastmod(self, item: Quote) -> datetime.datetime:
        return statement(item).updated


class RecordSitemap(Sitemap):
    """The public records of ``model`` at their reader's page (``reader:<url_name>``)."""

    model: type = Speaker
    url_name = ""

    def items(self) -> QuerySet:
        return self.model.objects.public().only("key", "updated").order_by("pk")

    def location(self, item) -> str:
        return reverse(f"reader:{self.url_name}", args=[item.key])

    def lastmod(self, item) -> datetime.datetime:
        return item.updated


class SpeakerSitemap(RecordSitemap):
    model, url_name = Speaker, "speaker"


class TopicSitemap(RecordSitemap):
    model, url_name = Topic, "topic"


class OrganizationSitemap(RecordSitemap):
    model, url_name = Organization, "organization"


class SourceSitemap(RecordSitemap):
    model, url_name = Source, "source"


class OccasionSitemap(RecordSitemap):
    model, url_name = Occasion, "occasion"


SITEMAPS = {
    "statements": StatementSitemap,
    "speakers": SpeakerSitemap,
    "topics": TopicSitemap,
    "organizations": OrganizationSitemap,
    "sources": SourceSitemap,
    "occasions": OccasionSitemap,
}

# No pages for a search engine: the admin, the API (JSON for programs, its writes and
# downloads; its documentation stays open) and the error-report forms (RFC 9309 patterns).
ROBOTS_DISALLOW = ("/admin/", "/api/v1/", "/quotes/*/report/")


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
