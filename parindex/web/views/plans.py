"""Plans: upload a plan document, review what was read beside the original text, approve."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parindex.orgs import access
from parindex.orgs.hierarchy import in_reading_order
from parindex.orgs.models import AGENCY_KINDS, Organisation, OrgKind
from parindex.plans import actions
from parindex.plans.models import (
    Comparator,
    ImportStatus,
    Measure,
    PlanImport,
    QuantityUnit,
    Responsibility,
    Target,
    TargetAgency,
    TargetNode,
)
from parindex.plans.warnings import describe_warning
from parindex.web.forms import PlanUploadForm
from parindex.web.plan_review import apply_review, iso_to_display, review_rows
from parindex.web.views.common import require_province

RELATIVE_KINDS = [
    ("", "—"),
    ("year", _("a year")),
    ("previous_year", _("the previous year")),
    ("baseline_year", _("a base year")),
    ("plan", _("the assigned plan")),
]


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    province = require_province(request)
    plans = (
        access.plans_for(request.user)
        .filter(province=province)
        .annotate(target_count=Count("targets"))
    )
    can_import = access.can_manage_organisations(request.user, province.pk)
    pending = (
        access.plan_imports_for(request.user).filter(province=province, status=ImportStatus.PENDING)
        if can_import
        else []
    )
    return render(
        request,
        "web/plans/list.html",
        {"plans": plans, "pending": pending, "can_import": can_import},
    )


@login_required
def plan_upload(request: HttpRequest) -> HttpResponse:
    province = require_province(request)
    if not access.can_manage_organisations(request.user, province.pk):
        raise PermissionDenied
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload is not None and upload.size > settings.PARINDEX_MAX_IMPORT_BYTES:
            form.add_error(
                "file",
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.PARINDEX_MAX_IMPORT_BYTES // 1_000_000},
            )
        else:
            data, name = (
                (upload.read(), upload.name)
                if upload is not None
                else (form.cleaned_data["text"].encode(), "pasted.txt")
            )
            try:
                staged = actions.stage_plan(
                    by=access.actor(request.user),
                    province=province,
                    filename=name,
                    data=data,
                    duplicate_ok=form.cleaned_data.get("duplicate_ok") or False,
                )
            except actions.NotAPlan as refusal:
                form.add_error(None, str(refusal))
            except actions.DuplicatePlan as duplicate:
                # Nothing is staged: the coordinator cancels, or sends it again to correct it.
                form = PlanUploadForm(
                    initial={"duplicate_ok": True, "text": form.cleaned_data.get("text") or ""}
                )
                form.fields["duplicate_ok"].widget = forms.CheckboxInput()
                form.fields["file"].help_text = _(
                    "Choose the file again: nothing was kept of the first sending."
                )
                context = {
                    "form": form,
                    "duplicate": duplicate.plan,
                    "duplicate_message": str(duplicate),
                    "sent_file": name if upload is not None else "",
                }
                return render(request, "web/plans/upload.html", context)
            else:
                return redirect("plan_review", pk=staged.pk)
    return render(request, "web/plans/upload.html", {"form": form})


def _staged(request: HttpRequest, pk: int) -> PlanImport:
    return access.plan_import_for(request.user, pk)


def _agencies(province: Organisation, proposal: dict[str, Any]) -> QuerySet[Organisation]:
    """The province's agencies as they stood on the plan's date (as the matcher saw them), or
    today's when the plan has no date: a 2020 plan names agencies that may be closed by now."""
    agencies = Organisation.objects.filter(province=province, kind__in=AGENCY_KINDS)
    try:
        day = date.fromisoformat(proposal["date"]) if proposal.get("date") else None
    except (TypeError, ValueError):
        day = None
    return agencies.as_of(day) if day is not None else agencies.current()


def _group_ids(province: Organisation, proposal: dict[str, Any]) -> dict[str, list[int]]:
    agencies = list(_agencies(province, proposal).values_list("pk", "kind"))
    return {
        "department": [pk for pk, kind in agencies if kind == OrgKind.DEPARTMENT],
        "district": [pk for pk, kind in agencies if kind == OrgKind.DISTRICT],
        "commune": [pk for pk, kind in agencies if kind == OrgKind.COMMUNE],
        "all": [pk for pk, _kind in agencies],
    }


