from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.db.models.functions import Left
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import Truncator

from quotes import services
from quotes.models import (
    Affiliation,
    Citation,
    Organization,
    Quote,
    Source,
    Speaker,
    SpeakerName,
    Topic,
    Translation,
)
from quotes.roles import resolve_role


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
    search_fields = ["name", "key"]
    prepopulated_fields = {"key": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(quote_count=Count("quotes"))

    @admin.display(ordering="quote_count", description="quotes")
    def quote_count(self, obj: Topic) -> int:
        return obj.quote_count


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "kind", "country", "parent"]
    list_filter = ["kind", "country"]
    list_select_related = ["parent"]
    search_fields = ["name", "key", "aliases", "wikidata"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"key": ["name"]}


class SpeakerNameInline(admin.TabularInline):
    model = SpeakerName
    extra = 1


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 1
    autocomplete_fields = ["organization"]
    fields = ["organization", "role", "start", "end"]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "country", "wikidata", "quote_count"]
    list_filter = ["country"]
    search_fields = ["name", "key", "names__name", "wikidata"]
    prepopulated_fields = {"key": ["name"]}
    inlines = [SpeakerNameInline, AffiliationInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(quote_count=Count("quotes", distinct=True))

    @admin.display(ordering="quote_count", description="quotes")
    def quote_count(self, obj: Speaker) -> int:
        return obj.quote_count

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Affiliations edited inline change which role each quote was said in.
        services.speaker_quotes_reresolve(speaker=form.instance)


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["speaker", "role", "organization", "start", "end"]
    list_filter = ["organization__kind", "organization__country"]
    list_select_related = ["speaker", "organization"]
    search_fields = ["speaker__name", "role", "organization__name"]
    autocomplete_fields = ["speaker", "organization"]

    def save_model(self, request: HttpRequest, obj: Affiliation, form, change: bool) -> None:
        previous = form.initial.get("speaker") if change else None
        services.affiliation_save(affiliation=obj, previous_speaker_id=previous)

    def delete_model(self, request: HttpRequest, obj: Affiliation) -> None:
        services.affiliation_delete(affiliation=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for affiliation in queryset:
            services.affiliation_delete(affiliation=affiliation)


@admin.register(SpeakerName)
class SpeakerNameAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "speaker"]
    list_filter = ["language"]
    list_select_related = ["speaker"]
    search_fields = ["name", "speaker__name"]
    autocomplete_fields = ["speaker"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "kind", "publisher", "published", "language", "quote_count"]
    list_filter = ["kind", "language", PublishedYearListFilter]
    search_fields = ["title", "key", "publisher", "url", "author"]
    prepopulated_fields = {"key": ["title"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(quote_count=Count("citations__quote"))

    @admin.display(ordering="quote_count", description="quotes")
    def quote_count(self, obj: Source) -> int:
        return obj.quote_count


class TranslationInline(admin.StackedInline):
    model = Translation
    extra = 1
    fields = ["language", "text", "official"]


class CitationInline(admin.StackedInline):
    model = Citation
    extra = 1
    autocomplete_fields = ["source"]
    fields = ["source", "excerpt"]


class QuoteAdminForm(forms.ModelForm):
    class Meta:
        model = Quote
        fields = [
            "key",
            "speaker",
            "text",
            "language",
            "kind",
            "said",
            "context",
            "role",
            "topics",
            "status",
            "retraction_reason",
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        speaker = cleaned.get("speaker")
        if not cleaned.get("key") and speaker is not None:
            # Generated here, before model validation checks that a key exists.
            draft = Quote(pk=self.instance.pk, speaker=speaker, said=cleaned.get("said"))
            cleaned["key"] = self.instance.key = services.quote_key_generate(quote=draft)
        return cleaned


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
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
    autocomplete_fields = ["speaker", "topics", "role"]
    readonly_fields = ["role_status", "created", "updated", "created_by", "updated_by"]
    date_hierarchy = "said_start"
    inlines = [TranslationInline, CitationInline]
    fieldsets = [
        (None, {"fields": ["key", "speaker", "text", "language", "kind", "said", "context"]}),
        ("Role when speaking", {"fields": ["role", "role_status"]}),
        ("Curation", {"fields": ["topics", "status", "retraction_reason"]}),
        (
            "Record",
            {"fields": ["created", "created_by", "updated", "updated_by"], "classes": ["collapse"]},
        ),
    ]

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

    def save_model(self, request: HttpRequest, obj: Quote, form, change: bool) -> None:
        services.quote_save(quote=obj, chosen_role=form.cleaned_data.get("role"), user=request.user)


@admin.register(Translation)
class TranslationAdmin(admin.ModelAdmin):
    list_display = ["quote", "language", "official"]
    list_filter = ["language", "official"]
    list_select_related = ["quote__speaker"]
    search_fields = ["text", "quote__key"]
    autocomplete_fields = ["quote"]


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    list_display = ["quote", "source", "verified_at"]
    list_filter = ["source__kind"]
    list_select_related = ["quote__speaker", "source"]
    search_fields = ["excerpt", "quote__key", "source__title"]
    autocomplete_fields = ["quote", "source"]
