"""Admin building blocks for curation: history and revert, edit conflicts, links to the
API, bulk steps that report what was refused, merges with a confirmation page."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from quotes import history, services
from quotes.exceptions import CurationError, EditConflict
from quotes.excerpts import excerpt_in_context
from quotes.models import Citation

# The API's routes of records (api/urls.py), by model.
API_DETAIL_ROUTES = {
    "quotes.quote": "api:quote-detail",
    "quotes.speaker": "api:speaker-detail",
    "quotes.organization": "api:organization-detail",
    "quotes.source": "api:source-detail",
}


def api_path(obj: models.Model) -> str | None:
    """The record's address in the REST API (``/api/v1/quotes/{key}/``)."""
    route = API_DETAIL_ROUTES.get(obj._meta.label_lower)
    if route is None or not getattr(obj, "key", ""):
        return None
    try:
        return reverse(route, kwargs={"key": obj.key})
    except NoReverseMatch:  # a key the API's URLs do not accept (keys are validated)
        return None


class AdminRefused(Exception):
    """A service refused a save; raised out of the change view's transaction, so that
    nothing of the save remains. The form is then shown again, with the editor's input and
    the refusal on the field at fault (``CurationAdmin.changeform_view``)."""

    def __init__(self, error: Exception):
        super().__init__(refusal_message(error))
        self.field = refusal_field(error)


def refusal_field(error: Exception) -> str:
    """The field a service's refusal names, if it names one."""
    if isinstance(error, CurationError):
        return error.field
    fields = list(getattr(error, "error_dict", {}))
    return fields[0] if len(fields) == 1 and fields[0] != "__all__" else ""


def refusal_message(error: Exception) -> str:
    """The words of a service's refusal, as the API gives them."""
    if isinstance(error, CurationError):
        return error.message
    if hasattr(error, "error_dict"):
        return " ".join(
            f"{'' if name == '__all__' else name + ': '}{message}"
            for name, messages in error.message_dict.items()
            for message in messages
        )
    return " ".join(error.messages)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class VersionedForm(forms.ModelForm):
    """A change form that refuses to save over changes made since it was opened.

    The hidden ``version`` is the record's version when the form was rendered; saving
    locks the record and compares (``services.record_check_version``).
    """

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    request: HttpRequest | None = None  # set by CurationAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict_entries: list[history.HistoryEntry] = []
        if self.instance.pk and "version" in self.fields:
            self.fields["version"].required = True
            self.fields["version"].initial = history.record_version(self.instance)

    def clean(self) -> dict:
        cleaned = super().clean()
        refusal = getattr(self.request, "admin_refusal", None)
        if refusal is not None:  # the service refused this input: show it again, refused
            field = refusal.field if refusal.field in self.fields else None
            self.add_error(field, f"Nothing was saved: {refusal}")
        version = cleaned.get("version")
        if self.instance.pk and version is not None:
            try:
                services.record_check_version(obj=self.instance, version=version)
            except EditConflict as conflict:
                self.conflict_entries = conflict.changes
                raise ValidationError(conflict.message, code="edit_conflict") from None
        return cleaned


class CurationAdmin(admin.ModelAdmin):
    """History with revert, edit-conflict checks and the API link for a tracked model."""

    form = VersionedForm
    history_parts = ""  # e.g. "translations, citations and topics", for the history page

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request: HttpRequest, obj: models.Model, form, change: bool) -> None:
        # Records with keys go through the service, so that a renamed key keeps leading here.
        if not hasattr(obj, "old_keys"):
            return super().save_model(request, obj, form, change)
        try:
            services.record_save(obj=obj, user=request.user)
        except (CurationError, ValidationError) as error:
            raise AdminRefused(error) from error

    def changeform_view(
        self, request: HttpRequest, object_id=None, form_url="", extra_context=None
    ):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except AdminRefused as refusal:  # raised inside the view's transaction: nothing saved
            if request.method == "POST":
                # The same view again, whose form now carries the refusal: the editor's
                # input is shown as typed, with the reason, and nothing is saved.
                request.admin_refusal = refusal
                try:
                    return super().changeform_view(request, object_id, form_url, extra_context)
                except AdminRefused:  # a form that does not show refusals
                    pass
            messages.error(request, f"Nothing was saved: {refusal}")
            return HttpResponseRedirect(request.get_full_path())

    @admin.display(description="API")
    def api_link(self, obj: models.Model) -> str:
        url = api_path(obj) if obj and obj.pk else None
        return format_html('<a href="{}">{}</a>', url, url) if url else "—"

    def get_urls(self) -> list:
        info = self.opts.app_label, self.opts.model_name
        revert = self.admin_site.admin_view(self.revert_view)
        return [
            path(
                "<path:object_id>/history/revert/<int:version>/",
                revert,
                name="{}_{}_revert".format(*info),
            ),
            *super().get_urls(),
        ]

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {obj}",
            "opts": self.opts,
            "object": obj,
            "object_id": obj.pk,
            "entries": history.record_history(obj),
            "parts": self.history_parts,
            "can_revert": self.has_change_permission(request, obj),
            "revert_url_name": f"admin:{self.opts.app_label}_{self.opts.model_name}_revert",
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/quotes/record_history.html", context)

    def revert_view(self, request: HttpRequest, object_id: str, version: int) -> HttpResponse:
        return require_POST(self._revert)(request, object_id, version)

    def _revert(self, request: HttpRequest, object_id: str, version: int) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        try:
            services.record_revert(obj=obj, event_id=version, user=request.user)
        except CurationError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            messages.error(request, "That version is not valid today: " + " ".join(error.messages))
        else:
            messages.success(request, f"“{obj}” was reverted to version {version}.")
        info = self.opts.app_label, self.opts.model_name
        return HttpResponseRedirect(reverse("admin:{}_{}_history".format(*info), args=[obj.pk]))


