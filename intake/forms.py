"""The admin forms of intake: the report to read, then the review of its proposals."""

from __future__ import annotations

import dataclasses

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django_countries.fields import CountryField

from intake.services import AcceptedStatement, AccountFields, NewSpeaker, SourceFields
from quotes.dates import ReducedDate
from quotes.excerpts import excerpt_occurs
from quotes.models import Occasion, OccasionAccount, Organization, Quote, Source, Speaker
from quotes.validators import validate_language_tag

TEXTAREA = {"rows": 3, "cols": 60}


def clean_reduced_date(value: str) -> str:
    return str(ReducedDate.parse(value)) if value.strip() else ""


class ReportForm(forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 90}),
        help_text="Paste the report's text…",
    )
    file = forms.FileField(required=False, help_text="…or upload it as a .txt or .html file…")
    url = forms.URLField(
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text="…or give its address; the page is fetched and reduced to its article.",
    )
    title = forms.CharField(
        required=False, max_length=500, help_text="Leave empty to take it from the report."
    )
    publisher = forms.CharField(required=False, max_length=300)
    published = forms.CharField(
        required=False,
        max_length=10,
        help_text="YYYY, YYYY-MM or YYYY-MM-DD; dates such as “on "
        "Tuesday” are read relative to it.",
    )
    language = forms.CharField(
        required=False,
        max_length=35,
        validators=[validate_language_tag],
        help_text="Leave empty to detect it.",
    )

    def clean_published(self) -> str:
        return clean_reduced_date(self.cleaned_data["published"])

    def clean(self) -> dict:
        cleaned = super().clean()
        given = [name for name in ("text", "file", "url") if cleaned.get(name)]
        if len(given) != 1:
            raise ValidationError(
                "Give the report in one way: paste its text, upload a file or give a URL."
            )
        return cleaned


SOURCE = {field.name for field in dataclasses.fields(SourceFields)}


class SourceForm(forms.Form):
    """The source that confirming creates, as read from the report and corrected."""

    title = forms.CharField(max_length=500)
    url = forms.URLField(required=False, max_length=1000, assume_scheme="https")
    publisher = forms.CharField(required=False, max_length=300)
    author = forms.CharField(required=False, max_length=300)
    published = forms.CharField(required=False, max_length=10)
    language = forms.CharField(required=False, max_length=35, validators=[validate_language_tag])
    kind = forms.ChoiceField(choices=Source.Kind.choices, initial=Source.Kind.NEWS_ARTICLE)
    full_text = forms.CharField(strip=False, widget=forms.HiddenInput)
    account_of = forms.ModelChoiceField(
        Occasion.objects.all(),
        required=False,
        to_field_name="key",
        widget=forms.TextInput(attrs={"size": 40}),
        label="An account of the occasion",
        help_text="When the report is one party's account of an occasion (a readout, a "
        "transcript): the occasion's key.",
    )
    account_kind = forms.ChoiceField(
        choices=OccasionAccount.Kind.choices, initial=OccasionAccount.Kind.READOUT
    )
    account_organization = forms.ModelChoiceField(
        Organization.objects.all(),
        required=False,
        to_field_name="key",
        widget=forms.TextInput(attrs={"size": 40}),
        label="Whose account: an organization's key…",
    )
    account_country = CountryField(blank=True).formfield(label="…or a country")

    def clean_published(self) -> str:
        return clean_reduced_date(self.cleaned_data["published"])

    def clean(self) -> dict:
        cleaned = super().clean()
        party = cleaned.get("account_organization") or cleaned.get("account_country")
        if cleaned.get("account_of") and not party:
            self.add_error("account_organization", "Say whose account it is.")
        return cleaned

    def source_fields(self) -> SourceFields:
        return SourceFields(
            **{name: value for name, value in self.cleaned_data.items() if name in SOURCE}
        )

    def account(self) -> AccountFields | None:
        data = self.cleaned_data
        if not data.get("account_of"):
            return None
        return AccountFields(
            occasion=data["account_of"],
            kind=data["account_kind"],
            organization=data.get("account_organization"),
            country=data.get("account_country") or "",
        )


class ProposalForm(forms.Form):
    ACCEPT, REJECT = "accept", "reject"

    decision = forms.ChoiceField(
        choices=[(ACCEPT, "Accept"), (REJECT, "Reject")], initial=ACCEPT, widget=forms.RadioSelect
    )
    speaker = forms.ModelChoiceField(
        queryset=Speaker.objects.all(),
        required=False,
        widget=AutocompleteSelect(Quote._meta.get_field("speaker"), admin.site),
        help_text="A speaker on record…",
    )
    new_speaker = forms.CharField(
        required=False, max_length=300, help_text="…or the name of a new speaker."
    )
    new_speaker_role = forms.CharField(
        required=False,
        max_length=300,
        label="New speaker's role",
        help_text="Kept as the new speaker's description; add the affiliation after.",
    )
    text = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA))
    kind = forms.ChoiceField(choices=Quote.Kind.choices)
    language = forms.CharField(max_length=35, validators=[validate_language_tag])
    said = forms.CharField(required=False, max_length=10, help_text="Empty: undated.")
    context = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 1, "cols": 60}))
    excerpt = forms.CharField(strip=False, widget=forms.Textarea(attrs=TEXTAREA))
    occasion = forms.ModelChoiceField(
        Occasion.objects.all(),
        required=False,
        to_field_name="key",
        widget=forms.TextInput(attrs={"size": 40}),
        help_text="The key of an occasion on record (proposed when the speaker took part in one "
        "that day); empty: none.",
    )
    not_a_duplicate = forms.BooleanField(
        required=False, help_text="Tick to save although a similar quote is on record."
    )

    def __init__(self, *args, full_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.full_text = full_text
        self.similar: list = []
        if not self.is_bound or self.data.get(self.add_prefix("decision")) == self.REJECT:
            for field in self.fields.values():
                field.required = field is self.fields["decision"]

    @property
    def accepted(self) -> bool:
        return self.cleaned_data.get("decision") == self.ACCEPT

    def clean_said(self) -> str:
        return clean_reduced_date(self.cleaned_data["said"])

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("decision") != self.ACCEPT:
            return cleaned
        if not cleaned.get("speaker") and not (cleaned.get("new_speaker") or "").strip():
            self.add_error("speaker", "Choose the speaker, or name a new one.")
        excerpt = cleaned.get("excerpt") or ""
        if excerpt and self.full_text and not excerpt_occurs(excerpt, self.full_text):
            self.add_error(
                "excerpt",
                "This excerpt does not occur in the report's text: copy "
                "it exactly as the report has it.",
            )
        return cleaned

    def statement(self) -> AcceptedStatement:
        data = self.cleaned_data
        speaker = data["speaker"] or NewSpeaker(
            data["new_speaker"].strip(), data["new_speaker_role"].strip()
        )
        return AcceptedStatement(
            text=data["text"],
            kind=data["kind"],
            language=data["language"],
            excerpt=data["excerpt"],
            speaker=speaker,
            said=data["said"] or None,
            context=data["context"],
            not_a_duplicate=data["not_a_duplicate"],
            occasion=data.get("occasion"),
        )


class BaseProposalFormSet(forms.BaseFormSet):
    def __init__(self, *args, full_text: str = "", **kwargs):
        self.full_text = full_text
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "full_text": self.full_text}


ProposalFormSet = forms.formset_factory(ProposalForm, formset=BaseProposalFormSet, extra=0)
