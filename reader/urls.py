from django.urls import path, register_converter

from quotes.validators import KEY_PATTERN
from reader import browse, feeds, occasions, reports, views


class KeyConverter:
    """A record's key, as ``quotes.validators.validate_key`` allows it."""

    regex = KEY_PATTERN.removeprefix("^").removesuffix("$")

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KeyConverter, "key")

app_name = "reader"

urlpatterns = [
    path("", views.search, name="search"),
    path("about/", views.about, name="about"),
    path("quotes/<key:key>/", views.quote_detail, name="quote"),
    path("speakers/<key:key>/", views.speaker_detail, name="speaker"),
    path("speakers/<key:key>/feed.atom", feeds.SpeakerFeed.as_view(), name="speaker-feed"),
    path("topics/<key:key>/", views.topic_detail, name="topic"),
    path("topics/<key:key>/feed.atom", feeds.TopicFeed.as_view(), name="topic-feed"),
    path("organizations/<key:key>/", views.organization_detail, name="organization"),
    path("sources/<key:key>/", views.source_detail, name="source"),
    path("occasions/<key:key>/", occasions.occasion_detail, name="occasion"),
    path("feeds/quotes.atom", feeds.QuoteFeed.as_view(), name="feed"),
    path("speakers/", browse.speakers, name="speakers"),
    path("topics/", browse.topics, name="topics"),
    path("organizations/", browse.organizations, name="organizations"),
    path("sources/", browse.sources, name="sources"),
    path("occasions/", browse.occasions, name="occasions"),
    path("quotes/<key:key>/report/", reports.report_error, name="report"),
    path("quotes/<key:key>/report/thanks/", reports.report_thanks, name="report-thanks"),
]
