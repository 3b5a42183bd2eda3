"""“Report an error” on a statement's page: a form for anyone, without an account, that
files the report into the editors' queue (``services.error_report_file``). Limited per
client (``ONRECORD_RATE_ERROR_REPORTS``), and a field hidden from people catches bots."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from api.throttling import Quota, client_address, count_request, parse_rate
from quotes import limits, services
from quotes.models import Quote

HONEYPOT = "website"


class ErrorReportForm(forms.Form):
    text = forms.CharField(
        label="What is wrong?",
        max_length=limits.ERROR_REPORT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The words, date, speaker, role or source at fault, and how you know "
        "(a link to your source helps).",
    )
    reply_to = forms.EmailField(
        label="Your e-mail address (optional)",
        required=False,
        help_text="Only if you would like an answer; it is used for nothing else.",
    )
    # People never see this field (hidden by the style sheet and from assistive
    # technology); form-filling bots fill it in.
    website = forms.CharField(required=False, label="Leave this empty")


def public_quote(key: str) -> Quote:
    quote = Quote.objects.public().select_related("speaker").filter(key=key).first()
    if quote is None:
        raise Http404("No statement has this address.")
    return quote


def within_rate(request: HttpRequest) -> bool:
    """Count this report against the client's quota; whether it may be filed."""
    limit, period = parse_rate(settings.ONRECORD_RATE_ERROR_REPORTS)
    allowed, _ = count_request(Quota("error-report", client_address(request), limit, period))
    return allowed


@require_http_methods(["GET", "HEAD", "POST"])
def report_error(request: HttpRequest, key: str) -> HttpResponse:
    quote = public_quote(key)
    form = ErrorReportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data[HONEYPOT]:
            return redirect("reader:report-thanks", key=quote.key)  # a bot: file nothing
        if not within_rate(request):
            form.add_error(None, "Too many reports from your connection: try again later.")
            status = 429
        else:
            try:
                services.error_report_file(
                    quote=quote,
                    text=form.cleaned_data["text"],
                    reply_to=form.cleaned_data["reply_to"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("reader:report-thanks", key=quote.key)
    if form.errors and status == 200:
        status = 400
    return render(request, "reader/report.html", {"quote": quote, "form": form}, status=status)


@require_safe
def report_thanks(request: HttpRequest, key: str) -> HttpResponse:
    return render(request, "reader/report_thanks.html", {"quote": public_quote(key)})
