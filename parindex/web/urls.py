from __future__ import annotations

from django.urls import path

from parindex.web import views

urlpatterns = [path("", views.home, name="home")]
