"""The page an editor sees when django-axes refuses a login (settings: AXES_*)."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """Answer 429 with the admin's look, saying why and for how long logins are refused."""
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return TemplateResponse(request, "admin/locked_out.html", context, status=429).render()
