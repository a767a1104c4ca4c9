from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse

from parindex.exports.registry import ExportError, stream


@login_required
def export(request: HttpRequest, name: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """Any registered export, for the signed-in person (the access rule applies), sent as it is
    written: a refusal is a 400 before the first byte."""
    try:
        result = stream(name, fmt, user=request.user, params=request.GET.dict())
    except ExportError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(result.chunks, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response
