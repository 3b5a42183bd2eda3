"""Readers' reports of errors in public statements, and the editors' queue of them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from quotes.actors import Actor
from quotes.exceptions import NotPermitted
from quotes.models import ErrorReport, Quote
from quotes.permissions import require


@transaction.atomic
def error_report_file(*, quote: Quote, text: str, reply_to: str = "", user: Actor) -> ErrorReport:
    """File a reader's report on a public statement into the editors' queue. Anyone may,
    signed in or not (``user`` is the request's user); a statement readers cannot see
    cannot be reported."""
    if user is None:
        raise NotPermitted("Only a reader or an editor may report an error.")
    if not Quote.objects.public().filter(pk=quote.pk).exists():
        raise ValidationError({"quote": "Only a public statement can be reported."})
    report = ErrorReport(quote=quote, text=text.strip(), reply_to=reply_to.strip())
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def error_report_set_status(
    *, report: ErrorReport, status: ErrorReport.Status, user: Actor
) -> ErrorReport:
    """Close a report once dealt with, or open it again (editors)."""
    require(user, "edit", "errorreport", noun="error reports")
    report.status = ErrorReport.Status(status)
    report.save(update_fields=["status"])
    return report
