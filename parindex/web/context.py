"""What every page needs: the signed-in person's roles and the navigation they may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from parindex.orgs import access


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    who = access.access_for(request.user)
    return {"who": who, "is_coordinator": bool(who.coordinator_of) or who.superuser}
