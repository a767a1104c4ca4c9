from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from parindex.exports.registry import ExportError, render

router = Router(tags=["exports"])


@router.get(
    "/{name}.{fmt}", summary="Any registered export (csv, xlsx, docx), scoped to the caller"
)
def export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    params: dict[str, str] = request.GET.dict()
    try:
        result = render(name, fmt, user=request.user, params=params)
    except ExportError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response
