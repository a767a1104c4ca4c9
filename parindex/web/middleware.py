from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from parindex.orgs.audit import channel


class AuditChannelMiddleware:
    """Audit entries written while serving a request say whether it came from the API or the UI."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with channel("api" if request.path.startswith("/api/") else "web"):
            return self.get_response(request)


class LanguageMiddleware:
    """Vietnamese unless the person chose another language with the switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC with an
    English browser would get English screens; here the product's language is the default.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


class ContentSecurityPolicyMiddleware:
    """Every response says where its page may load scripts, styles and images from: this server
    only (the chart library and htmx are vendored), no inline script, no framing. An injected
    <script> or onclick in stored text would therefore not run even if it escaped escaping."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.PARINDEX_CSP:
            response.headers.setdefault("Content-Security-Policy", settings.PARINDEX_CSP)
        return response


def is_busy(error: BaseException) -> bool:
    """SQLite's answer when another write holds the database past the busy timeout, or
    PostgreSQL's when two transactions wait on each other."""
    text = str(error).lower()
    return (
        isinstance(error, OperationalError)
        and ("locked" in text or "busy" in text or "deadlock" in text)
    ) or (isinstance(error, DatabaseError) and "could not serialize" in text)


class BusyDatabaseMiddleware:
    """A write that lost a race for the database is answered 409 with a message to try again,
    never 500: nothing of it was saved (its transaction was rolled back)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy(exception):
            return None
        message = _(
            "Someone else was saving at the same moment; nothing of yours was saved. Try again."
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "retry": True}, status=409)
        response = render(request, "web/busy.html", {"message": message}, status=409)
        response["Retry-After"] = "1"
        return response
