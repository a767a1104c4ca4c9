from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import Router

from parindex.exports.registry import ExportError, stream

router = Router(tags=["exports"])


@router.get(
    "/{name}.{fmt}", summary="Any registered export (csv, xlsx, docx), scoped to the caller"
)
def export(request: HttpRequest, name: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    params: dict[str, str] = request.GET.dict()
    try:
        result = stream(name, fmt, user=request.user, params=params)
    except ExportError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(result.chunks, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response
