"""The admin screens of intake: "Add statements from a report", then the review of the
proposals beside the report, then one confirmation that saves everything."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from intake.errors import IntakeError
from intake.forms import ProposalFormSet, ReportForm, SourceForm
from intake.proposals import Proposal, propose
from intake.reports import Report, report_from_text, report_from_upload, report_from_url
from intake.services import PossibleDuplicates, intake_check_permission, intake_confirm
from quotes.exceptions import NotPermitted
from quotes.excerpts import excerpt_span


def _check(request: HttpRequest) -> None:
    try:
        intake_check_permission(user=request.user)
    except NotPermitted as error:
        raise PermissionDenied(error.message) from None


def start(request: HttpRequest) -> HttpResponse:
    """Read the report the editor gives and show its proposals for review."""
    _check(request)
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = _read(form.cleaned_data)
        except IntakeError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return _review(request, report, propose(report))
    return _render(request, "admin/intake/start.html", "Add statements from a report", form=form)


def _read(data: dict) -> Report:
    if data.get("url"):
        report = report_from_url(data["url"])
    elif data.get("file"):
        upload = data["file"]
        report = report_from_upload(upload.name, upload.read())
    else:
        report = report_from_text(data["text"])
    corrected = {k: data[k] for k in ("title", "publisher", "published", "language") if data[k]}
    return Report(**{**report.__dict__, **corrected})


def _review(request: HttpRequest, report: Report, proposals: list[Proposal]) -> HttpResponse:
    source_form = SourceForm(
        initial={
            **report.__dict__,
            "full_text": report.text,
            "title": report.title or report.text.split("\n")[0][:200],
        }
    )
    formset = ProposalFormSet(
        initial=[_initial(proposal) for proposal in proposals],
        full_text=report.text,
        prefix="proposal",
    )
    for form, proposal in zip(formset.forms, proposals, strict=True):
        form.proposal = proposal
    return _render_review(request, source_form, formset, report.text)


def _initial(proposal: Proposal) -> dict:
    from quotes.models import Speaker

    speaker = (
        Speaker.objects.filter(key=proposal.speaker.key).first() if proposal.speaker.key else None
    )
    return {
        "decision": "accept" if proposal.preselected else None,
        "speaker": speaker.pk if speaker else None,
        "new_speaker": "" if speaker else proposal.speaker.name,
        "new_speaker_role": "" if speaker else proposal.speaker.role,
        "text": proposal.text,
        "kind": proposal.kind,
        "language": proposal.language,
        "said": proposal.said or "",
        "context": proposal.context,
        "occasion": proposal.occasion.key if proposal.occasion else "",
        "excerpt": proposal.excerpt,
    }


@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Create the source, new speakers and accepted quotes in one transaction."""
    _check(request)
    source_form = SourceForm(request.POST)
    full_text = request.POST.get("full_text", "")
    formset = ProposalFormSet(request.POST, full_text=full_text, prefix="proposal")
    if not (source_form.is_valid() and formset.is_valid()):
        return _render_review(request, source_form, formset, full_text)
    accepted = [form for form in formset.forms if form.accepted]
    try:
        result = intake_confirm(
            user=request.user,
            source=source_form.source_fields(),
            statements=[form.statement() for form in accepted],
            account=source_form.account(),
        )
    except PossibleDuplicates as duplicates:
        for index, similar in duplicates.similar.items():
            accepted[index].similar = similar
            accepted[index].add_error("not_a_duplicate", "A similar quote is on record.")
        messages.error(request, duplicates.message)
        return _render_review(request, source_form, formset, full_text)
    except ValidationError as error:
        messages.error(request, "Nothing was saved: " + " ".join(error.messages))
        return _render_review(request, source_form, formset, full_text)
    messages.success(
        request,
        f"Created the source “{result.source.title}”, {len(result.quotes)} draft quote(s)"
        f" and {len(result.speakers)} new speaker(s).",
    )
    return HttpResponseRedirect(reverse("admin:quotes_source_change", args=[result.source.pk]))


def _render_review(request, source_form, formset, full_text: str) -> HttpResponse:
    excerpts = [(index, form["excerpt"].value() or "") for index, form in enumerate(formset.forms)]
    return _render(
        request,
        "admin/intake/review.html",
        "Review the proposed statements",
        source_form=source_form,
        formset=formset,
        media=formset.media,
        report_html=highlighted(full_text, excerpts),
    )


def highlighted(full_text: str, excerpts: list[tuple[int, str]]) -> SafeString:
    """The report as HTML paragraphs with each proposal's excerpt marked."""
    spans = sorted(
        (span[0], span[1], index)
        for index, excerpt in excerpts
        if (span := excerpt_span(excerpt, full_text)) is not None
    )
    parts, position = [], 0
    for start, end, index in spans:
        if start < position:
            continue  # overlapping excerpts: the first is marked
        parts.append(escape(full_text[position:start]))
        parts.append(
            f'<mark id="excerpt-{index}" class="intake-excerpt" data-proposal="{index}">'
            f'<span class="intake-number">{index + 1}</span>{escape(full_text[start:end])}</mark>'
        )
        position = end
    parts.append(escape(full_text[position:]))
    paragraphs = "".join(parts).split("\n")
    return mark_safe("".join(f"<p>{p}</p>" for p in paragraphs if p.strip()))


def _render(request: HttpRequest, template: str, title: str, **context) -> HttpResponse:
    return TemplateResponse(
        request, template, {**admin.site.each_context(request), "title": title, **context}
    )
