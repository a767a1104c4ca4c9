from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from parindex.orgs import access
from parindex.plans import actions
from parindex.plans.models import Plan
from parindex.plans.parsing import parse_document

router = Router(tags=["plans"])


class PlanOut(Schema):
    id: int
    province_id: int
    number: str
    date: date | None
    issuer: str
    signer: str
    title: str
    year: int
    framework_id: int | None


class QuantityOut(Schema):
    subject: str
    comparator: str
    value: Decimal
    value_high: Decimal | None
    unit: str
    relative_kind: str
    relative_year: int | None
    measure: str  # level, year_progress, above_reference, below_reference, rank


class TargetOut(Schema):
    id: int
    area_number: str | None
    parent_id: int | None
    text: str
    periods: list[str]
    lead_ids: list[int]
    coordinating_ids: list[int]
    node_ids: list[int]
    confirmed_node_ids: list[int]
    quantities: list[QuantityOut]


class PlanDetailOut(PlanOut):
    baseline: dict[str, Any]
    targets: list[TargetOut]


class RefusedOut(Schema):
    detail: str
    problems: list[str]


class DuplicateOut(Schema):
    detail: str
    plan_id: int
    url: str


def _upload(file: UploadedFile | None, text: str) -> tuple[bytes, str]:
    if file is not None:
        if file.size and file.size > settings.PARINDEX_MAX_IMPORT_BYTES:
            raise ValidationError("the file is too large")
        return file.read(), file.name or "upload"
    return text.encode(), "pasted.txt"


@router.post("/parse", summary="Read a plan document and return the proposal (nothing is saved)")
def parse(
    request: HttpRequest, file: File[UploadedFile | None] = None, text: Form[str] = ""
) -> dict[str, Any]:
    # Only those who import plans may have one read: reading is the costly part.
    who = access.access_for(request.user)
    if not (who.superuser or who.coordinator_of):
        raise PermissionDenied("only coordinators read plan documents")
    data, name = _upload(file, text)
    return parse_document(data, name).to_json()


@router.post(
    "/import",
    response={201: PlanDetailOut, 409: DuplicateOut, 422: RefusedOut},
    summary="Read a plan and create it with its targets in one step; nothing is saved if anything needs review",
    description=(
        "A document whose number and year are those of a plan the province already has is "
        "refused with 409, naming that plan: an existing plan is never replaced."
    ),
)
def import_plan(
    request: HttpRequest,
    file: File[UploadedFile | None] = None,
    text: Form[str] = "",
    province_id: Form[int | None] = None,
) -> Status[dict[str, Any]]:
    who = access.access_for(request.user)
    pid = province_id or (min(who.coordinator_of) if who.coordinator_of else None)
    if pid is None:
        raise PermissionDenied("only coordinators import plans")
    province = access.province_for(request.user, pid)
    # Settled before the upload is read: reading is the costly part.
    if not access.can_manage_organisations(request.user, province.pk):
        raise PermissionDenied("only coordinators import plans")
    data, name = _upload(file, text)
    try:
        with transaction.atomic():
            staged = actions.stage_plan(
                by=access.actor(request.user), province=province, filename=name, data=data
            )
            plan = actions.approve_import(staged, by=access.actor(request.user))
    except actions.NotAPlan as refusal:
        return Status(422, {"detail": str(refusal), "problems": []})
    except actions.DuplicatePlan as duplicate:
        return Status(
            409,
            {
                "detail": str(duplicate),
                "plan_id": duplicate.plan.pk,
                "url": reverse("plan_detail", args=[duplicate.plan.pk]),
            },
        )
    except ValidationError as refusal:
        return Status(
            422,
            {
                "detail": "the plan needs review; nothing was saved",
                "problems": refusal.messages,
            },
        )
    return Status(201, _detail(plan))


@router.get("", response=list[PlanOut])
def list_plans(request: HttpRequest, year: int | None = None) -> Any:
    plans = access.plans_for(request.user)
    return plans.filter(year=year) if year else plans


@router.get("/{int:plan_id}", response=PlanDetailOut)
def get_plan(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return _detail(get_object_or_404(access.plans_for(request.user), pk=plan_id))


def _detail(plan: Plan) -> dict[str, Any]:
    data = {name: getattr(plan, name) for name in PlanOut.model_fields}
    data["baseline"] = plan.baseline
    targets = plan.targets.select_related("area").prefetch_related(
        "agencies", "targetnode_set", "quantities"
    )
    data["targets"] = [
        {
            "id": t.pk,
            "area_number": t.area.number if t.area else None,
            "parent_id": t.parent_id,
            "text": t.text,
            "periods": t.periods,
            "lead_ids": [a.organisation_id for a in t.agencies.all() if a.responsibility == "lead"],
            "coordinating_ids": [
                a.organisation_id for a in t.agencies.all() if a.responsibility == "coordinating"
            ],
            "node_ids": [n.node_id for n in t.targetnode_set.all()],
            "confirmed_node_ids": [n.node_id for n in t.targetnode_set.all() if n.confirmed],
            "quantities": [
                {k: getattr(q, k) for k in QuantityOut.model_fields} for q in t.quantities.all()
            ],
        }
        for t in targets
    ]
    return data
