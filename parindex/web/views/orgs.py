"""Organisations: the province's tree as of a date, with history, and the coordinator's edits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parindex.lib.collation import vi_sorted
from parindex.lib.text import fold
from parindex.orgs import access, actions, admin_units
from parindex.orgs.hierarchy import in_reading_order, tree_rows
from parindex.orgs.models import Organisation, OrgKind
from parindex.web.forms import AsOfForm, CloseForm, LoadProvinceForm, OrganisationForm
from parindex.web.views.common import add_action_errors, current_province, require_province


def _visible(request: HttpRequest, pk: int) -> Organisation:
    return access.organisation_for(request.user, pk)


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    # An administrator of a new installation has no province yet and comes here to load one.
    province = current_province(request)
    can_load = access.access_for(request.user).superuser
    if province is None and not can_load:
        raise Http404("no province")
    form = AsOfForm(request.GET or None)
    day = timezone.localdate()
    query, kind = "", ""
    if form.is_valid():
        day = form.cleaned_data["as_of"] or day
        query = form.cleaned_data["q"] or ""
        kind = form.cleaned_data["kind"] or ""
    visible = access.organisations_for(request.user)
    # The province as it was that day: the chosen one, or the one it was merged from or into.
    provinces = visible.filter(kind=OrgKind.PROVINCE).as_of(day)
    in_force = visible.filter(Q(province__in=provinces)).as_of(day).select_related("parent")
    if kind:
        in_force = in_force.filter(kind=kind)
    orgs = list(in_force)
    if query:
        key = fold(query)
        orgs = [
            o for o in orgs if key in fold(o.name) or key in fold(o.short_name) or key in o.code
        ]
    tree = [
        (p, tree_rows([o for o in orgs if o.province_id == p.pk], p.pk))
        for p in vi_sorted(provinces, key=lambda p: p.name)
    ]
    context = {
        "form": form,
        "day": day,
        "tree": tree,
        "province": province,
        "can_manage": province is not None
        and access.can_manage_organisations(request.user, province.pk),
        "can_load": can_load,
        "count": len(orgs),
    }
    return render(request, "web/orgs/list.html", context)


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = _visible(request, pk)
    people = (
        vi_sorted(
            access.people_for(request.user).filter(organisation=org), key=lambda p: p.full_name
        )
        if access.can_read_agency(request.user, org)
        else None
    )
    context = {
        "org": org,
        "children": in_reading_order(org.children.all()),
        "predecessors": org.successions_in.select_related("predecessor"),
        "successors": org.successions_out.select_related("successor"),
        "people": people,
        "history": access.history_of(request.user, org)[:20],
        "can_manage": access.can_manage_organisations(request.user, org.province_id_or_self),
        "today": timezone.localdate(),
    }
    return render(request, "web/orgs/detail.html", context)


@login_required
def org_create(request: HttpRequest) -> HttpResponse:
    province = require_province(request)
    if not access.can_manage_organisations(request.user, province.pk):
        raise PermissionDenied
    form = OrganisationForm(
        request.POST or None, province=province, initial={"parent": province.pk}
    )
    if request.method == "POST" and form.is_valid():
        try:
            org = actions.create_organisation(
                by=access.actor(request.user), province=province, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": org.name})
            return redirect("org_detail", pk=org.pk)
    return render(request, "web/orgs/form.html", {"form": form, "province": province})


@login_required
def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = _visible(request, pk)
    if not access.can_manage_organisations(request.user, org.province_id_or_self):
        raise PermissionDenied
    province = org.province or org
    form = OrganisationForm(
        request.POST or None, instance=Organisation.objects.get(pk=org.pk), province=province
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_organisation(org, by=access.actor(request.user), **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("org_detail", pk=org.pk)
    return render(request, "web/orgs/form.html", {"form": form, "org": org, "province": province})


@login_required
def org_close(request: HttpRequest, pk: int) -> HttpResponse:
    org = _visible(request, pk)
    if not access.can_manage_organisations(request.user, org.province_id_or_self):
        raise PermissionDenied
    candidates = (
        access.organisations_for(request.user)
        .exclude(pk=org.pk)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=org.valid_from or "1900-01-01"))
    )
    if org.kind != OrgKind.PROVINCE:
        candidates = candidates.exclude(kind=OrgKind.PROVINCE)
    form = CloseForm(request.POST or None, candidates=candidates.order_by("kind", "name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        links = [
            actions.SuccessorLink(s, data["kind"] or "merged", data["note"])
            for s in data["successors"]
        ]
        try:
            actions.close_organisation(
                org, by=access.actor(request.user), on=data["on"], successors=links
            )
        except ValidationError as error:
            add_action_errors(form, error, rename={"valid_to": "on"})
        else:
            messages.success(
                request,
                _("%(name)s is closed from %(day)s.")
                % {"name": org.name, "day": data["on"].strftime("%d/%m/%Y")},
            )
            return redirect("org_detail", pk=org.pk)
    return render(request, "web/orgs/close.html", {"form": form, "org": org})


@login_required
def org_load(request: HttpRequest) -> HttpResponse:
    """An administrator loads a province as it is since 1 July 2025 from the national list."""
    if not access.access_for(request.user).superuser:
        raise PermissionDenied
    form = LoadProvinceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = admin_units.find_province(form.cleaned_data["province"])
        if unit is None:  # the choices are the list's own codes
            raise PermissionDenied
        try:
            result = actions.load_province_structure(by=access.actor(request.user), unit=unit)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            province = result.province
            if result.changed:
                messages.success(
                    request,
                    _(
                        "%(name)s: %(created)s organisations created, %(linked)s earlier "
                        "units linked to their successors."
                    )
                    % {
                        "name": province.name,
                        "created": len(result.created),
                        "linked": len(result.linked),
                    },
                )
            else:
                messages.info(
                    request,
                    _("%(name)s is already loaded: nothing to change.") % {"name": province.name},
                )
            return redirect(f"{reverse('org_list')}?province={province.pk}")
    return render(request, "web/orgs/load.html", {"form": form})
