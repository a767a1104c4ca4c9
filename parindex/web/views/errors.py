"""The product's own error pages: 400, 403, 404, 500 and a refused form (CSRF), in its frame.

403 and 404 are rendered with the request, so a signed-in person keeps the navigation. The 500
page is rendered without the request or any context processor: whatever broke (the database, a
middleware) must not break the page that says so; if even the template fails, plain HTML in
Vietnamese is sent.
"""

from __future__ import annotations

import logging

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

_LAST_RESORT = (
    '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Lỗi máy chủ · parindex'
    "</title></head><body><h1>Đã xảy ra lỗi</h1><p>Hệ thống gặp lỗi khi xử lý yêu cầu. Vui lòng "
    'thử lại sau ít phút.</p><p><a href="/">Về trang chủ</a></p></body></html>'
)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseBadRequest(loader.render_to_string("400.html", request=request))


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseForbidden(loader.render_to_string("403.html", request=request))


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseNotFound(loader.render_to_string("404.html", request=request))


def server_error(request: HttpRequest | None = None) -> HttpResponse:
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:  # the page that reports a failure must not fail itself
        logger.exception("the 500 page could not be rendered")
        return HttpResponseServerError(_LAST_RESORT)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page that is too old (or from elsewhere): say so and how to go on."""
    return HttpResponseForbidden(
        loader.render_to_string(
            "403_csrf.html", {"title": _("The form has expired")}, request=request
        )
    )
