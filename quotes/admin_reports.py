"""The editors' queue of readers' error reports: open ones first, closed by an action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from quotes import services
from quotes.exceptions import CurationError
from quotes.models import ErrorReport


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ("created", "statement", "summary", "reply_to", "status")
    list_filter = ("status", "created")
    search_fields = ("text", "quote__key", "reply_to")
    list_select_related = ("quote",)
    date_hierarchy = "created"
    readonly_fields = ("quote", "statement_page", "text", "reply_to", "status", "created")
    fields = readonly_fields
    actions = ("close_reports", "reopen_reports")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # readers file reports on the statement's page

    @admin.display(description="statement", ordering="quote__key")
    def statement(self, obj: ErrorReport) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:quotes_quote_change", args=[obj.quote_id]),
            obj.quote.key,
        )

    @admin.display(description="on the site")
    def statement_page(self, obj: ErrorReport) -> str:
        url = reverse("reader:quote", args=[obj.quote.key])
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description="what is wrong")
    def summary(self, obj: ErrorReport) -> str:
        return Truncator(obj.text).chars(120)

    def set_status(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        changed = 0
        for report in queryset:
            try:
                services.error_report_set_status(report=report, status=status, user=request.user)
            except CurationError as error:
                messages.error(request, error.message)
                return
            changed += 1
        messages.success(request, f"{changed} report(s) {status}.")

    @admin.action(description="Close the selected reports (dealt with)")
    def close_reports(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.set_status(request, queryset, ErrorReport.Status.CLOSED)

    @admin.action(description="Open the selected reports again")
    def reopen_reports(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.set_status(request, queryset, ErrorReport.Status.OPEN)
