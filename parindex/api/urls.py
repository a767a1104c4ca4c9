from __future__ import annotations

from django.urls import path

from parindex.api.main import api

urlpatterns = [path("", api.urls)]
