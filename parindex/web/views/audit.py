from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parindex.orgs import access
from parindex.web import audit_words


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """Coordinators read their province's audit trail; administrators read everything."""
    if not access.can_read_audit_log(request.user):
        raise PermissionDenied
    entries = access.audit_entries_for(request.user).select_related("actor")
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/audit.html",
        {"page_obj": page, "action": action, "action_choices": audit_words.action_choices()},
    )