@login_required
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    staged = _staged(request, pk)
    if staged.status != ImportStatus.PENDING:
        plan = access.plans_for(request.user).filter(source=staged).first()
        return redirect("plan_detail", pk=plan.pk) if plan else redirect("plan_list")
    proposal = staged.proposal
    errors: dict[str, str] = {}
    problems: list[str] = []
    if request.method == "POST":
        corrected, errors = apply_review(
            proposal, request.POST, _group_ids(staged.province, proposal)
        )
        framework_id = request.POST.get("framework", "")
        framework = (
            access.frameworks_for(request.user).filter(pk=framework_id).first()
            if framework_id.isdigit()
            else None
        )
        if not errors:
            try:
                staged = actions.save_review(
                    staged,
                    by=access.actor(request.user),
                    proposal=corrected,
                    framework=framework,
                    revision=int(request.POST.get("revision", "0") or 0),
                )
            except actions.StaleRevision as stale:
                messages.error(request, str(stale))
                return redirect("plan_review", pk=staged.pk)
            if "approve" in request.POST:
                try:
                    plan = actions.approve_import(staged, by=access.actor(request.user))
                except ValidationError as refusal:
                    problems = list(refusal.messages)
                else:
                    messages.success(
                        request,
                        _("The plan %(number)s was created with %(n)s targets.")
                        % {"number": plan.number, "n": plan.targets.count()},
                    )
                    return redirect("plan_detail", pk=plan.pk)
            else:
                messages.success(request, _("Your corrections were saved."))
                return redirect("plan_review", pk=staged.pk)
            proposal = staged.proposal
        else:
            proposal = corrected
    return render(
        request,
        "web/plans/review.html",
        _review_context(request, staged, proposal, errors, problems),
    )


def _review_context(
    request: HttpRequest,
    staged: PlanImport,
    proposal: dict[str, Any],
    errors: dict[str, str],
    problems: list[str],
) -> dict[str, Any]:
    framework = staged.framework
    domains = list(framework.nodes.filter(parent__isnull=True)) if framework else []
    leaves = actions.leaf_nodes(framework) if framework else []
    agencies = in_reading_order(_agencies(staged.province, proposal))
    names = actions.agency_names(proposal)
    mapping = proposal.get("agency_map") or {}
    by_id = {o.pk: o for o in agencies}
    agency_rows = []
    for k, name in enumerate(names):
        entry = mapping.get(name) or {}
        ids = entry.get("ids") or []
        if entry.get("ignored"):
            choice = "ignore"
        elif entry.get("group"):
            choice = f"group:{entry['group']}"
        elif len(ids) == 1:
            choice = str(ids[0])
        else:
            choice = ""
        agency_rows.append(
            {
                "k": k,
                "name": name,
                "choice": choice,
                "resolved": bool(ids) or entry.get("ignored"),
                "names": [by_id[i].name for i in ids if i in by_id][:3],
                "count": len(ids),
            }
        )
    lines = staged.source_text.splitlines()
    rows = review_rows(proposal)
    for row in rows:
        domain = next((d for d in domains if d.pk == row["area"].get("domain_id")), None)
        # Only the chosen domain's sub-criteria: the whole tree per target would swamp the page.
        row["leaves"] = [
            n for n in leaves if domain is None or n.code.startswith(f"{domain.code}.")
        ]
    return {
        "staged": staged,
        "proposal": proposal,
        "date_display": iso_to_display(proposal.get("date")),
        "rows": rows,
        "errors": errors,
        "problems": problems
        or (actions.check_proposal(proposal) if request.method == "GET" else []),
        "warnings": [describe_warning(w) for w in staged.warnings],
        "frameworks": access.frameworks_for(request.user)
        .filter(level="province")
        .order_by("-first_year", "name"),
        "domains": domains,
        "leaves": leaves,
        "agencies": agencies,
        "agency_rows": agency_rows,
        "comparators": Comparator.choices,
        "units": QuantityUnit.choices,
        "measures": Measure.choices,
        "relative_kinds": RELATIVE_KINDS,
        "source_lines": list(enumerate(lines, start=1)),
        "baseline": proposal.get("baseline") or {},
        "goal_rows": [(f"g{n}", goal) for n, goal in enumerate(proposal.get("goals") or [])],
    }


@login_required
@require_POST
def plan_discard(request: HttpRequest, pk: int) -> HttpResponse:
    staged = _staged(request, pk)
    actions.discard_import(staged, by=access.actor(request.user))
    messages.success(request, _("The import was discarded; nothing was created."))
    return redirect("plan_list")


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.plan_for(request.user, pk)
    agencies = Prefetch("agencies", queryset=TargetAgency.objects.select_related("organisation"))
    nodes = Prefetch("targetnode_set", queryset=TargetNode.objects.select_related("node"))
    targets = (
        Target.objects.filter(plan=plan)
        .prefetch_related(agencies, nodes, "quantities")
        .order_by("position")
    )
    by_area: dict[int | None, list[Target]] = {}
    for target in targets:
        by_area.setdefault(target.area_id, []).append(target)
    areas = [(area, by_area.get(area.pk, [])) for area in plan.areas.select_related("domain")]
    return render(
        request,
        "web/plans/detail.html",
        {
            "plan": plan,
            "areas": areas,
            "goals": plan.goals.all(),
            "duties": plan.duties.select_related("reporter", "recipient"),
            "baseline": plan.baseline,
            "LEAD": Responsibility.LEAD,
        },
    )
