"""Admin building blocks for curation: history and revert, edit conflicts, links to the
API, bulk steps that report what was refused, merges with a confirmation page."""

from __future__ import annotations

import difflib
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

from quotes import history, limits, services
from quotes.exceptions import CurationError, EditConflict
from quotes.excerpts import excerpt_in_context
from quotes.models import Citation

PUBLISHED_LISTED = 50  # the published quotes listed on a record's page

# The API's routes of records (api/urls.py), by model.
API_DETAIL_ROUTES = {
    "quotes.quote": "api:quote-detail",
    "quotes.speaker": "api:speaker-detail",
    "quotes.organization": "api:organization-detail",
    "quotes.source": "api:source-detail",
    "quotes.occasion": "api:occasion-detail",
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


def correction_note_field(help_text: str, **options) -> forms.CharField:
    """The field of a public correction's note, as every admin form asks for it."""
    return forms.CharField(
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=help_text,
        **options,
    )


class CorrectionNoteForm(VersionedForm):
    """The change form of a record that published quotes show (a speaker, an affiliation,
    an organization, a source): a change that alters what they show needs a note."""

    correction_note = correction_note_field(
        "Needed when this change alters what the published quotes listed under “published "
        "quotes showing it” show (the speaker's name, the role, a cited source's title or "
        "address): each of them gets this note as a public correction."
    )


class CurationAdmin(admin.ModelAdmin):
    """History with revert, edit-conflict checks and the API link for a tracked model."""

    form = VersionedForm
    history_parts = ""  # e.g. "translations, citations and topics", for the history page
    shows_quotes = False  # a record that published quotes show: lists them, asks for a note

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        if self.shows_quotes:
            kwargs.setdefault("form", CorrectionNoteForm)
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "published_quotes"] if self.shows_quotes and obj else fields

    @admin.display(description="published quotes showing it")
    def published_quotes(self, obj: models.Model) -> str:
        """The published quotes a change of this record may alter, before it is saved."""
        quotes = services.quotes_showing(obj).order_by("key")
        keys = list(quotes.values_list("pk", "key")[:PUBLISHED_LISTED])
        if not keys:
            return "None: a change here alters no published quote."
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:quotes_quote_change", args=[pk]), key) for pk, key in keys),
        )
        total = quotes.count()
        more = f" and {total - len(keys)} more" if total > len(keys) else ""
        return format_html(
            "{}{}. A change of what they show is a public correction of each: give the note.",
            links,
            more,
        )

    def save_model(self, request: HttpRequest, obj: models.Model, form, change: bool) -> None:
        # Records with keys go through the service, so that a renamed key keeps leading here.
        if not hasattr(obj, "old_keys"):
            return super().save_model(request, obj, form, change)
        try:
            services.record_save(obj=obj, user=request.user, correction_note=correction_note(form))
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
        """Revert after a confirmation page that lists the changes undone (and asks a
        reviewer reverting a published quote for the correction's public note)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        info = self.opts.app_label, self.opts.model_name
        history_url = reverse("admin:{}_{}_history".format(*info), args=[obj.pk])
        entries = history.record_history(obj)
        entry = next((e for e in entries if e.version == version), None)
        if entry is None:
            messages.error(request, f"Version {version} is not in the history of “{obj}”.")
            return HttpResponseRedirect(history_url)
        form = RevertForm(
            request.POST if request.POST.get("confirm") else None,
            note_needed=self.revert_needs_note(request, obj),
        )
        if form.is_bound and form.is_valid():
            try:
                done = self.revert(request, obj, version, form.cleaned_data["correction_note"])
            except (CurationError, ValidationError) as error:
                form.add_error(None, f"Nothing was reverted: {refusal_message(error)}")
            else:
                messages.success(request, done)
                return HttpResponseRedirect(history_url)
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": "Revert to this version?",
            "opts": self.opts,
            "object": obj,
            "entry": entry,
            "undone": [e for e in entries if e.version > version],
            "form": form,
            "outcome": self.revert_outcome(request, obj),
            "submit_label": "Yes, revert",
        }
        return TemplateResponse(request, "admin/quotes/revert_confirm.html", context)

    def revert_needs_note(self, request: HttpRequest, obj: models.Model) -> bool:
        """Whether the revert may be a public correction, whose note the page asks for."""
        return self.shows_quotes and services.quotes_showing(obj).exists()

    def revert_outcome(self, request: HttpRequest, obj: models.Model) -> str:
        """What the revert will do, when it is not a plain change."""
        return ""

    def revert(self, request: HttpRequest, obj: models.Model, version: int, note: str) -> str:
        """Revert ``obj`` through the services; the message that says what was done."""
        services.record_revert(obj=obj, event_id=version, user=request.user, correction_note=note)
        return f"“{obj}” was reverted to version {version}."


class RevertForm(forms.Form):
    correction_note = correction_note_field(
        "Readers see it among the quote's corrections: what the revert corrects, and why.",
        label="Correction note",
    )

    def __init__(self, *args, note_needed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not note_needed:
            del self.fields["correction_note"]

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned.setdefault("correction_note", "")
        return cleaned


def correction_note(form) -> str:
    """The correction note a change form was given (none on forms without one)."""
    return (getattr(form, "cleaned_data", None) or {}).get("correction_note") or ""


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


class MergeForm(forms.Form):
    correction_note = correction_note_field(
        "Needed when published quotes then show something else (a speaker's name or role, "
        "the sources of a quote): each of them gets it as a public correction.",
        label="Correction note",
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
    """Merge two selected records after the reviewer picked the one that stays; a merge
    that alters what published quotes show asks for the note of their correction."""
    noun = modeladmin.opts.verbose_name
    selected = list(queryset[:3])
    if len(selected) != 2:
        messages.error(request, f"Select exactly two {noun}s to merge.")
        return None
    form = MergeForm(request.POST if request.POST.get("confirm") else None)
    if form.is_valid():
        survivor = next((o for o in selected if str(o.pk) == request.POST.get("survivor")), None)
        if survivor is None:
            messages.error(request, f"Choose the {noun} that stays.")
            return None
        if merged_into(request, merge, survivor, selected, form):
            return None
    values = [[getter(obj) for _, getter in rows] for obj in selected]
    candidates = list(zip(selected, compared(*values), strict=True))
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
        form=form,
    )


def merged_into(
    request: HttpRequest,
    merge: Callable,
    survivor: models.Model,
    selected: list,
    form: MergeForm,
) -> bool:
    """Merge the other selected record into ``survivor``; False when the form is to be
    shown again (a correction note is needed)."""
    duplicate = next(obj for obj in selected if obj.pk != survivor.pk)
    note = {"correction_note": form.cleaned_data.get("correction_note") or ""}
    try:
        merge(
            survivor=survivor,
            duplicate=duplicate,
            user=request.user,
            **note,
        )
    except ValidationError as error:
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
        return False
    except CurationError as error:
        messages.error(request, error.message)
        return True
    messages.success(
        request, f"“{duplicate.key}” was merged into “{survivor.key}”; its key now leads there."
    )
    return True


def compared(first: list, second: list) -> tuple[list, list]:
    """The two records' values side by side, each as ``(shown, differs)``: where the two
    differ, the words of one that the other does not have are marked."""
    marked_first, marked_second = [], []
    for one, other in zip(first, second, strict=True):
        if str(one) == str(other):
            marked_first.append((one, False))
            marked_second.append((other, False))
            continue
        words_one, words_other = str(one).split(" "), str(other).split(" ")
        matcher = difflib.SequenceMatcher(a=words_one, b=words_other, autojunk=False)
        kept_one, kept_other = set(), set()
        for block in matcher.get_matching_blocks():
            kept_one.update(range(block.a, block.a + block.size))
            kept_other.update(range(block.b, block.b + block.size))
        marked_first.append((_marked(words_one, kept_one), True))
        marked_second.append((_marked(words_other, kept_other), True))
    return marked_first, marked_second


def _marked(words: list[str], kept: set[int]) -> str:
    return format_html_join(
        " ",
        "{}",
        (
            (word if index in kept else format_html("<mark>{}</mark>", word),)
            for index, word in enumerate(words)
        ),
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
