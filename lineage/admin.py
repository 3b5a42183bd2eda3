"""Reviewers' lineage decisions in the admin: listed, and made through the service."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from lineage.models import Decision
from lineage.services import check_pair, lineage_decide
from quotes.exceptions import CurationError
from quotes.models import Quote
from quotes.permissions import may


class DecisionForm(forms.ModelForm):
    first = forms.ModelChoiceField(Quote.objects.all(), label="Statement")
    second = forms.ModelChoiceField(Quote.objects.all(), label="Other statement")

    class Meta:
        model = Decision
        fields = ["first", "second", "verdict", "note"]

    def clean(self) -> dict:
        data = super().clean()
        first, second = data.get("first"), data.get("second")
        if first and second:
            try:
                check_pair(quote=first, other=second)
            except CurationError as error:
                raise ValidationError(error.message) from error
        if first and second and first.pk > second.pk:  # the pair's order (Meta.constraints)
            data["first"], data["second"] = second, first
            self.instance.first, self.instance.second = second, first
        return data


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """Confirm or dismiss that two statements carry the same claim (reviewers)."""

    form = DecisionForm
    list_display = ("first", "second", "verdict", "reviewer", "decided_at")
    list_filter = ("verdict",)
    list_select_related = ("first", "second", "decided_by")
    raw_id_fields = ("first", "second")
    search_fields = ("first__key", "second__key", "note")

    @admin.display(description="decided by")
    def reviewer(self, obj: Decision) -> str:
        return obj.reviewer_name or "—"

    def has_add_permission(self, request) -> bool:
        return may(request.user, "decide lineage")

    def has_change_permission(self, request, obj=None) -> bool:
        return may(request.user, "decide lineage")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a decision is replaced by another, never erased

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def save_model(self, request, obj: Decision, form, change: bool) -> None:
        saved = lineage_decide(
            quote=form.cleaned_data["first"],
            other=form.cleaned_data["second"],
            verdict=form.cleaned_data["verdict"],
            note=form.cleaned_data.get("note", ""),
            user=request.user,
        )
        obj.pk = saved.pk
