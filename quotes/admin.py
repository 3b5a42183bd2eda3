from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Left
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from captures.admin import capture_status, captures_of
from quotes import (
    admin_reports,  # noqa: F401  (registers the editors' queue of error reports)
    admin_revisions,  # noqa: F401  (registers the reviewers' queue)
    rules,
    services,
)
from quotes.admin_curation import (
    AdminRefused,
    CurationAdmin,
    VersionedForm,
    action_page,
    apply_to_each,
    correction_note,
    correction_note_field,
    excerpt_highlighted,
    merge_action,
    old_keys,
    plural,
    refusal_message,
    verification,
)
from quotes.exceptions import CurationError, NotPermitted, TransitionNotAllowed
from quotes.models import (
    Affiliation,
    Citation,
    Occasion,
    OccasionAccount,
    OccasionParticipant,
    Organization,
    Quote,
    QuoteRevision,
    Source,
    Speaker,
    SpeakerName,
    Topic,
    Translation,
)
from quotes.permissions import may
from quotes.roles import resolve_role
from quotes.services.quotes import CORRECTED, CORRECTION_NOTE_NEEDED
from quotes.similarity import similar_quotes, similar_to_quote
from quotes.speaker_search import fuzzy_search_threshold, speakers_matching
from quotes.workflow import allowed_targets, transition_check_permission, transition_for


