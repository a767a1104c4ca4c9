"""People and their roles. Agencies see their own people; coordinators manage the province's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parindex.lib.collation import sort_key, vi_sorted
from parindex.orgs import access, actions
from parindex.orgs.models import Organisation, OrgKind, User
from parindex.web.forms import PersonForm, RoleForm, SetPasswordForm
from parindex.web.views.common import add_action_errors, require_province


def _manageable_orgs(request: HttpRequest, province: Organisation | None) -> QuerySet[Organisation]:
    if province is None:
        return Organisation.objects.none()
    return (
        access.organisations_for(request.user)
        .filter(Q(pk=province.pk) | Q(province=province))
        .current()
        .order_by("kind", "name")
    )


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    province = require_province(request)
    people = (
        access.people_for(request.user).select_related("organisation").prefetch_related("roles")
    )
    query = (request.GET.get("q") or "").strip()
    if query:
        people = people.filter(
            Q(full_name__icontains=query) | Q(username__icontains=query) | Q(email__icontains=query)
        )
    agency = request.GET.get("agency")
    if agency and agency.isdigit():
        people = people.filter(organisation_id=int(agency))
    # Vietnamese alphabetical order is not the database's: order the ids by agency and name
    # here (one narrow query, which also counts them), then read the page's people.
    ordered = sorted(
        people.values_list("pk", "organisation__name", "full_name", "username"),
        key=lambda row: (sort_key(row[1]), sort_key(row[2]), row[3]),
    )
    page = Paginator([row[0] for row in ordered], 50).get_page(request.GET.get("page"))
    shown = people.in_bulk(list(page.object_list))
    page.object_list = [shown[pk] for pk in page.object_list if pk in shown]  # type: ignore[misc]
    context = {
        "page_obj": page,
        "query": query,
        "agencies": vi_sorted(
            access.organisations_for(request.user)
            .filter(province=province)
            .current()
            .exclude(kind=OrgKind.PROVINCE),
            key=lambda o: o.name,
        ),
        "agency": int(agency) if agency and agency.isdigit() else None,
        "can_manage": access.can_manage_organisations(request.user, province.pk),
    }
    return render(request, "web/people/list.html", context)


def _visible_person(request: HttpRequest, pk: int) -> User:
    return get_object_or_404(access.people_for(request.user).select_related("organisation"), pk=pk)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _visible_person(request, pk)
    can_manage = access.can_manage_person(request.user, person)
    province = person.organisation.province or person.organisation if person.organisation else None
    role_form = (
        RoleForm(organisations=_manageable_orgs(request, province))
        if can_manage and province
        else None
    )
    context = {
        "person": person,
        "roles": person.roles.select_related("organisation").prefetch_related("agencies"),
        "can_manage": can_manage,
        "role_form": role_form,
        # One's own password is changed on the password page, with the current one.
        "password_form": SetPasswordForm() if can_manage and person.pk != request.user.pk else None,
        "own_page": person.pk == request.user.pk,
        "history": access.history_of(request.user, person)[:20],
    }
    return render(request, "web/people/detail.html", context)


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    province = require_province(request)
    if not access.can_manage_organisations(request.user, province.pk):
        raise PermissionDenied
    form = PersonForm(request.POST or None, organisations=_manageable_orgs(request, province))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = actions.create_person(
                by=access.actor(request.user),
                username=data["username"],
                full_name=data["full_name"],
                organisation=data["organisation"],
                email=data["email"],
                position=data["position"],
                phone=data["phone"],
                password=data["password"] or None,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": person})
            return redirect("person_detail", pk=person.pk)
    return render(request, "web/people/form.html", {"form": form})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _visible_person(request, pk)
    if not access.can_manage_person(request.user, person):
        raise PermissionDenied
    province = person.organisation.province or person.organisation  # type: ignore[union-attr]
    form = PersonForm(
        request.POST or None,
        instance=User.objects.get(pk=person.pk),
        organisations=_manageable_orgs(request, province),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_person(person, by=access.actor(request.user), **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("person_detail", pk=person.pk)
    return render(request, "web/people/form.html", {"form": form, "person": person})


@login_required
@require_POST
def person_add_role(request: HttpRequest, pk: int) -> HttpResponse:
    person = _visible_person(request, pk)
    if not access.can_manage_person(request.user, person):
        raise PermissionDenied
    province = person.organisation.province or person.organisation  # type: ignore[union-attr]
    form = RoleForm(request.POST, organisations=_manageable_orgs(request, province))
    if form.is_valid():
        try:
            actions.assign_role(
                person,
                by=access.actor(request.user),
                role=form.cleaned_data["role"],
                organisation=form.cleaned_data["organisation"],
                agencies=form.cleaned_data["agencies"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Role added."))
    else:
        for field_errors in form.errors.values():
            for text in field_errors:
                messages.error(request, str(text))
    return redirect("person_detail", pk=person.pk)


@login_required
@require_POST
def person_remove_role(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = access.role_assignment_for(request.user, pk)
    actions.remove_role(assignment, by=access.actor(request.user))
    messages.success(request, _("Role removed."))
    return redirect("person_detail", pk=assignment.user_id)


@login_required
@require_POST
def person_set_password(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator resets a password here; one's own is changed on the password page, which
    asks for the current one."""
    person = _visible_person(request, pk)
    if person.pk == request.user.pk:
        messages.info(request, _("Change your own password here, with your current one."))
        return redirect("password_change")
    form = SetPasswordForm(request.POST)
    if form.is_valid():
        try:
            actions.set_password(
                person, by=access.actor(request.user), password=form.cleaned_data["password"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The password was changed."))
    return redirect("person_detail", pk=person.pk)
