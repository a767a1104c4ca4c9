"""Helpers shared by the views: the current province, and turning action errors into form errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest

from parindex.orgs import access
from parindex.orgs.models import Organisation, OrgKind


def current_province(request: HttpRequest) -> Organisation | None:
    """The province the person works in; an administrator may pick one with ?province=ID."""
    who = access.access_for(request.user)
    chosen = request.GET.get("province") or request.session.get("province")
    if who.superuser:
        provinces = Organisation.objects.filter(kind=OrgKind.PROVINCE)
        if chosen and str(chosen).isdigit():
            province = provinces.filter(pk=int(chosen)).first()
            if province is not None:
                request.session["province"] = province.pk
                return province
        return provinces.current().order_by("name").first() or provinces.order_by("name").first()
    if not who.provinces:
        return None
    ids = sorted(who.provinces)
    if chosen and str(chosen).isdigit() and int(chosen) in who.provinces:
        ids = [int(chosen)]
    return access.organisations_for(request.user).filter(pk=ids[0]).first()


def require_province(request: HttpRequest) -> Organisation:
    province = current_province(request)
    if province is None:
        raise Http404("no province")
    return province


def add_action_errors(
    form: BaseForm, error: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """Show an action's ValidationError beside the matching fields, the rest above the form.

    `rename` maps the action's field names to the form's where they differ.
    """
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            field = (rename or {}).get(field, field)
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item.messages[0] if item.messages else str(item))
    else:
        for message in error.messages:
            form.add_error(None, message)
