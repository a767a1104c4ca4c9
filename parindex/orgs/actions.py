"""Every change to organisations, people and roles: permission check, write, audit entry."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parindex.lib.text import clean
from parindex.orgs import access, admin_units
from parindex.orgs.audit import diff, record, snapshot
from parindex.orgs.dbstats import refresh_statistics
from parindex.orgs.models import (
    AGENCY_KINDS,
    PROVINCE_ROLES,
    ApiToken,
    Organisation,
    OrgKind,
    Role,
    RoleAssignment,
    Succession,
    SuccessionKind,
    User,
)

ORG_FIELDS = [
    "kind",
    "name",
    "short_name",
    "code",
    "parent",
    "valid_from",
    "valid_to",
    "email",
    "note",
]
PERSON_FIELDS = ["username", "full_name", "email", "organisation", "position", "phone", "is_active"]


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You are not allowed to make this change."))


def _check_parent(org: Organisation) -> None:
    if org.parent is None:
        return
    if org.parent.province_id_or_self != org.province_id_or_self:
        raise ValidationError({"parent": _("The parent must belong to the same province.")})
    node: Organisation | None = org.parent
    while node is not None:
        if node.pk == org.pk:
            raise ValidationError({"parent": _("An organisation cannot be its own ancestor.")})
        node = node.parent


@transaction.atomic
def create_province(
    *, by: User | None, name: str, code: str, valid_from: date | None = None, **extra: Any
) -> Organisation:
    """Provinces are created by an administrator (or the command line, where `by` is None)."""
    _require(by is None or access.access_for(by).superuser)
    province = Organisation(
        kind=OrgKind.PROVINCE, name=clean(name), code=code, valid_from=valid_from, **extra
    )
    province.full_clean()
    province.save()
    record(
        by,
        "orgs.province.create",
        province,
        province=province,
        changes=diff({}, snapshot(province, ORG_FIELDS)),
    )
    return province


@transaction.atomic
def create_organisation(
    *,
    by: User | None,
    province: Organisation,
    kind: str,
    name: str,
    code: str,
    parent: Organisation | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
    short_name: str = "",
    email: str = "",
    note: str = "",
) -> Organisation:
    _require(by is None or access.can_manage_organisations(by, province.pk))
    if kind not in AGENCY_KINDS:
        raise ValidationError({"kind": _("Choose the kind of agency.")})
    org = Organisation(
        province=province,
        kind=kind,
        name=clean(name),
        short_name=clean(short_name),
        code=code,
        parent=parent or province,
        valid_from=valid_from,
        valid_to=valid_to,
        email=email,
        note=clean(note),
    )
    org.full_clean()
    _check_parent(org)
    org.save()
    record(
        by,
        "orgs.organisation.create",
        org,
        province=province,
        changes=diff({}, snapshot(org, ORG_FIELDS)),
    )
    return org


@transaction.atomic
def update_organisation(org: Organisation, *, by: User | None, **changes: Any) -> Organisation:
    _require(by is None or access.can_manage_organisations(by, org.province_id_or_self))
    # The province row itself (its dates, its code) is an administrator's to change.
    _require(by is None or org.kind != OrgKind.PROVINCE or access.access_for(by).superuser)
    unknown = set(changes) - set(ORG_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}")
    if org.kind == OrgKind.PROVINCE and "kind" in changes and changes["kind"] != OrgKind.PROVINCE:
        raise ValidationError({"kind": _("A province stays a province.")})
    if org.kind != OrgKind.PROVINCE and "kind" in changes and changes["kind"] not in AGENCY_KINDS:
        raise ValidationError({"kind": _("Choose the kind of agency.")})
    before = snapshot(org, ORG_FIELDS)
    for name, value in changes.items():
        setattr(org, name, clean(value) if isinstance(value, str) and name != "code" else value)
    org.full_clean()
    _check_parent(org)
    org.save()
    record(
        by,
        "orgs.organisation.update",
        org,
        province=org.province_id_or_self,
        changes=diff(before, snapshot(org, ORG_FIELDS)),
    )
    return org


@dataclass(frozen=True)
class SuccessorLink:
    successor: Organisation
    kind: str = SuccessionKind.MERGED
    note: str = ""


@transaction.atomic
def close_organisation(
    org: Organisation, *, by: User | None, on: date, successors: Sequence[SuccessorLink] = ()
) -> Organisation:
    """End an organisation on `on` (a merger, rename, split or abolition) and link successors.

    The old row keeps its name and everything recorded under it; the successors carry on.
    """
    _require(by is None or access.can_manage_organisations(by, org.province_id_or_self))
    # Provinces are created, and so merged or abolished, by an administrator only.
    _require(by is None or org.kind != OrgKind.PROVINCE or access.access_for(by).superuser)
    if org.valid_from is not None and on <= org.valid_from:
        raise ValidationError({"valid_to": _("The closing date must be after the start date.")})
    for link in successors:
        if link.successor.pk == org.pk:
            raise ValidationError({"successors": _("An organisation cannot succeed itself.")})
        if link.successor.valid_to is not None and link.successor.valid_to <= on:
            raise ValidationError(
                {
                    "successors": _("%(name)s no longer exists on that date.")
                    % {"name": link.successor.name}
                }
            )
        # A successor in another province is allowed only when provinces themselves merge.
        if (
            org.kind != OrgKind.PROVINCE
            and by is not None
            and not access.can_manage_organisations(by, link.successor.province_id_or_self)
        ):
            raise PermissionDenied(_("You are not allowed to make this change."))
    before = snapshot(org, ORG_FIELDS)
    org.valid_to = on
    org.full_clean()
    org.save(update_fields=["valid_to"])
    for link in successors:
        Succession.objects.update_or_create(
            predecessor=org,
            successor=link.successor,
            defaults={"kind": link.kind, "on": on, "note": clean(link.note)},
        )
    changes = diff(before, snapshot(org, ORG_FIELDS))
    changes["successors"] = [None, [f"{link.kind}: {link.successor.name}" for link in successors]]
    record(by, "orgs.organisation.close", org, province=org.province_id_or_self, changes=changes)
    return org


# --- people ----------------------------------------------------------------------------------


@transaction.atomic
def create_person(
    *,
    by: User | None,
    username: str,
    full_name: str,
    organisation: Organisation,
    email: str = "",
    position: str = "",
    phone: str = "",
    password: str | None = None,
) -> User:
    _require(by is None or access.can_manage_people(by, organisation))
    person = User(
        username=clean(username),
        full_name=clean(full_name),
        email=email,
        organisation=organisation,
        position=clean(position),
        phone=phone,
    )
    if password:
        validate_password(password, person)
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.full_clean(exclude=["password"])
    person.save()
    record(
        by,
        "orgs.person.create",
        person,
        province=organisation.province_id_or_self,
        changes=diff({}, snapshot(person, PERSON_FIELDS)),
    )
    return person


@transaction.atomic
def update_person(person: User, *, by: User | None, **changes: Any) -> User:
    _require(by is None or access.can_manage_person(by, person))
    new_org = changes.get("organisation")
    if new_org is not None and by is not None:
        _require(access.can_manage_people(by, new_org))
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}")
    before = snapshot(person, PERSON_FIELDS)
    for name, value in changes.items():
        setattr(person, name, clean(value) if isinstance(value, str) and name != "email" else value)
    person.full_clean(exclude=["password"])
    person.save()
    province = person.organisation.province_id_or_self if person.organisation else None
    record(
        by,
        "orgs.person.update",
        person,
        province=province,
        changes=diff(before, snapshot(person, PERSON_FIELDS)),
    )
    if before["is_active"] and not person.is_active:
        _revoke_all_tokens(person, by=by, reason="deactivated")
    return person


@transaction.atomic
def set_password(
    person: User, *, by: User | None, password: str, current_password: str | None = None
) -> None:
    """A person changes their own password, always giving the current one; a coordinator resets
    one for their people. Either way the person's API tokens stop working: whoever held the old
    password may have made one."""
    own = by is not None and by.pk == person.pk
    _require(by is None or own or access.can_manage_person(by, person))
    if own and not (current_password and person.check_password(current_password)):
        raise ValidationError(
            {"current_password": _("Enter your current password to choose a new one.")}
        )
    validate_password(password, person)
    person.set_password(password)
    person.save(update_fields=["password"])
    province = person.organisation.province_id_or_self if person.organisation else None
    record(
        by, "orgs.person.password", person, province=province, changes={"password": ["***", "***"]}
    )
    _revoke_all_tokens(person, by=by, reason="password changed")


def _revoke_all_tokens(person: User, *, by: User | None, reason: str) -> int:
    """Revoke every live token of the person, each with its audit entry naming why."""
    now = timezone.now()
    province = person.organisation.province_id_or_self if person.organisation else None
    tokens = list(ApiToken.objects.select_for_update().filter(user=person, revoked_at__isnull=True))
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        record(
            by,
            "orgs.token.revoke",
            token,
            province=province,
            changes={"revoked_at": [None, now.isoformat()], "reason": [None, reason]},
        )
    return len(tokens)


@transaction.atomic
def assign_role(
    person: User,
    *,
    by: User | None,
    role: str,
    organisation: Organisation,
    agencies: Iterable[Organisation] = (),
) -> RoleAssignment:
    """Give a role. Province-wide roles are held for the province, the others for an agency."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    _require(
        by is None
        or (access.can_manage_people(by, organisation) and access.can_manage_person(by, person))
    )
    if (
        by is not None
        and not access.access_for(by).superuser
        and (
            person.organisation is None
            or person.organisation.province_id_or_self != organisation.province_id_or_self
        )
    ):
        raise ValidationError({"organisation": _("The person does not work in this province.")})
    is_province = organisation.kind == OrgKind.PROVINCE
    if role in PROVINCE_ROLES and not is_province:
        organisation = organisation.province or organisation
    if role not in PROVINCE_ROLES and is_province:
        raise ValidationError(
            {"organisation": _("Reporters and heads are assigned to an agency, not to a province.")}
        )
    agency_list = list(agencies)
    for agency in agency_list:
        if agency.province_id_or_self != organisation.province_id_or_self:
            raise ValidationError(
                {"agencies": _("Assigned agencies must belong to the same province.")}
            )
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=person, role=role, organisation=organisation
    )
    before = sorted(a.name for a in assignment.agencies.all())
    if role == Role.APPRAISER:
        assignment.agencies.set(agency_list)
    access.forget(person)
    record(
        by,
        "orgs.role.assign",
        assignment,
        province=organisation.province_id_or_self,
        changes={
            "role": [None, role],
            "organisation": [None, organisation.name],
            "agencies": [before, sorted(a.name for a in agency_list)],
        },
    )
    return assignment


