"""The product's URLs and error handlers, with one route that fails, to see the 500 page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from parindex.urls import handler400, handler403, handler404, handler500
from parindex.urls import urlpatterns as product_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken), *product_urlpatterns]
