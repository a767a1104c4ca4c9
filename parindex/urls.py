from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("parindex.api.urls")),
    path("", include("parindex.web.urls")),
]

# The product's own error pages, in its frame and language.
handler400 = "parindex.web.views.errors.bad_request"
handler403 = "parindex.web.views.errors.permission_denied"
handler404 = "parindex.web.views.errors.page_not_found"
handler500 = "parindex.web.views.errors.server_error"