@transaction.atomic
def remove_role(assignment: RoleAssignment, *, by: User | None) -> None:
    _require(
        by is None
        or (
            access.can_manage_people(by, assignment.organisation)
            and access.can_manage_person(by, assignment.user)
        )
    )
    record(
        by,
        "orgs.role.remove",
        assignment,
        province=assignment.organisation.province_id_or_self,
        changes={
            "role": [assignment.role, None],
            "organisation": [assignment.organisation.name, None],
        },
    )
    access.forget(assignment.user)
    assignment.delete()


# --- API tokens -------------------------------------------------------------------------------


@transaction.atomic
def create_api_token(person: User, *, by: User | None, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its key; the key is not stored and cannot be shown again."""
    _require(by is None or by.pk == person.pk)
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=person, name=clean(name) or "API", prefix=key[:10], digest=ApiToken.digest_of(key)
    )
    province = person.organisation.province_id_or_self if person.organisation else None
    record(by, "orgs.token.create", token, province=province, changes={"name": [None, token.name]})
    return token, key


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by: User | None) -> None:
    _require(by is None or by.pk == token.user_id)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        by, "orgs.token.revoke", token, changes={"revoked_at": [None, token.revoked_at.isoformat()]}
    )


# --- the present structure, from the national list of administrative units --------------------


@dataclass
class LoadResult:
    """What `load_province_structure` did; an empty result means everything was there."""

    province: Organisation
    created: list[Organisation]
    linked: list[Organisation]  # old units given (or closed with) their successors
    unmatched: list[Organisation]  # old communes and districts the mapping does not know

    @property
    def changed(self) -> bool:
        return bool(self.created or self.linked)

    @property
    def communes(self) -> int:
        return sum(1 for o in self.created if o.kind == OrgKind.COMMUNE)


_OFFICIAL_CODE = re.compile(r"-(\d{5})$")
# Notes on the successions written by the loader: data, kept in Vietnamese like the decisions.
_RESOLUTION = "Nghị quyết 202/2025/QH15."
_DISTRICTS_ENDED = (
    "Cấp huyện kết thúc từ 01/07/2025 (Luật số 72/2025/QH15); các xã, phường của đơn vị này nay "
    "thuộc các đơn vị kế tục."
)
_COMMUNES_ARRANGED = (
    "Sắp xếp đơn vị hành chính cấp xã 2025, theo bảng chuyển đổi vietnamadminunits."
)


def official_code(org: Organisation) -> str | None:
    """The official code of a commune loaded from the national list (its code ends with it)."""
    found = _OFFICIAL_CODE.search(org.code)
    return found.group(1) if found else None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


@transaction.atomic
def load_province_structure(*, by: User | None, unit: admin_units.Province) -> LoadResult:
    """Create a province as it is since 1 July 2025: the province, its People's Committee and its
    communes and wards with their official codes, and link the old units it replaced.

    Idempotent: what already exists (found by name for the province, by official code for the
    communes, by the link itself for successions) is left as it is. Provinces are created by an
    administrator or the command line.
    """
    _require(by is None or access.access_for(by).superuser)
    day = admin_units.REORGANISED_ON
    created: list[Organisation] = []
    province = _present_province(unit)
    if province is None:
        province = create_province(
            by=by,
            name=unit.name,
            code=f"{unit.slug}-{day.year}",
            valid_from=day,
            note=f"Từ 01/07/2025 (Nghị quyết 202/2025/QH15); mã đơn vị hành chính {unit.code}.",
        )
        created.append(province)
    in_force = Organisation.objects.filter(province=province).as_of(day)
    ppc = in_force.filter(kind=OrgKind.PPC).first()
    if ppc is None:
        is_city = unit.name.startswith("Thành phố")
        ppc = create_organisation(
            by=by,
            province=province,
            kind=OrgKind.PPC,
            name=f"Ủy ban nhân dân {_lower_first(unit.name)}",
            short_name="UBND thành phố" if is_city else "UBND tỉnh",
            code="ubnd-thanh-pho" if is_city else "ubnd-tinh",
            valid_from=day,
        )
        created.append(ppc)
    created.extend(_load_communes(by, province, unit))
    linked, unmatched = _link_predecessors(by, province, ppc, unit)
    return LoadResult(province, created, linked, unmatched)


def _present_province(unit: admin_units.Province) -> Organisation | None:
    """The province formed on 1 July 2025, if it is already there. One of the same name that
    began earlier is the old province, even if it kept its name: it ends and is linked."""
    code = f"{unit.slug}-{admin_units.REORGANISED_ON.year}"
    candidates = Organisation.objects.provinces().filter(valid_from=admin_units.REORGANISED_ON)
    by_code = candidates.filter(code=code).first()
    if by_code is not None:
        return by_code
    wanted = admin_units.key(unit.name)
    return next((p for p in candidates if admin_units.key(p.name) == wanted), None)


def _load_communes(
    by: User | None, province: Organisation, unit: admin_units.Province
) -> list[Organisation]:
    """All communes and wards in one insert, each with its own audit entry."""
    existing = Organisation.objects.filter(province=province)
    have = {official_code(o) for o in existing if o.kind == OrgKind.COMMUNE}
    taken = {o.code for o in existing}
    new: list[Organisation] = []
    for commune in admin_units.communes_of(unit):
        code = f"{admin_units.slug(commune.name)}-{commune.code}"
        if commune.code in have or code in taken:
            continue
        org = Organisation(
            province=province,
            kind=OrgKind.COMMUNE,
            name=clean(f"UBND {_lower_first(commune.name)}"),
            short_name=clean(commune.name),
            code=code,
            parent=province,
            valid_from=admin_units.REORGANISED_ON,
            note=f"{commune.type}, mã đơn vị hành chính {commune.code} (Quyết định 19/2025/QĐ-TTg).",
        )
        # Province and parent are the row just found; uniqueness was checked against `taken`.
        org.full_clean(exclude=["province", "parent"], validate_unique=False)
        new.append(org)
    Organisation.objects.bulk_create(new)
    # The links that follow read these rows back in the same transaction.
    refresh_statistics({Organisation: len(new)})
    for org in new:
        record(
            by,
            "orgs.organisation.create",
            org,
            province=province,
            changes=diff({}, snapshot(org, ORG_FIELDS)),
        )
    return new


def _link_predecessors(
    by: User | None, province: Organisation, ppc: Organisation, unit: admin_units.Province
) -> tuple[list[Organisation], list[Organisation]]:
    """Old provinces (Nghị quyết 202/2025/QH15), their People's Committees, districts and
    communes, linked to what replaced them; those still open are closed on 1 July 2025."""
    day = admin_units.REORGANISED_ON
    eve = day - timedelta(days=1)
    merged_from = {admin_units.key(name) for name in admin_units.formed_from(unit)}
    old_provinces = [
        p
        for p in Organisation.objects.provinces().as_of(eve).exclude(pk=province.pk)
        if admin_units.key(p.name) in merged_from
    ]
    by_official = {
        official_code(o): o
        for o in Organisation.objects.filter(province=province, kind=OrgKind.COMMUNE).as_of(day)
    }
    linked: list[Organisation] = []
    unmatched: list[Organisation] = []

    def link(old: Organisation, targets: list[Organisation], kind: str, note: str = "") -> None:
        if not targets or (old.valid_to is not None and old.valid_to != day):
            return
        known = set(old.successions_out.values_list("successor_id", flat=True))
        # Links already recorded (by hand or from a file) keep their kind and note.
        missing = [t for t in targets if t.pk not in known]
        if old.valid_to == day and not missing:
            return
        close_organisation(
            old, by=by, on=day, successors=[SuccessorLink(t, kind, note) for t in missing]
        )
        linked.append(old)

    for old_province in old_provinces:
        link(old_province, [province], SuccessionKind.MERGED, _RESOLUTION)
        old_units = list(
            Organisation.objects.filter(province=old_province).as_of(eve).select_related("parent")
        )
        for old in old_units:
            if old.kind == OrgKind.PPC:
                link(old, [ppc], SuccessionKind.MERGED, _RESOLUTION)
            elif old.kind == OrgKind.DISTRICT:
                communes = admin_units.successors_of_district(old_province.name, old.name)
                targets = [by_official[c.code] for c in communes if c.code in by_official]
                if not targets:
                    unmatched.append(old)
                link(old, targets, SuccessionKind.TRANSFERRED, _DISTRICTS_ENDED)
            elif old.kind == OrgKind.COMMUNE:
                district = (
                    old.parent if old.parent and old.parent.kind == OrgKind.DISTRICT else None
                )
                found = admin_units.successors_of_commune(
                    old_province.name, district.name if district else "", old.name
                )
                if found is None:
                    unmatched.append(old)
                    continue
                targets = [by_official[c.code] for c in found.successors if c.code in by_official]
                kind = SuccessionKind.SPLIT if found.split else SuccessionKind.MERGED
                link(old, targets, kind, _COMMUNES_ARRANGED)
    return linked, unmatched
