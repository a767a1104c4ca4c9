"""What every page needs: the signed-in person's roles, province and navigation rights."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from parindex.orgs import access
from parindex.orgs.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    from parindex.web.views.common import current_province

    who = access.access_for(request.user)
    labels = dict(Role.choices)
    return {
        "who": who,
        "is_coordinator": bool(who.coordinator_of) or who.superuser,
        "reads_forecast": bool(who.province_wide) or who.superuser,
        "role_labels": [labels[r] for r in who.roles],
        # Everyone working in a province reads its published results; outsiders have no entry.
        "sees_assessments": who.superuser or bool(who.provinces),
        # Surveys: the province-wide roles read every agency's results, an agency its own.
        "sees_surveys": who.superuser or bool(who.province_wide or who.own_agencies),
        # Dossier KPIs: the province-wide roles read every code, an agency's people their own.
        "sees_dossiers": who.superuser or bool(who.province_wide or who.own_agencies),
        "current_province": SimpleLazyObject(lambda: current_province(request)),
    }
