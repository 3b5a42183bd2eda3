"""The editors' views of captures: a source's captures with the difference between the
last two, the WARC download, and the queue of citations whose excerpt is not in the
capture, where a change is dismissed as immaterial."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from captures import services
from captures.diffs import text_diff
from captures.models import Capture, CitationCheck, Dismissal
from quotes.exceptions import CurationError
from quotes.models import Source


def captures_of(source: Source, *, limit: int = 10) -> str:
    """A source's latest captures, each linked, for the source's admin page."""
    if not source.pk:
        return "—"
    captures = Capture.objects.filter(source=source).defer("text")[:limit]
    rows = format_html_join(
        "",
        '<li><a href="{}">{}</a>: {}</li>',
        (
            (
                reverse("admin:captures_capture_change", args=[c.pk]),
                f"{c.fetched_at:%Y-%m-%d %H:%M}",
                c.status or c.error,
            )
            for c in captures
        ),
    )
    return format_html("<ul>{}</ul>", rows) if rows else "No capture yet."


def capture_status(citation) -> str:
    """Whether the citation's excerpt is in the last capture of its source, for editors."""
    check = getattr(citation, "capture_check", None)
    if check is None or check.in_capture is None:
        return "Not checked against a capture yet."
    when = f"{check.checked_at:%Y-%m-%d}"
    if check.in_capture:
        return f"Found in the capture of {when}."
    if check.changed_since is None:
        return f"Not found in the capture of {when}."
    dismissed = " (an editor judged the change immaterial)" if check.immaterial_at else ""
    return f"No longer in the page since {check.changed_since:%Y-%m-%d}{dismissed}."


@admin.register(Capture)
class CaptureAdmin(admin.ModelAdmin):
    list_display = ("fetched_at", "source", "status", "replaced", "short_sha256", "error")
    list_filter = ("status", "replaced")
    list_select_related = ("source",)
    search_fields = ("url", "source__key", "source__title", "sha256")
    date_hierarchy = "fetched_at"
    fields = (
        "source",
        "url",
        "final_url",
        "fetched_at",
        "status",
        "replaced",
        "sha256",
        "warc_download",
        "error",
        "difference",
        "text",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # captures are taken by the job and sources_check

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # kept (docs/operations.md)

    @admin.display(description="SHA-256")
    def short_sha256(self, obj: Capture) -> str:
        return obj.sha256[:12]

    @admin.display(description="WARC")
    def warc_download(self, obj: Capture) -> str:
        if not obj.warc:
            return "—"
        url = reverse("admin:captures_capture_warc", args=[obj.pk])
        return format_html('<a href="{}" download>Download the WARC record</a>', url)

    @admin.display(description="difference from the capture before")
    def difference(self, obj: Capture) -> str:
        before = (
            Capture.objects.with_text()
            .filter(source=obj.source_id, fetched_at__lt=obj.fetched_at)
            .first()
        )
        if before is None or not obj.has_text:
            return "—"
        lines = text_diff(before.text, obj.text)
        if not lines:
            return f"The same text as the capture of {before.fetched_at:%Y-%m-%d %H:%M}."
        marks = {"added": "+ ", "removed": "− ", "same": "  ", "gap": ""}
        shown = format_html_join(
            "\n",
            '<span class="diff-{}">{}{}</span>',
            ((line.kind, marks[line.kind], line.text) for line in lines),
        )
        caption = f"Compared with the capture of {before.fetched_at:%Y-%m-%d %H:%M}"
        return format_html('<p>{}:</p><pre class="capture-diff">{}</pre>', caption, shown)

    def get_urls(self):
        warc = self.admin_site.admin_view(self.warc_view)
        own = [path("<int:pk>/warc/", warc, name="captures_capture_warc")]
        return own + super().get_urls()

    def warc_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        capture = get_object_or_404(Capture.objects.exclude(warc=""), pk=pk)
        stream = storages["captures"].open(capture.warc, "rb")
        name = f"{capture.source.key}-{capture.fetched_at:%Y%m%dT%H%M%S}.warc.gz"
        return FileResponse(
            stream, as_attachment=True, filename=name, content_type="application/warc"
        )


class DismissalInline(admin.TabularInline):
    model = Dismissal
    fields = ("at", "by_name", "changed_since", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ToReview(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("open", "Not in the capture, not dismissed"), ("drift", "Changed since")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.to_review()
        if self.value() == "drift":
            return queryset.drifted()
        return queryset


@admin.register(CitationCheck)
class CitationCheckAdmin(admin.ModelAdmin):
    list_display = ("statement", "source", "in_capture", "checked_at", "changed_since", "dismissed")
    list_filter = (ToReview, "in_capture")
    list_select_related = ("citation__quote", "citation__source")
    search_fields = ("citation__quote__key", "citation__source__key", "citation__source__title")
    fields = (
        "citation",
        "in_capture",
        "checked_at",
        "found_at",
        "changed_since",
        "immaterial_by",
        "immaterial_at",
    )
    readonly_fields = fields
    inlines = (DismissalInline,)
    actions = ("dismiss_as_immaterial",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="statement", ordering="citation__quote__key")
    def statement(self, obj: CitationCheck) -> str:
        return obj.citation.quote.key

    @admin.display(description="source")
    def source(self, obj: CitationCheck) -> str:
        return str(obj.citation.source)

    @admin.display(description="immaterial", boolean=True)
    def dismissed(self, obj: CitationCheck) -> bool:
        return obj.immaterial_at is not None

    @admin.action(description="Mark the change of the selected passages as immaterial")
    def dismiss_as_immaterial(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for check in queryset.select_related("citation__source"):
            try:
                services.citation_drift_dismiss(citation=check.citation, user=request.user)
            except CurationError as error:
                messages.error(request, error.message)
                return
            done += 1
        messages.success(request, f"{done} change(s) marked as immaterial.")