class YearListFilter(admin.SimpleListFilter):
    """Filter on the year of a reduced-precision date."""

    title = "year said"
    parameter_name = "year"
    field = "said"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        years = (
            model_admin.get_queryset(request)
            .exclude(**{f"{self.field}__isnull": True})
            .annotate(year=Left(self.field, 4))
            .values_list("year", flat=True)
            .distinct()
            .order_by("-year")
        )
        return [(year, year) for year in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(**{f"{self.field}__startswith": self.value()})
        return queryset


class PublishedYearListFilter(YearListFilter):
    title = "year published"
    field = "published"


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "quote_count"]
    ordering = ["name"]  # counting groups rows, which drops the model's default ordering
    search_fields = ["name", "key"]
    prepopulated_fields = {"key": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(quote_count=Count("quotes"))

    @admin.display(ordering="quote_count", description="quotes")
    def quote_count(self, obj: Topic) -> int:
        return obj.quote_count


@admin.register(Organization)
class OrganizationAdmin(CurationAdmin):
    list_display = ["name", "key", "kind", "country", "parent"]
    list_filter = ["kind", "country"]
    list_select_related = ["parent"]
    search_fields = ["name", "key", "aliases", "wikidata"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"key": ["name"]}
    readonly_fields = ["api_link"]
    shows_quotes = True


class SpeakerNameInline(admin.TabularInline):
    model = SpeakerName
    extra = 1


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 1
    autocomplete_fields = ["organization"]
    fields = ["organization", "role", "start", "end"]


@admin.register(Speaker)
class SpeakerAdmin(CurationAdmin):
    list_display = ["name", "key", "country", "wikidata", "quote_count"]
    ordering = ["name"]  # counting groups rows, which drops the model's default ordering
    list_filter = ["country"]
    search_fields = ["name", "key", "names__name", "wikidata"]
    prepopulated_fields = {"key": ["name"]}
    readonly_fields = ["api_link", "merged_keys"]
    inlines = [SpeakerNameInline, AffiliationInline]
    actions = ["merge_speakers"]
    history_parts = "other names and affiliations"
    shows_quotes = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(quote_count=Count("quotes", distinct=True))

    @admin.display(ordering="quote_count", description="quotes")
    def quote_count(self, obj: Speaker) -> int:
        return obj.quote_count

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """The API's fuzzy name search ("Poutine", "Vladimr"), or an exact key or Wikidata
        id; the list and the autocomplete run it in one transaction (see changelist_view
        and OnRecordAdminSite.autocomplete_view)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        exact = queryset.filter(Q(key=term) | Q(wikidata__iexact=term))
        if exact.exists():
            return exact, False
        fuzzy_search_threshold()
        return speakers_matching(queryset, term), False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        with transaction.atomic():
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response.render()  # the results are read here, in the search's transaction
            return response

    # Saving: the speaker with its names and affiliations, in one call of the service, which
    # resolves the quotes' roles again and corrects the published quotes whose name or
    # role changes (with the form's correction note).

    def save_model(self, request: HttpRequest, obj: Speaker, form, change: bool) -> None:
        pass  # written in save_related, once the inlines are parsed

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        # Written by save_related; the admin's change message reads these.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        parts = {}
        for formset in formsets:
            if not formset.has_changed():
                continue
            if formset.model is SpeakerName:
                parts["names"] = formset_items(formset, ("name", "language"))
            elif formset.model is Affiliation:
                parts["affiliations"] = [
                    {
                        "id": item["id"].pk if item["id"] else None,
                        "organization": item["organization"],
                        "title": item["role"],
                        "start": item["start"],
                        "end": item["end"],
                    }
                    for item in formset_items(
                        formset, ("id", "organization", "role", "start", "end")
                    )
                ]
        try:
            services.speaker_write(
                speaker=form.instance,
                user=request.user,
                correction_note=correction_note(form),
                **parts,
            )
        except (CurationError, ValidationError) as error:
            raise AdminRefused(error) from error

    @admin.display(description="merged keys")
    def merged_keys(self, obj: Speaker) -> str:
        return old_keys(obj)

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "merge", "speaker")

    @admin.action(description="Merge the two selected speakers…", permissions=["merge"])
    def merge_speakers(self, request: HttpRequest, queryset: QuerySet):
        return merge_action(
            self,
            request,
            queryset.annotate(quote_total=Count("quotes", distinct=True)),
            merge=services.speaker_merge,
            rows=[
                ("key", lambda s: s.key),
                ("name", lambda s: s.name),
                ("other names", lambda s: ", ".join(n.name for n in s.names.all())),
                ("country", lambda s: s.country.name if s.country else "—"),
                ("Wikidata", lambda s: s.wikidata or "—"),
                ("affiliations", lambda s: "\n".join(str(a) for a in s.affiliations.all())),
                ("quotes", lambda s: s.quote_total),
            ],
            merged_parts="its quotes and affiliations move to the one that stays, and its "
            "names become other names of it",
        )


@admin.register(Affiliation)
class AffiliationAdmin(CurationAdmin):
    list_display = ["speaker", "role", "organization", "start", "end"]
    list_filter = ["organization__kind", "organization__country"]
    list_select_related = ["speaker", "organization"]
    search_fields = ["speaker__name", "role", "organization__name"]
    autocomplete_fields = ["speaker", "organization"]
    shows_quotes = True

    def save_model(self, request: HttpRequest, obj: Affiliation, form, change: bool) -> None:
        previous = form.initial.get("speaker") if change else None
        try:
            services.affiliation_save(
                affiliation=obj,
                previous_speaker_id=previous,
                user=request.user,
                correction_note=correction_note(form),
            )
        except (CurationError, ValidationError) as error:
            raise AdminRefused(error) from error

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        try:  # Django's delete view runs in a transaction: a refusal leaves nothing deleted
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            messages.error(
                request,
                f"Nothing was deleted: {refusal_message(error)} Remove the affiliation on the "
                "speaker's page, with the correction note.",
            )
            return HttpResponseRedirect(
                reverse("admin:quotes_affiliation_change", args=[object_id])
            )

    def delete_model(self, request: HttpRequest, obj: Affiliation) -> None:
        services.affiliation_delete(affiliation=obj, user=request.user)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        # Removing affiliations may change published quotes' roles: one at a time, with a note.
        actions.pop("delete_selected", None)
        return actions


@admin.register(SpeakerName)
class SpeakerNameAdmin(CurationAdmin):
    list_display = ["name", "language", "speaker"]
    list_filter = ["language"]
    list_select_related = ["speaker"]
    search_fields = ["name", "speaker__name"]
    autocomplete_fields = ["speaker"]


@admin.register(Source)
class SourceAdmin(CurationAdmin):
    list_display = ["title", "key", "kind", "publisher", "published", "language", "quote_count"]
    ordering = ["-published", "title"]  # counting groups rows, dropping the default ordering
    list_filter = ["kind", "language", PublishedYearListFilter]
    search_fields = ["title", "key", "publisher", "url", "author"]
    prepopulated_fields = {"key": ["title"]}
    readonly_fields = ["api_link", "excerpts_in_text", "captures"]
    shows_quotes = True

    @admin.display(description="captures of the page")
    def captures(self, obj: Source) -> str:
        return captures_of(obj)

    @admin.display(description="cited excerpts in the text")
    def excerpts_in_text(self, obj: Source) -> str:
        citations = obj.citations.select_related("quote", "source") if obj.pk else []
        rows = [
            format_html(
                "<p><strong>{}</strong> ({})</p>{}",
                citation.quote.key,
                verification(citation),
                excerpt_highlighted(citation, context=120),
            )
            for citation in citations
        ]
        return format_html("".join(["{}"] * len(rows)), *rows) if rows else "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(quote_count=Count("citations__quote"))

    @admin.display(ordering="quote_count", description="quotes")
    def quote_count(self, obj: Source) -> int:
        return obj.quote_count


class OccasionParticipantInline(admin.TabularInline):
    model = OccasionParticipant
    extra = 1
    autocomplete_fields = ["speaker", "organization"]
    fields = ["speaker", "organization", "country"]


class OccasionAccountInline(admin.TabularInline):
    model = OccasionAccount
    extra = 0  # "Add another": an empty row's default kind would read as a change
    autocomplete_fields = ["source", "organization"]
    fields = ["source", "kind", "organization", "country"]
    verbose_name = "account (a party's readout, transcript, statement or report)"


@admin.register(Occasion)
class OccasionAdmin(CurationAdmin):
    list_display = ["name", "key", "kind", "start", "place", "country", "quote_count"]
    ordering = ["-start", "name"]  # counting groups rows, dropping the default ordering
    list_filter = ["kind", "country"]
    search_fields = ["name", "key", "place"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"key": ["name"]}
    readonly_fields = ["api_link", "merged_keys"]
    inlines = [OccasionParticipantInline, OccasionAccountInline]
    actions = ["merge_occasions"]
    history_parts = "participants and accounts"
    shows_quotes = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(quote_count=Count("quotes", distinct=True))

    @admin.display(ordering="quote_count", description="quotes")
    def quote_count(self, obj: Occasion) -> int:
        return obj.quote_count

    @admin.display(description="merged keys")
    def merged_keys(self, obj: Occasion) -> str:
        return old_keys(obj)

    def delete_model(self, request: HttpRequest, obj: Occasion) -> None:
        services.occasion_delete(occasion=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for occasion in queryset:
            services.occasion_delete(occasion=occasion, user=request.user)

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "merge", "occasion")

    @admin.action(description="Merge the two selected occasions…", permissions=["merge"])
    def merge_occasions(self, request: HttpRequest, queryset: QuerySet):
        return merge_action(
            self,
            request,
            queryset.annotate(quote_total=Count("quotes", distinct=True)),
            merge=services.occasion_merge,
            rows=[
                ("key", lambda o: o.key),
                ("name", lambda o: o.name),
                ("kind", lambda o: o.get_kind_display()),
                ("start", lambda o: o.start or "—"),
                ("place", lambda o: o.place or "—"),
                ("participants", lambda o: "\n".join(str(p) for p in o.participants.all())),
                ("statements", lambda o: o.quote_total),
            ],
            merged_parts="its statements, participants and the occasions inside it move to the "
            "one that stays",
        )

    # Saving: the occasion with its participants and accounts, in one call of the service.

    def save_model(self, request: HttpRequest, obj: Occasion, form, change: bool) -> None:
        pass  # written in save_related, once the inline is parsed

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        # Written by save_related; the admin's change message reads these.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        parts = {}
        for formset in formsets:
            if formset.model is OccasionParticipant and formset.has_changed():
                fields = ("speaker", "organization", "country")
                parts["participants"] = formset_items(formset, fields)
            elif formset.model is OccasionAccount and formset.has_changed():
                fields = ("source", "kind", "organization", "country")
                parts["accounts"] = formset_items(formset, fields)
        try:
            services.occasion_write(
                occasion=form.instance,
                user=request.user,
                correction_note=correction_note(form),
                **parts,
            )
        except (CurationError, ValidationError) as error:
            raise AdminRefused(error) from error


class TranslationInline(admin.StackedInline):
    model = Translation
    extra = 1
    fields = ["language", "text", "official"]


class CitationInlineForm(forms.ModelForm):
    mark_verified = forms.BooleanField(
        required=False,
        label="verified",
        help_text="A reviewer checked the excerpt against the source.",
    )

    class Meta:
        model = Citation
        fields = ["source", "excerpt"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mark_verified"].initial = self.instance.verified_at is not None

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("mark_verified") and not (cleaned.get("excerpt") or "").strip():
            self.add_error("mark_verified", "Only a citation with an excerpt can be verified.")
        return cleaned


def formset_items(formset, fields: tuple[str, ...]) -> list[dict]:
    """The items an inline formset holds once saved: its filled forms not marked deleted."""
    return [
        {name: form.cleaned_data.get(name) for name in fields}
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and not formset._should_delete_form(form)
    ]


class CitationFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        # The form's status is on the instance already: published, or to be published.
        if self.instance.status == Quote.Status.PUBLISHED:
            excerpts = [item["excerpt"] or "" for item in formset_items(self, ("excerpt",))]
            stored = Quote.objects.filter(pk=self.instance.pk).values_list("status", flat=True)
            try:
                rules.check_cited(excerpts, publishing=Quote.Status.PUBLISHED not in stored)
            except CurationError as error:
                raise ValidationError(error.message) from None


class CitationInline(admin.StackedInline):
    model = Citation
    form = CitationInlineForm
    formset = CitationFormSet
    extra = 1
    autocomplete_fields = ["source"]
    fields = [
        "source",
        "excerpt",
        "excerpt_in_source",
        "mark_verified",
        "verification_status",
        "capture_status",
    ]
    readonly_fields = ["excerpt_in_source", "verification_status", "capture_status"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        related = ("source", "verified_by", "capture_check")
        return super().get_queryset(request).select_related(*related)

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["mark_verified"].disabled = not may(request.user, "verify")
        return formset

    @admin.display(description="excerpt in the source")
    def excerpt_in_source(self, obj: Citation) -> str:
        return excerpt_highlighted(obj if obj and obj.pk else None)

    @admin.display(description="verification")
    def verification_status(self, obj: Citation) -> str:
        return verification(obj)

    @admin.display(description="in the capture of the page")
    def capture_status(self, obj: Citation) -> str:
        return capture_status(obj) if obj and obj.pk else "—"


class QuoteAdminForm(VersionedForm):
    not_a_duplicate = forms.BooleanField(
        required=False,
        label="Not a duplicate",
        help_text="Tick to save although similar quotes are on record.",
    )
    correction_note = correction_note_field(
        "Reviewers: what a change of this published quote's text, language, kind, date, "
        "speaker, role, translations or citations corrects, for readers. An editor's change "
        "of a published quote goes to a reviewer as a revision."
    )

    class Meta:
        model = Quote
        fields = [
            "key",
            "speaker",
            "text",
            "language",
            "kind",
            "said",
            "occasion",
            "context",
            "role",
            "topics",
            "status",
            "retraction_reason",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.similar: list = []
        self.role_dropped = False
        self._limit_roles()
        if "status" in self.fields:  # absent from a read-only form (view permission only)
            self._explain_moves()

    def _explain_moves(self) -> None:
        current = self.instance.status if self.instance.pk else Quote.Status.DRAFT
        user = self.request.user if self.request else None
        targets = allowed_targets(current, user)
        # The menu offers only the moves the workflow allows this user (an editor is not
        # offered publishing); a status posted anyway is refused by clean_status, saying why.
        offered = {current, *targets}
        self.fields["status"].widget.choices = [
            (value, label) for value, label in Quote.Status.choices if value in offered
        ]
        moves = [Quote.Status(target).label.lower() for target in targets]
        self.fields["status"].help_text = (
            f"From {Quote.Status(current).label.lower()} you may move it to: {', '.join(moves)}."
            if moves
            else "You may not change the status from here."
        )

    def _limit_roles(self) -> None:
        """Offer only the affiliations of the speaker chosen (the one posted, else the
        quote's own)."""
        if "role" not in self.fields:
            return
        speaker_id = self.data.get("speaker") if self.is_bound else None
        speaker_id = speaker_id or self.instance.speaker_id
        field = self.fields["role"]
        # A bound form also takes the quote's current role, for clean_role to say why it no
        # longer fits (or to drop it, when no editor chose it).
        offered = Q(speaker_id=speaker_id or None)
        if self.is_bound and self.instance.role_id:
            offered |= Q(pk=self.instance.role_id)
        field.queryset = Affiliation.objects.filter(offered).select_related(
            "organization", "speaker"
        )
        field.error_messages["invalid_choice"] = (
            "That role is not one of this speaker's affiliations: choose one of theirs, or "
            "leave it empty to resolve it from the date."
        )

    def clean_role(self) -> Affiliation | None:
        """The quote's role kept for a new speaker: dropped (to be resolved again) when no
        editor chose it; refused when one did, since it is another speaker's."""
        role = self.cleaned_data.get("role")
        speaker_id = self.data.get("speaker")
        self.role_dropped = False
        if role is None or not speaker_id or str(role.speaker_id) == str(speaker_id):
            return role
        explicit = self.instance.role_resolution == Quote.RoleResolution.EXPLICIT
        if role.pk == self.instance.role_id and not explicit:
            self.role_dropped = True
            return None
        raise ValidationError(
            f"“{role.role}” is an affiliation of {role.speaker}, not of the speaker chosen: "
            "choose one of theirs, or leave it empty to resolve it from the date."
        )

    def clean_status(self) -> str:
        target = self.cleaned_data["status"]
        if not self.instance.pk:
            if target not in (Quote.Status.DRAFT, Quote.Status.REVIEW):
                raise ValidationError(
                    "A new quote starts as a draft or goes to review; a reviewer publishes it "
                    "after that."
                )
            return target
        if target != self.instance.status:
            try:
                transition = transition_for(self.instance.status, target)
                transition_check_permission(transition, self.request.user)
            except (TransitionNotAllowed, NotPermitted) as error:
                raise ValidationError(error.message) from None
        return target

    def clean(self) -> dict:
        cleaned = super().clean()
        speaker = cleaned.get("speaker")
        if not cleaned.get("key") and speaker is not None:
            # Generated here, before model validation checks that a key exists.
            draft = Quote(pk=self.instance.pk, speaker=speaker, said=cleaned.get("said"))
            cleaned["key"] = self.instance.key = services.quote_key_generate(quote=draft)
        if (
            cleaned.get("status") == Quote.Status.RETRACTED
            and not (cleaned.get("retraction_reason") or "").strip()
        ):
            self.add_error("retraction_reason", "Give the reason readers will see.")
        if not self.instance.pk and speaker is not None and cleaned.get("text"):
            self._check_duplicates(cleaned)
        self._check_correction_note(cleaned)
        return cleaned

    def _check_correction_note(self, cleaned: dict) -> None:
        corrected = sorted(CORRECTED & set(self.changed_data))
        published = self.instance.pk and self.initial.get("status") == Quote.Status.PUBLISHED
        noted = (cleaned.get("correction_note") or "").strip()
        if published and corrected and not noted and may(self.request.user, "correct"):
            self.add_error(
                "correction_note", CORRECTION_NOTE_NEEDED.format(fields=", ".join(corrected))
            )

    def _check_duplicates(self, cleaned: dict) -> None:
        self.similar = similar_quotes(
            texts=[cleaned["text"]], speaker_id=cleaned["speaker"].pk, said=cleaned.get("said")
        )
        if self.similar and not cleaned.get("not_a_duplicate"):
            raise ValidationError(
                f"{plural(len(self.similar), 'similar quote')} on record (listed above), by "
                "this speaker or attributed to another. Open them to check; if this is a "
                "different statement, tick “Not a duplicate” and save again.",
                code="possible_duplicate",
            )


class RetractForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the retraction",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Readers see it, e.g. “misattributed: said by the deputy minister”.",
    )


@admin.register(Quote)
class QuoteAdmin(CurationAdmin):
    form = QuoteAdminForm
    list_display = ["short_text", "speaker", "said", "language", "kind", "role_title", "status"]
    list_filter = [
        "status",
        "language",
        "kind",
        ("role__organization__country", admin.AllValuesFieldListFilter),
        "topics",
        YearListFilter,
    ]
    list_select_related = ["speaker", "role__organization"]
    search_fields = ["key", "text", "context", "speaker__name", "translations__text"]
    autocomplete_fields = ["speaker", "topics", "role", "occasion"]
    date_hierarchy = "said_start"
    inlines = [TranslationInline, CitationInline]
    actions = ["submit_for_review", "send_back_to_draft", "publish", "retract", "merge_quotes"]
    history_parts = "translations, citations and topics"

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        fields = ["role_status", "created", "updated", "created_by", "updated_by"]
        return (
            [*fields, "api_link", "similar_quotes", "merged_keys", "public_corrections"]
            if obj
            else fields
        )

    def get_fieldsets(self, request: HttpRequest, obj=None) -> list:
        main = [
            *("key", "speaker", "text", "language", "kind", "said", "occasion", "context"),
            "version",
        ]
        curation = ["topics", "status", "retraction_reason"]
        if obj and obj.status == Quote.Status.PUBLISHED:
            curation = [*curation, "correction_note", "public_corrections"]
        fieldsets = [
            (None, {"fields": main if obj else [*main, "not_a_duplicate"]}),
            ("Role when speaking", {"fields": ["role", "role_status"]}),
            ("Curation", {"fields": curation}),
        ]
        if obj:
            fieldsets += [
                ("Possible duplicates", {"fields": ["similar_quotes"]}),
                (
                    "Record",
                    {
                        "fields": [
                            "api_link",
                            "merged_keys",
                            "created",
                            "created_by",
                            "updated",
                            "updated_by",
                        ],
                        "classes": ["collapse"],
                    },
                ),
            ]
        return fieldsets

    @admin.display(description="text")
    def short_text(self, obj: Quote) -> str:
        return Truncator(obj.text).chars(80)

    @admin.display(description="role", ordering="role__role")
    def role_title(self, obj: Quote) -> str:
        if obj.role is None:
            return "ambiguous: choose" if obj.role_resolution == "ambiguous" else "—"
        return f"{obj.role.role}, {obj.role.organization.name}"

    @admin.display(description="role resolution")
    def role_status(self, obj: Quote) -> str:
        if obj.pk is None:
            return "Resolved from the speaker's affiliations when saved, unless you choose one."
        if obj.role_resolution == Quote.RoleResolution.EXPLICIT:
            return obj.get_role_resolution_display()
        outcome = resolve_role(obj.said, obj.speaker.affiliations.select_related("organization"))
        if not outcome.candidates:
            return outcome.explanation
        return format_html(
            "{}<br>Candidates: {}",
            outcome.explanation,
            "; ".join(str(candidate) for candidate in outcome.candidates),
        )

    @admin.display(description="public corrections")
    def public_corrections(self, obj: Quote) -> str:
        if not obj.corrections:
            return "None."
        return format_html_join(
            "", "<p>{}: {}</p>", ((item["date"], item["note"]) for item in obj.corrections)
        )

    @admin.display(description="similar quotes")
    def similar_quotes(self, obj: Quote) -> str:
        similar = similar_to_quote(obj)
        if not similar:
            return "None found."
        return render_to_string("admin/quotes/includes/similar_quotes.html", {"similar": similar})

    @admin.display(description="merged keys")
    def merged_keys(self, obj: Quote) -> str:
        return old_keys(obj)

    # Saving: the form and inlines are parsed here and written by the services, which
    # decide (a revision of a published quote, a correction, the role, the last citation).

    def save_model(self, request: HttpRequest, obj: Quote, form, change: bool) -> None:
        pass  # everything is written in save_related, once the inlines are parsed

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        # Written by save_related; the admin's change message reads these.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        parts = self._parts(formsets)
        try:
            if change:
                quote = self._update(request, form, parts)
            else:
                quote = self._create(request, form, parts)
                form.instance = request.created_quote = quote
            if quote is not None:
                self._verify(request, quote, formsets)
                self._move(request, form, quote)
        except (CurationError, ValidationError) as error:
            raise AdminRefused(error) from error

    @staticmethod
    def _parts(formsets) -> dict:
        """Translations and citations as the inlines will leave them, when changed."""
        parts = {}
        for formset in formsets:
            if not formset.has_changed():
                continue
            if formset.model is Translation:
                parts["translations"] = formset_items(formset, ("language", "text", "official"))
            elif formset.model is Citation:
                parts["citations"] = formset_items(formset, ("source", "excerpt"))
        return parts

    def _create(self, request: HttpRequest, form, parts: dict) -> Quote:
        cleaned = form.cleaned_data
        return services.quote_create(
            user=request.user,
            fields={name: cleaned.get(name) for name in services.FIELDS},
            role=cleaned.get("role"),
            parts={**parts, "topics": cleaned.get("topics")},
            # The service decides (texts and translations); the form's check of the text
            # before saving only lists the similar quotes for the editor to open.
            allow_similar=bool(cleaned.get("not_a_duplicate")),
        )

    def _update(self, request: HttpRequest, form, parts: dict) -> Quote | None:
        changed = set(form.changed_data)
        changes = {name: form.cleaned_data[name] for name in services.FIELDS if name in changed}
        for name in ("role", "topics"):
            if name in changed and not (name == "role" and form.role_dropped):
                changes[name] = form.cleaned_data[name]
        outcome = services.quote_update(
            quote=form.instance,
            user=request.user,
            changes={**changes, **parts},
            correction_note=form.cleaned_data.get("correction_note") or "",
        )
        if outcome.revision is not None:
            request.quote_revision = outcome.revision
            return None
        return outcome.quote

    @staticmethod
    def _verify(request: HttpRequest, quote: Quote, formsets) -> None:
        """Reviewers' ticks of "verified" on the citations, once these are saved."""
        for formset in formsets:
            if formset.model is not Citation:
                continue
            for citation_form in formset.forms:
                data = getattr(citation_form, "cleaned_data", None)
                if not data or "mark_verified" not in citation_form.changed_data:
                    continue
                if formset._should_delete_form(citation_form):
                    continue
                citation = quote.citations.filter(source=data["source"]).first()
                if citation is not None:
                    step = (
                        services.citation_verify
                        if data["mark_verified"]
                        else services.citation_unverify
                    )
                    step(citation=citation, user=request.user)

    @staticmethod
    def _move(request: HttpRequest, form, quote: Quote) -> None:
        """The status move the form asked for, after the citations publishing needs."""
        target = form.cleaned_data["status"]
        if target == quote.status:
            return
        services.quote_transition(
            quote=quote,
            status=target,
            user=request.user,
            reason=form.cleaned_data.get("retraction_reason") or "",
        )

    def response_add(self, request: HttpRequest, obj: Quote, post_url_continue=None):
        # The service created the quote as a new object: the admin's ``obj`` has no id.
        return super().response_add(
            request, getattr(request, "created_quote", obj), post_url_continue
        )

    def log_addition(self, request: HttpRequest, obj: Quote, message):
        return super().log_addition(request, getattr(request, "created_quote", obj), message)

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        if request.method == "GET":
            self._point_to_pending_revisions(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _point_to_pending_revisions(request: HttpRequest, object_id: str) -> None:
        """The form shows the published values: say which revisions wait for a reviewer."""
        pending = QuoteRevision.objects.filter(
            quote_id=unquote(object_id), status=QuoteRevision.Status.PENDING
        ).order_by("pk")
        if not pending:
            return
        links = format_html_join(
            ", ",
            '<a href="{}">revision {}</a>',
            ((reverse("admin:quotes_quoterevision_change", args=[r.pk]), r.pk) for r in pending),
        )
        messages.warning(
            request,
            format_html(
                "Changes of this published quote wait for a reviewer: {}. The form shows the "
                "published version.",
                links,
            ),
        )

    def response_change(self, request: HttpRequest, obj: Quote):
        revision = getattr(request, "quote_revision", None)
        if revision is None:
            return super().response_change(request, obj)
        messages.info(
            request,
            f"“{obj.key}” is published: your changes were kept as revision {revision.pk} for a "
            "reviewer to accept. Readers see the published version until then.",
        )
        return HttpResponseRedirect(request.path)

    # Reverting: a change like any other (services.quote_revert).

    def revert_needs_note(self, request: HttpRequest, obj: Quote) -> bool:
        return obj.status == Quote.Status.PUBLISHED and may(request.user, "correct")

    def revert_outcome(self, request: HttpRequest, obj: Quote) -> str:
        if obj.status != Quote.Status.PUBLISHED:
            return ""
        if may(request.user, "correct"):
            return (
                "This quote is published: the revert is a public correction. Readers see "
                "your note among its corrections, and the corrections made since stay."
            )
        return (
            "This quote is published: your revert becomes a revision for a reviewer to "
            "accept. Readers see the published version until then."
        )

    def revert(self, request: HttpRequest, obj: Quote, version: int, note: str) -> str:
        outcome = services.quote_revert(
            quote=obj, event_id=version, user=request.user, correction_note=note
        )
        if outcome.revision is not None:
            return (
                f"Your revert of “{obj.key}” was kept as revision {outcome.revision.pk} for a "
                "reviewer to accept."
            )
        return f"“{obj.key}” was reverted to version {version}."

    # Deleting: drafts and quotes under review only (services.quote_delete).

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and obj.status in services.PROTECTED_STATUSES:
            try:
                services.quote_delete(quote=obj, user=request.user)
            except CurationError as error:
                messages.error(request, error.message)
                return HttpResponseRedirect(reverse("admin:quotes_quote_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request: HttpRequest, obj: Quote) -> None:
        services.quote_delete(quote=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for quote in queryset:
            services.quote_delete(quote=quote, user=request.user)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                type(self).delete_drafts,
                "delete_selected",
                "Delete the selected drafts and quotes under review…",
            )
        return actions

    def delete_drafts(self, request: HttpRequest, queryset: QuerySet):
        """Django's delete action, for the quotes that may be deleted; the others are named
        with the reason."""
        protected = queryset.filter(status__in=services.PROTECTED_STATUSES)
        for quote in protected:
            try:
                services.quote_delete(quote=quote, user=request.user)
            except CurationError as error:
                messages.error(request, f"“{quote.key}” was left as it was: {error.message}")
        deletable = queryset.exclude(status__in=services.PROTECTED_STATUSES)
        if not deletable.exists():
            return None
        return delete_selected(self, request, deletable)

    # Bulk steps: each quote goes through the workflow on its own; refusals are listed.

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "publish")

    def has_retract_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "retract")

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "merge", "quote")

    @admin.action(description="Submit the selected quotes for review", permissions=["change"])
    def submit_for_review(self, request: HttpRequest, queryset: QuerySet) -> None:
        apply_to_each(request, queryset, services.quote_submit, "submitted for review")

    @admin.action(description="Send the selected quotes back to draft", permissions=["change"])
    def send_back_to_draft(self, request: HttpRequest, queryset: QuerySet) -> None:
        apply_to_each(request, queryset, services.quote_send_back, "sent back to draft")

    @admin.action(description="Publish the selected quotes", permissions=["publish"])
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        apply_to_each(request, queryset, services.quote_publish, "published")

    @admin.action(description="Retract the selected quotes…", permissions=["retract"])
    def retract(self, request: HttpRequest, queryset: QuerySet):
        form = RetractForm(request.POST if request.POST.get("confirm") else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            apply_to_each(request, queryset, services.quote_retract, "retracted", reason=reason)
            return None
        return action_page(
            self,
            request,
            queryset.select_related("speaker"),
            template="admin/quotes/retract.html",
            title="Retract quotes",
            submit_label="Retract",
            form=form,
        )

    @admin.action(description="Merge the two selected quotes…", permissions=["merge"])
    def merge_quotes(self, request: HttpRequest, queryset: QuerySet):
        return merge_action(
            self,
            request,
            queryset.select_related("speaker").annotate(
                citation_total=Count("citations", distinct=True),
                translation_total=Count("translations", distinct=True),
            ),
            merge=services.quote_merge,
            rows=[
                ("key", lambda q: q.key),
                ("speaker", lambda q: q.speaker.name),
                ("said", lambda q: q.said or "undated"),
                ("status", lambda q: q.get_status_display()),
                ("text", lambda q: q.text),
                ("citations", lambda q: q.citation_total),
                ("translations", lambda q: q.translation_total),
            ],
            merged_parts="its citations, translations and topics are added to the one that stays",
        )


class QuotePartAdmin(CurationAdmin):
    """A list of a quote's parts (translations, citations) across quotes, to find and
    verify them. They are written on their quote's page only, whose inlines go through
    ``services.quote_update``: there a change of a published quote becomes a revision or
    a correction, and its last cited excerpt stays (``rules.check_cited``)."""

    form = forms.ModelForm  # nothing is saved here, so no version to check
    readonly_fields = ["quote_page"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return may(request.user, "view", self.opts.model_name)

    @admin.display(description="edit")
    def quote_page(self, obj) -> str:
        url = reverse("admin:quotes_quote_change", args=[obj.quote_id])
        return format_html('<a href="{}">Edit on the quote’s page ({})</a>', url, obj.quote.key)


@admin.register(Translation)
class TranslationAdmin(QuotePartAdmin):
    list_display = ["quote", "language", "official", "quote_page"]
    list_filter = ["language", "official"]
    list_select_related = ["quote__speaker"]
    search_fields = ["text", "quote__key"]
    fields = ["quote", "language", "text", "official", "quote_page"]


class VerifiedListFilter(admin.SimpleListFilter):
    title = "verified"
    parameter_name = "verified"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", "verified"), ("no", "not verified")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(verified_at__isnull=self.value() == "no")
        return queryset


@admin.register(Citation)
class CitationAdmin(QuotePartAdmin):
    list_display = ["quote", "source", "is_verified", "verified_by", "verified_at", "quote_page"]
    list_filter = [VerifiedListFilter, "source__kind"]
    list_select_related = ["quote__speaker", "source", "verified_by"]
    search_fields = ["excerpt", "quote__key", "source__title"]
    fields = [
        "quote",
        "source",
        "excerpt",
        "excerpt_in_source",
        "verification_status",
        "quote_page",
    ]
    readonly_fields = ["excerpt_in_source", "verification_status", "quote_page"]
    actions = ["verify"]

    @admin.display(description="verified", boolean=True)
    def is_verified(self, obj: Citation) -> bool:
        return obj.verified_at is not None

    @admin.display(description="excerpt in the source")
    def excerpt_in_source(self, obj: Citation) -> str:
        return excerpt_highlighted(obj if obj and obj.pk else None)

    @admin.display(description="verification")
    def verification_status(self, obj: Citation) -> str:
        return verification(obj)

    def has_verify_permission(self, request: HttpRequest) -> bool:
        return may(request.user, "verify")

    @admin.action(description="Mark the selected citations verified", permissions=["verify"])
    def verify(self, request: HttpRequest, queryset: QuerySet) -> None:
        apply_to_each(request, queryset, services.citation_verify, "verified")
