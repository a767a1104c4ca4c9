"""The demo province: Lào Cai as it stood in 2020, its 2025 reorganisation, criteria trees, people.

Everything is created through the action functions, so the demo is audited like real work and
exercises the same rules. The people are fictional demo accounts sharing one password.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.methodology import actions as criteria_actions
from parindex.methodology.importing import read_tree
from parindex.methodology.models import Framework
from parindex.orgs import actions
from parindex.orgs.demo_data import OrgsDocument, load_bundled
from parindex.orgs.models import Organisation, Role, User
from parindex.plans import actions as plan_actions
from parindex.plans.models import Plan

DEMO_PASSWORD = "LaoCai-2020-demo"
DEMO_PROVINCE = "lao-cai-1991"
CRITERIA_DIR = Path(__file__).resolve().parent.parent / "methodology" / "data"
PLAN_FILE = (
    Path(__file__).resolve().parent.parent
    / "plans"
    / "data"
    / "ke-hoach-165-KH-UBND-lao-cai-2020.txt"
)


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    agency: str  # agency code in the demo province
    position: str
    role: str
    appraises: tuple[str, ...] = ()


PEOPLE = (
    DemoPerson(
        "noivu", "Nguyễn Thu Hà", "so-noi-vu", "Chuyên viên phụ trách CCHC", Role.COORDINATOR
    ),
    DemoPerson("tuphap", "Trần Văn Minh", "so-tu-phap", "Chuyên viên", Role.REPORTER),
    DemoPerson("tuphap.gd", "Lê Thị Lan", "so-tu-phap", "Giám đốc Sở", Role.HEAD),
    DemoPerson(
        "vpubnd",
        "Phạm Quang Huy",
        "van-phong-ubnd",
        "Chuyên viên Phòng Kiểm soát TTHC",
        Role.REPORTER,
    ),
    DemoPerson("tplaocai", "Hoàng Văn Nam", "tp-lao-cai", "Chủ tịch UBND thành phố", Role.HEAD),
    DemoPerson("lanhdao", "Vũ Thị Mai", "ubnd-tinh", "Phó Chủ tịch UBND tỉnh", Role.LEADER),
    DemoPerson(
        "thamdinh",
        "Đỗ Minh Tuấn",
        "so-noi-vu",
        "Chuyên viên thẩm định",
        Role.APPRAISER,
        appraises=("so-tu-phap", "van-phong-ubnd", "so-thong-tin-va-truyen-thong"),
    ),
)

# Criteria trees shipped as data: file, owner (None = shared by all provinces).
CRITERIA = (
    ("par-index-2017-province.yaml", None),
    ("camau-1880-2013.yaml", None),
    ("demo-lao-cai-2020-illustrative.yaml", DEMO_PROVINCE),
)


class DemoError(Exception):
    pass


def demo_exists() -> bool:
    return Organisation.objects.filter(code=DEMO_PROVINCE, province__isnull=True).exists()


@transaction.atomic
def load_demo() -> list[DemoPerson]:
    if demo_exists():
        raise DemoError("the demo province is already loaded")
    provinces = _load_orgs(load_bundled())
    _load_criteria(provinces)
    _load_people(provinces[DEMO_PROVINCE])
    _load_plan(provinces[DEMO_PROVINCE])
    return list(PEOPLE)


def _load_orgs(document: OrgsDocument) -> dict[str, Organisation]:
    provinces: dict[str, Organisation] = {}
    by_ref: dict[str, Organisation] = {}
    for spec in document.provinces:
        province = actions.create_province(
            by=None,
            name=spec.name,
            code=spec.code,
            valid_from=spec.valid_from,
            valid_to=spec.valid_to,
            note=spec.note,
        )
        provinces[spec.code] = by_ref[spec.code] = province
        created: dict[str, Organisation] = {}
        # Parents first: the file may list a commune before its district.
        pending = list(spec.agencies)
        while pending:
            progressed = False
            for agency in list(pending):
                if agency.parent_code and agency.parent_code not in created:
                    continue
                org = actions.create_organisation(
                    by=None,
                    province=province,
                    kind=agency.kind,
                    name=agency.name,
                    short_name=agency.short_name,
                    code=agency.code,
                    parent=created[agency.parent_code] if agency.parent_code else province,
                    valid_from=agency.valid_from,
                    valid_to=agency.valid_to if agency.valid_to is not None else spec.valid_to,
                    email=agency.email,
                    note=agency.note,
                )
                created[agency.code] = by_ref[f"{spec.code}/{agency.code}"] = org
                pending.remove(agency)
                progressed = True
            if not progressed:
                raise DemoError(f"{spec.code}: unresolved parents {[a.code for a in pending]}")
    grouped: dict[str, list[actions.SuccessorLink]] = {}
    dates = {}
    for succession in document.successions:
        grouped.setdefault(succession.from_ref, []).append(
            actions.SuccessorLink(by_ref[succession.to_ref], succession.kind, succession.note)
        )
        dates[succession.from_ref] = succession.on
    for ref, links in grouped.items():
        actions.close_organisation(by_ref[ref], by=None, on=dates[ref], successors=links)
    return provinces


def _load_criteria(provinces: dict[str, Organisation]) -> list[Framework]:
    frameworks = []
    for filename, owner in CRITERIA:
        path = CRITERIA_DIR / filename
        result = read_tree(path.read_bytes(), path.name)
        try:
            frameworks.append(
                criteria_actions.import_framework(
                    result, by=None, province=provinces[owner] if owner else None
                )
            )
        except criteria_actions.ImportRefused as refused:
            raise DemoError(f"{filename}: {refused.problems}") from None
    return frameworks


def _load_plan(province: Organisation) -> Plan:
    """The 2020 plan, read and approved the way a coordinator's upload is."""
    path = PLAN_FILE
    staged = plan_actions.stage_plan(
        by=None, province=province, filename=path.name, data=path.read_bytes()
    )
    try:
        return plan_actions.approve_import(staged, by=None)
    except ValidationError as refusal:
        raise DemoError(f"{path.name}: {refusal.messages}") from None


def _load_people(province: Organisation) -> None:
    agencies = {o.code: o for o in Organisation.objects.filter(province=province)}
    for person in PEOPLE:
        user = actions.create_person(
            by=None,
            username=person.username,
            full_name=person.full_name,
            organisation=agencies[person.agency],
            position=person.position,
            email=f"{person.username}@demo.parindex.local",
            password=DEMO_PASSWORD,
        )
        target = (
            province
            if person.role in (Role.COORDINATOR, Role.LEADER, Role.APPRAISER)
            else agencies[person.agency]
        )
        actions.assign_role(
            user,
            by=None,
            role=person.role,
            organisation=target,
            agencies=[agencies[c] for c in person.appraises],
        )
    admin = User.objects.create_superuser(
        "quantri", email="quantri@demo.parindex.local", password=DEMO_PASSWORD
    )
    admin.full_name = "Quản trị hệ thống"
    admin.save(update_fields=["full_name"])
