"""Readers' pages of alerts: sign up, confirm, "my alerts" (by signed link), unsubscribe."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from alerts import links, services
from alerts.languages import language_choices, language_of_request
from alerts.limits import SignUpLimited
from alerts.models import TARGETS, Frequency
from alerts.targets import NOT_CRITERIA
from api.throttling import client_address

RECORD_TARGETS = TARGETS[1:]
# The mail language is "mail_language": "language" narrows a search to statements said in it.
FORM_FIELDS = (*NOT_CRITERIA, "email", "frequency", "mail_language", "csrfmiddlewaretoken")


def target_of(params) -> dict:
    """One record (``?speaker=…`` alone) or else a search of every parameter given."""
    given = {k: v for k, v in params.items() if v and k not in FORM_FIELDS}
    if len(given) == 1 and next(iter(given)) in RECORD_TARGETS:
        return given
    return {"search": given}


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    target = target_of(source)
    kind = next(iter(target))
    context = {
        "target": target,
        "kind": kind,
        "frequencies": Frequency.choices,
        "languages": language_choices(),
        "language": source.get("mail_language") or language_of_request(request),
        "errors": {},
    }
    if request.method == "POST":
        try:
            services.alert_subscribe(
                email=request.POST.get("email", ""),
                frequency=request.POST.get("frequency", ""),
                target=target,
                client=client_address(request),
                language=context["language"],
            )
        except ValidationError as error:
            context["errors"] = error.message_dict
        except SignUpLimited as error:
            context["errors"] = {"email": [error.message]}
            return render(request, "alerts/new.html", context, status=429)
        else:
            return render(request, "alerts/sent.html", context, status=202)
    return render(request, "alerts/new.html", context, status=400 if context["errors"] else 200)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); POST confirms."""
    alert = links.alert_from(token)
    if alert is None:
        raise Http404("This confirmation link is not valid or has expired.")
    if request.method == "POST":
        services.alert_confirm(alert=alert)
        return redirect(links.manage_url(alert.subscriber).removeprefix(links.absolute("")))
    return render(request, "alerts/confirm.html", {"alert": alert})


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = links.subscriber_from(token, "manage")
    if subscriber is None:
        raise Http404("This link is not valid, or its address was deleted.")
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "delete-everything":
            services.subscriber_delete(subscriber=subscriber)
            return render(request, "alerts/deleted.html")
        if action == "language":
            try:
                services.subscriber_update(
                    subscriber=subscriber, language=request.POST.get("language", "")
                )
            except ValidationError:
                return HttpResponse("Give a language the site knows.", status=400)
            return redirect(reverse("alerts:manage", args=[token]))
        alert = subscriber.alerts.filter(pk=request.POST.get("alert") or 0).first()
        if alert is None:
            raise Http404("No such alert.")
        if action == "delete":
            services.alert_delete(alert=alert)
        elif action in ("pause", "resume"):
            services.alert_update(alert=alert, paused=action == "pause")
        elif action == "frequency":
            try:
                services.alert_update(alert=alert, frequency=request.POST.get("frequency"))
            except ValidationError:
                return HttpResponse("Give immediate, daily or weekly.", status=400)
        return redirect(reverse("alerts:manage", args=[token]))
    return render(
        request,
        "alerts/manage.html",
        {
            "subscriber": subscriber,
            "alerts": subscriber.alerts.all(),
            "frequencies": Frequency.choices,
            "languages": language_choices(),
        },
    )


@csrf_exempt  # RFC 8058: a mail client's POST, without a session; the signed link authorizes
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = links.subscriber_from(token, "unsubscribe")
    if request.method == "POST":
        if subscriber is not None:
            services.subscriber_delete(subscriber=subscriber)
        return render(request, "alerts/deleted.html")
    if subscriber is None:
        raise Http404("This link is not valid, or its address was deleted.")
    return render(request, "alerts/unsubscribe.html", {"subscriber": subscriber})
