"""The dumps' pages: /dumps/ (for readers), /dumps/index.json (for programs) and the files."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dumps import services


def _license() -> dict:
    return {"name": settings.DUMPS_LICENSE, "url": settings.DUMPS_LICENSE_URL}


@require_safe
def dump_index(request: HttpRequest) -> HttpResponse:
    context = {"dumps": services.dump_list(), "license": _license()}
    return render(request, "dumps/index.html", context)


@require_safe
def dump_index_json(request: HttpRequest) -> JsonResponse:
    """Every dump's manifest, newest first, each file with the address it is served at."""
    dumps = services.dump_list()
    for manifest in dumps:
        for entry in manifest["files"]:
            path = f"/dumps/{manifest['version']}/{entry['name']}"
            entry["url"] = request.build_absolute_uri(path)
    body = {"license": _license(), "dumps": dumps}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 2})


@require_safe
def dump_download(request: HttpRequest, version: str, name: str) -> FileResponse:
    found = services.dump_file(version=version, name=name)
    if found is None:
        raise Http404("No such dump file.")
    path, media_type = found
    # FileResponse streams the file, sets Content-Length from it and closes it when sent.
    response = FileResponse(path.open("rb"), content_type=media_type)
    if name != services.MANIFEST:
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
