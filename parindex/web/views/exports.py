from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from parindex.exports.registry import ExportError, render


@login_required
def export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    """Any registered export, rendered for the signed-in person (the access rule applies)."""
    try:
        result = render(name, fmt, user=request.user, params=request.GET.dict())
    except ExportError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response
