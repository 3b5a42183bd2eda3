"""The reviewers' queue of revisions of published quotes, with each change side by side."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from quotes import limits, services
from quotes.admin_curation import action_page, apply_to_each
from quotes.models import QuoteRevision
from quotes.permissions import may

EMPTY = "—"


def shown(value) -> str:
    """A revision's plain value, readable: a role by its title, lists one item a line."""
    if value in (None, "", []):
        return EMPTY
    if isinstance(value, dict) and "title" in value:
        return f"{value['title']}, {value['organization']}" + (
            f" (from {value['start']})" if value.get("start") else ""
        )
    if isinstance(value, list):
        return "\n".join(shown_item(item) for item in value)
    return str(value)


def shown_item(item) -> str:
    if isinstance(item, dict) and "text" in item:
        return f"{item['language']}{' (official)' if item.get('official') else ''}: {item['text']}"
    if isinstance(item, dict) and "source" in item:
        return f"{item['source']}: “{item.get('excerpt') or ''}”"
    return json.dumps(item, ensure_ascii=False) if isinstance(item, dict) else str(item)


def change_rows(revision: QuoteRevision) -> list[dict]:
    return [
        {"field": name, "before": shown(change["from"]), "after": shown(change["to"])}
        for name, change in revision.changes.items()
    ]


class CorrectionNoteForm(forms.Form):
    correction_note = forms.CharField(
        label="Correction note",
        max_length=limits.NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Readers see it with the quote, e.g. “The date was 13 October, not 14.” "
        "Required when a revision changes the text, language, kind, date, speaker, role, "
        "translations or citations.",
    )


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="For the editor who proposed it.",
    )


@admin.register(QuoteRevision)
class QuoteRevisionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "created", "status", "changed_fields"]
    list_filter = ["status"]
    list_select_related = ["quote", "author"]
    search_fields = ["quote__key"]
    fields = [
        "quote",
        "author",
        "created",
        "status",
        "changes_table",
        "decided_by",
        "decided_at",
    ]
    readonly_fields = fields
    actions = ["accept", "reject"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("quote", "author", "decided_by")

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return may(request.user, "view")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # editors propose revisions by saving a published quote

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_accept_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "accept revision")

    def has_reject_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "reject revision")

    @admin.display(description="changes")
    def changed_fields(self, obj: QuoteRevision) -> str:
        return ", ".join(obj.changes)

    @admin.display(description="changes, published and proposed")
    def changes_table(self, obj: QuoteRevision) -> SafeString:
        return render_to_string(
            "admin/quotes/includes/revision_changes.html", {"rows": change_rows(obj)}
        )

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        """The revision's page, with Accept and Reject buttons for those who may: they run
        the list's actions for this revision, whose page asks for the note or the reason."""
        revision = self.get_object(request, object_id)
        pending = revision is not None and revision.status == QuoteRevision.Status.PENDING
        decisions = [
            (action, label)
            for action, label, permitted in (
                ("accept", "Accept…", self.has_accept_permission(request)),
                ("reject", "Reject…", self.has_reject_permission(request)),
            )
            if pending and permitted
        ]
        context = {
            **(extra_context or {}),
            "decisions": decisions,
            "changelist_url": reverse("admin:quotes_quoterevision_changelist"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return super().change_view(request, object_id, form_url, context)

    def decide(self, request, queryset, *, form_class, step, done: str, title: str, intro: str):
        form = form_class(request.POST if request.POST.get("confirm") else None)
        if form.is_bound and form.is_valid():
            apply_to_each(request, queryset, step, done, **form.cleaned_data)
            return None
        revisions = [(r, change_rows(r)) for r in queryset.select_related("quote", "author")]
        return action_page(
            self,
            request,
            queryset,
            template="admin/quotes/revision_decision.html",
            title=title,
            submit_label=title,
            form=form,
            revisions=revisions,
            intro=intro,
        )

    @admin.action(description="Accept the selected revisions…", permissions=["accept"])
    def accept(self, request: HttpRequest, queryset: QuerySet):
        return self.decide(
            request,
            queryset,
            form_class=CorrectionNoteForm,
            step=lambda quoterevision, **kw: services.revision_accept(revision=quoterevision, **kw),
            done="accepted",
            title="Accept revisions",
            intro="Accepting applies each change to the published quote, as a public "
            "correction with this note.",
        )

    @admin.action(description="Reject the selected revisions…", permissions=["reject"])
    def reject(self, request: HttpRequest, queryset: QuerySet):
        return self.decide(
            request,
            queryset,
            form_class=RejectionForm,
            step=lambda quoterevision, **kw: services.revision_reject(revision=quoterevision, **kw),
            done="rejected",
            title="Reject revisions",
            intro="The published quotes stay as they are.",
        )
