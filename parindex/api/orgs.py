from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from parindex.orgs import access, actions
from parindex.orgs.hierarchy import reading_key
from parindex.orgs.models import Organisation, SuccessionKind

router = Router(tags=["organisations"])


class OrgOut(Schema):
    id: int
    kind: str
    name: str
    short_name: str
    code: str
    province_id: int | None
    parent_id: int | None
    valid_from: date | None
    valid_to: date | None
    email: str


class SuccessionOut(Schema):
    predecessor_id: int
    successor_id: int
    kind: str
    on: date


class OrgDetailOut(OrgOut):
    predecessors: list[SuccessionOut]
    successors: list[SuccessionOut]


class OrgIn(Schema):
    kind: str
    name: str
    code: str
    short_name: str = ""
    parent_id: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    email: str = ""
    note: str = ""


class OrgPatch(Schema):
    name: str | None = None
    short_name: str | None = None
    code: str | None = None
    parent_id: int | None = None
    valid_from: date | None = None
    email: str | None = None
    note: str | None = None


class CloseIn(Schema):
    on: date
    successor_ids: list[int] = []
    kind: str = SuccessionKind.MERGED.value
    note: str = ""


class Me(Schema):
    id: int
    username: str
    full_name: str
    organisation_id: int | None
    roles: list[str]
    provinces: list[int]


def _visible(request: HttpRequest, pk: int) -> Organisation:
    return access.organisation_for(request.user, pk)


@router.get("/me", response=Me, summary="The signed-in person and their roles")
def me(request: HttpRequest) -> dict[str, object]:
    who = access.access_for(request.user)
    user = request.user
    return {
        "id": user.pk,
        "username": user.get_username(),
        "full_name": getattr(user, "full_name", ""),
        "organisation_id": getattr(user, "organisation_id", None),
        "roles": list(who.roles),
        "provinces": sorted(who.provinces),
    }


@router.get("", response=list[OrgOut], summary="Organisations as of a date (default today)")
def list_orgs(
    request: HttpRequest,
    as_of: date | None = None,
    kind: str | None = None,
    province_id: int | None = None,
) -> object:
    orgs = access.organisations_for(request.user).as_of(as_of or timezone.localdate())
    if kind:
        orgs = orgs.filter(kind=kind)
    if province_id:
        orgs = orgs.filter(province_id=province_id) | orgs.filter(pk=province_id)
    # Kinds in order, names in Vietnamese alphabetical order (not the database's).
    return sorted(orgs.order_by("pk"), key=lambda o: (o.province_id or 0, *reading_key(o)))


@router.get("/{org_id}", response=OrgDetailOut)
def get_org(request: HttpRequest, org_id: int) -> object:
    org = _visible(request, org_id)
    fields = ("predecessor_id", "successor_id", "kind", "on")
    data = {name: getattr(org, name) for name in OrgOut.model_fields}
    data["predecessors"] = list(org.successions_in.values(*fields))
    data["successors"] = list(org.successions_out.values(*fields))
    return data


@router.post(
    "", response={201: OrgOut}, summary="Create an agency in the caller's province (coordinators)"
)
def create_org(
    request: HttpRequest, payload: OrgIn, province_id: int | None = None
) -> Status[Organisation]:
    who = access.access_for(request.user)
    pid = province_id or (min(who.coordinator_of) if who.coordinator_of else None)
    if pid is None:
        raise PermissionDenied("only coordinators create agencies")
    province = access.province_for(request.user, pid)
    parent = _visible(request, payload.parent_id) if payload.parent_id else None
    data = payload.dict(exclude={"parent_id"})
    org = actions.create_organisation(
        by=access.actor(request.user), province=province, parent=parent, **data
    )
    return Status(201, org)


@router.patch("/{org_id}", response=OrgOut)
def update_org(request: HttpRequest, org_id: int, payload: OrgPatch) -> Organisation:
    org = _visible(request, org_id)
    changes = payload.dict(exclude_unset=True)
    if "parent_id" in changes:
        pid = changes.pop("parent_id")
        changes["parent"] = _visible(request, pid) if pid else None
    return actions.update_organisation(org, by=access.actor(request.user), **changes)


@router.post("/{org_id}/close", response=OrgOut, summary="Close on a date, linking successors")
def close_org(request: HttpRequest, org_id: int, payload: CloseIn) -> Organisation:
    org = _visible(request, org_id)
    links = [
        actions.SuccessorLink(_visible(request, sid), payload.kind, payload.note)
        for sid in payload.successor_ids
    ]
    return actions.close_organisation(
        org, by=access.actor(request.user), on=payload.on, successors=links
    )
