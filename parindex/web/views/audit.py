from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parindex.orgs import access
from parindex.orgs.models import AuditEntry


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """Coordinators read their province's audit trail; administrators read everything."""
    who = access.access_for(request.user)
    if not (who.superuser or who.coordinator_of):
        raise PermissionDenied
    entries = AuditEntry.objects.select_related("actor")
    if not who.superuser:
        entries = entries.filter(province_id__in=who.coordinator_of)
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "web/audit.html", {"page_obj": page, "action": action})