def apply_to_each(
    request: HttpRequest,
    queryset: models.QuerySet,
    step: Callable[..., object],
    done: str,
    **arguments,
) -> None:
    """Run a curation step (a service taking the record by its model name, ``quote=``)
    on each selected record, as the requesting user; report successes and refusals."""
    succeeded = 0
    name = queryset.model._meta.model_name
    for obj in queryset:
        try:
            step(**{name: obj}, user=request.user, **arguments)
        except (CurationError, ValidationError) as error:
            reason = error.message if isinstance(error, CurationError) else " ".join(error.messages)
            label = getattr(obj, "key", None) or str(obj)
            messages.error(request, f"“{label}” was left as it was: {reason}")
        else:
            succeeded += 1
    if succeeded:
        messages.success(request, f"{plural(succeeded, queryset.model._meta.verbose_name)} {done}.")


def action_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: models.QuerySet,
    *,
    template: str,
    title: str,
    submit_label: str,
    **context,
) -> TemplateResponse:
    """The intermediate page of an action that needs a reason or a choice."""
    return TemplateResponse(
        request,
        template,
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "opts": modeladmin.opts,
            "queryset": queryset,
            "action": request.POST.get("action"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "submit_label": submit_label,
            **context,
        },
    )


def merge_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: models.QuerySet,
    *,
    merge: Callable[..., models.Model],
    rows: list[tuple[str, Callable[[models.Model], object]]],
    merged_parts: str,
) -> TemplateResponse | None:
    """Merge two selected records after the reviewer picked the one that stays."""
    noun = modeladmin.opts.verbose_name
    selected = list(queryset[:3])
    if len(selected) != 2:
        messages.error(request, f"Select exactly two {noun}s to merge.")
        return None
    if request.POST.get("confirm"):
        survivor_pk = request.POST.get("survivor")
        survivor = next((obj for obj in selected if str(obj.pk) == survivor_pk), None)
        if survivor is None:
            messages.error(request, f"Choose the {noun} that stays.")
            return None
        duplicate = next(obj for obj in selected if obj.pk != survivor.pk)
        try:
            merge(survivor=survivor, duplicate=duplicate, user=request.user)
        except CurationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"“{duplicate.key}” was merged into “{survivor.key}”; its key now leads there.",
            )
        return None
    candidates = [(obj, [getter(obj) for _, getter in rows]) for obj in selected]
    return action_page(
        modeladmin,
        request,
        queryset,
        template="admin/quotes/merge.html",
        title=f"Merge two {noun}s",
        submit_label=f"Merge the {noun}s",
        rows=[label for label, _ in rows],
        candidates=candidates,
        merged_parts=merged_parts,
    )


EXCERPT_NOT_FOUND = mark_safe('<span class="excerpt-missing">Not in the source’s full text.</span>')


def excerpt_highlighted(citation: Citation | None, *, context: int = 240) -> str:
    """The excerpt marked in the source's full text, with the text around it."""
    if citation is None or not citation.source_id or not citation.excerpt.strip():
        return "—"
    full_text = citation.source.full_text
    if not full_text:
        return "The source has no full text to check the excerpt against."
    found = excerpt_in_context(citation.excerpt, full_text, context=context)
    if found is None:
        return EXCERPT_NOT_FOUND
    return format_html(
        '<div class="excerpt-context">{}{}<mark>{}</mark>{}{}</div>',
        "…" if found.truncated_before else "",
        found.before,
        found.excerpt,
        found.after,
        "…" if found.truncated_after else "",
    )


def verification(citation: Citation | None) -> str:
    if citation is None or citation.verified_at is None:
        return "not verified"
    who = citation.verified_by.get_username() if citation.verified_by else "a reviewer"
    return f"verified by {who} on {citation.verified_at:%Y-%m-%d %H:%M}"


def old_keys(obj: models.Model) -> str:
    keys = [redirect.old_key for redirect in obj.old_keys.all()]
    if not keys:
        return "—"
    return format_html_join(", ", "<code>{}</code>", ((key,) for key in keys))
