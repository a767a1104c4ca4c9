from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from parindex.lib.collation import sort_key
from parindex.orgs import access, actions
from parindex.orgs.models import Organisation, User

router = Router(tags=["people"])


class RoleOut(Schema):
    id: int
    role: str
    organisation_id: int
    agency_ids: list[int]


class PersonOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    organisation_id: int | None
    position: str
    is_active: bool
    roles: list[RoleOut]


class PersonIn(Schema):
    username: str
    full_name: str
    organisation_id: int
    email: str = ""
    position: str = ""
    phone: str = ""
    password: str | None = None


class PersonPatch(Schema):
    full_name: str | None = None
    email: str | None = None
    organisation_id: int | None = None
    position: str | None = None
    phone: str | None = None
    is_active: bool | None = None


class RoleIn(Schema):
    role: str
    organisation_id: int
    agency_ids: list[int] = []


def _out(person: User) -> dict[str, object]:
    return {
        "id": person.pk,
        "username": person.username,
        "full_name": person.full_name,
        "email": person.email,
        "organisation_id": person.organisation_id,
        "position": person.position,
        "is_active": person.is_active,
        "roles": [
            {
                "id": r.pk,
                "role": r.role,
                "organisation_id": r.organisation_id,
                "agency_ids": [a.pk for a in r.agencies.all()],
            }
            for r in person.roles.all()
        ],
    }


def _visible(request: HttpRequest, pk: int) -> User:
    return get_object_or_404(
        access.people_for(request.user).prefetch_related("roles__agencies"), pk=pk
    )


def _org(request: HttpRequest, pk: int) -> Organisation:
    return access.organisation_for(request.user, pk)


@router.get("", response=list[PersonOut], summary="People the caller may see")
def list_people(
    request: HttpRequest, organisation_id: int | None = None
) -> list[dict[str, object]]:
    people = access.people_for(request.user).prefetch_related("roles__agencies")
    if organisation_id:
        people = people.filter(organisation_id=organisation_id)
    ordered = sorted(people, key=lambda p: (sort_key(p.full_name), p.username))
    return [_out(p) for p in ordered]


@router.get("/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: int) -> dict[str, object]:
    return _out(_visible(request, person_id))


@router.post("", response={201: PersonOut})
def create_person(request: HttpRequest, payload: PersonIn) -> Status[dict[str, object]]:
    data = payload.dict()
    organisation = _org(request, data.pop("organisation_id"))
    person = actions.create_person(by=access.actor(request.user), organisation=organisation, **data)
    return Status(201, _out(person))


@router.patch("/{person_id}", response=PersonOut)
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> dict[str, object]:
    person = _visible(request, person_id)
    changes = payload.dict(exclude_unset=True)
    if "organisation_id" in changes:
        changes["organisation"] = _org(request, changes.pop("organisation_id"))
    return _out(actions.update_person(person, by=access.actor(request.user), **changes))


@router.post("/{person_id}/roles", response={201: PersonOut})
def add_role(request: HttpRequest, person_id: int, payload: RoleIn) -> Status[dict[str, object]]:
    person = _visible(request, person_id)
    agencies = [_org(request, pk) for pk in payload.agency_ids]
    actions.assign_role(
        person,
        by=access.actor(request.user),
        role=payload.role,
        organisation=_org(request, payload.organisation_id),
        agencies=agencies,
    )
    return Status(201, _out(_visible(request, person_id)))


@router.delete("/roles/{role_id}", response={204: None})
def remove_role(request: HttpRequest, role_id: int) -> Status[None]:
    assignment = access.role_assignment_for(request.user, role_id)
    actions.remove_role(assignment, by=access.actor(request.user))
    return Status(204, None)
