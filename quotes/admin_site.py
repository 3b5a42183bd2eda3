"""The editors' admin site: an index of what editors work on, with the review and revision
queues."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from quotes.models import Quote, QuoteRevision

# Kept out of the index (and reachable by URL, or inline in the records they belong to):
# other names, affiliations, translations and citations are edited on their speaker or quote;
# history events and API tokens are internal tables.
HIDDEN_APPS = {"pghistory", "authtoken"}
HIDDEN_MODELS = {
    "quotes.speakername",
    "quotes.affiliation",
    "quotes.translation",
    "quotes.citation",
}


class OnRecordAdminSite(admin.AdminSite):
    # The quote list and the speaker form need the width the navigation sidebar takes on a
    # 1280 px screen; the index and the breadcrumbs lead everywhere.
    enable_nav_sidebar = False

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        apps = []
        for app in super().get_app_list(request, app_label):
            if app["app_label"] in HIDDEN_APPS:
                continue
            app["models"] = [
                model
                for model in app["models"]
                if model["model"]._meta.label_lower not in HIDDEN_MODELS
            ]
            if app["app_label"] == "quotes":
                app["models"] = self.queues(request) + app["models"]
            if app["models"]:
                apps.append(app)
        return apps

    def queues(self, request: HttpRequest) -> list[dict]:
        """The review queue (quotes waiting for a reviewer) and the revision queue (changes
        to published quotes waiting for one), each with how many wait."""
        if not request.user.has_perm("quotes.view_quote"):
            return []
        return [
            self.queue(
                "Review queue",
                Quote,
                Quote.objects.filter(status=Quote.Status.REVIEW).count(),
                "admin:quotes_quote_changelist",
                "status__exact=review",
            ),
            self.queue(
                "Revision queue",
                QuoteRevision,
                QuoteRevision.objects.filter(status=QuoteRevision.Status.PENDING).count(),
                "admin:quotes_quoterevision_changelist",
                "status__exact=pending",
            ),
        ]

    def queue(self, name: str, model, waiting: int, changelist: str, query: str) -> dict:
        url = reverse(changelist, current_app=self.name)
        return {
            "model": model,
            "name": f"{name} ({waiting})",
            "object_name": name.title().replace(" ", ""),
            "perms": {"view": True},
            "admin_url": f"{url}?{query}",
            "add_url": None,
            "view_only": True,
        }

    def autocomplete_view(self, request: HttpRequest):
        # Fuzzy speaker search sets pg_trgm's threshold for its transaction (see
        # quotes.speaker_search): the search and its results must share one.
        with transaction.atomic():
            return super().autocomplete_view(request)
