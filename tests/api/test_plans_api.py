"""The plans API: read a plan without saving, import it in one step, list and read plans."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.orgs import actions as org_actions
from parindex.orgs.models import AuditEntry, User
from parindex.plans import actions
from parindex.plans.models import Plan, PlanImport, Responsibility, TargetAgency
from parindex.plans.proposal import COMPARATORS, PERIODS, UNITS
from tests.conftest import LaoCai
from tests.plans.support import (
    NEWS,
    NOTHING,
    SEED,
    SEED_BYTES,
    SEED_TEXT,
    SEED_WORDED,
    SeedAgencies,
    add_seed_agencies,
    answer_open_measures,
    illustrative_tree,
    plan_rows,
    small_plan,
)
from tests.web.pages import vi

# The documented JSON shape (docs/plan-import.md), key by key.
PROPOSAL_KEYS = {
    "number", "date", "issuer", "signer", "title", "year", "index", "baseline", "goals", "areas",
    "duties", "warnings",
}  # fmt: skip
AREA_KEYS = {"number", "title", "line", "lead", "coordinating", "lead_parts", "source", "targets"}
TARGET_KEYS = {"text", "line", "quantities", "children", "lead", "coordinating", "deadline"}
QUANTITY_KEYS = {
    "subject", "comparator", "value", "value_high", "unit", "relative_to", "direction",
    "unit_label", "measure",
}  # fmt: skip
DUTY_KEYS = {"who", "what", "to", "periods", "text", "line"}


class Api:
    """A client for one person, authenticated by a personal token as a program would be."""

    def __init__(self, user: User) -> None:
        _token, key = org_actions.create_api_token(user, by=user, name="kiểm thử kế hoạch")
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self.headers)

    def post_form(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data, headers=self.headers)

    def upload(self, path: str, name: str, data: bytes, **fields: Any) -> Any:
        upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
        return self.post_form(path, {"file": upload, **fields})


ApiFor = Callable[[User], Api]


@pytest.fixture
def api_for(db: None) -> ApiFor:
    return Api


@pytest.fixture
def seed_agencies(lao_cai: LaoCai) -> SeedAgencies:
    agencies = add_seed_agencies(lao_cai.province)
    illustrative_tree(lao_cai.province)
    return agencies


def walk(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for target in targets:
        out.append(target)
        out.extend(walk(target["children"]))
    return out


# --- reading without saving ---------------------------------------------------------------------


def test_parsing_returns_the_documented_shape_and_saves_nothing(
    api_for: ApiFor, coordinator: User
) -> None:
    response = api_for(coordinator).post_form("/api/plans/parse", {"text": SEED_TEXT})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == PROPOSAL_KEYS
    assert (body["number"], body["date"], body["year"], body["index"]) == (
        "165/KH-UBND",
        "2020-06-11",
        2020,
        "PAR INDEX",
    )
    assert len(body["areas"]) == 8
    assert all(set(area) == AREA_KEYS for area in body["areas"])
    targets = [t for area in body["areas"] for t in walk(area["targets"])]
    assert len(targets) == 58
    assert all(set(t) == TARGET_KEYS for t in targets)
    quantities = [q for t in targets for q in t["quantities"]]
    assert len(quantities) == 56
    assert all(set(q) == QUANTITY_KEYS for q in quantities)
    assert {q["comparator"] for q in quantities} <= set(COMPARATORS)
    assert {q["unit"] for q in quantities} <= set(UNITS)
    assert all(isinstance(q["value"], int | float) for q in quantities)
    between = [q for q in quantities if q["comparator"] == "between"]
    assert [(q["value"], q["value_high"]) for q in between] == [(70, 100), (70, 100), (95, 100)]
    assert all(q["value_high"] is None for q in quantities if q["comparator"] != "between")
    assert all(set(d) == DUTY_KEYS for d in body["duties"])
    assert {p for d in body["duties"] for p in d["periods"]} <= set(PERIODS)
    assert [w["kind"] for w in body["warnings"]] == ["ignored_lines", "ignored_lines"]
    assert plan_rows() == NOTHING


def test_parsing_an_uploaded_file_reads_it_by_its_extension(
    api_for: ApiFor, coordinator: User
) -> None:
    html = (SEED.parent / "web-page.html").read_bytes()
    response = api_for(coordinator).upload("/api/plans/parse", "ke-hoach.html", html)
    assert response.status_code == 200, response.content
    assert response.json()["number"] == "45/KH-UBND"
    assert plan_rows() == NOTHING


def test_parsing_a_text_that_is_not_a_plan_answers_an_empty_proposal_with_a_warning(
    api_for: ApiFor, coordinator: User
) -> None:
    response = api_for(coordinator).post_form("/api/plans/parse", {"text": NEWS})
    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["areas"], body["goals"]) == (None, [], [])
    assert [w["kind"] for w in body["warnings"]] == ["not_a_plan"]


def test_only_those_who_import_plans_may_have_one_read(api_for: ApiFor, reporter: User) -> None:
    # Reading is the costly part of an upload: the role is settled before it.
    response = api_for(reporter).post_form("/api/plans/parse", {"text": SEED_TEXT})
    assert response.status_code == 403


def test_parsing_needs_a_signed_in_person(db: None) -> None:
    response = Client().post("/api/plans/parse", {"text": SEED_TEXT})
    assert response.status_code == 401


# --- importing in one step ----------------------------------------------------------------------


def test_a_one_step_import_is_refused_while_the_wording_leaves_a_figure_open(
    api_for: ApiFor, coordinator: User, seed_agencies: SeedAgencies
) -> None:
    response = api_for(coordinator).upload("/api/plans/import", SEED.name, SEED_BYTES)
    assert response.status_code == 422
    assert response.json()["problems"] == [
        vi(
            "%(where)s: say what the reported figure is.",
            where=vi("%(where)s, quantity %(n)s", where=vi("Target %(path)s", path="8.2.2"), n=1),
        )
    ]
    assert Plan.objects.count() == 0


def test_a_coordinator_imports_the_seed_in_one_step(
    api_for: ApiFor, coordinator: User, lao_cai: LaoCai, seed_agencies: SeedAgencies
) -> None:
    response = api_for(coordinator).upload("/api/plans/import", SEED.name, SEED_WORDED.encode())
    assert response.status_code == 201, response.content
    body = response.json()
    plan = Plan.objects.get()
    assert (body["id"], body["number"], body["date"], body["year"]) == (
        plan.pk,
        "165/KH-UBND",
        "2020-06-11",
        2020,
    )
    assert body["province_id"] == lao_cai.province.pk
    assert body["baseline"]["points"] == 82.85
    assert len(body["targets"]) == plan.targets.count() == 58
    iso = next(t for t in body["targets"] if "ISO 9001" in t["text"])
    assert (iso["area_number"], iso["lead_ids"]) == ("7", [seed_agencies.science.pk])
    assert set(iso["periods"]) == {"quarter", "half_year", "year"}
    assert lao_cai.justice.pk in iso["coordinating_ids"]
    on_time = next(t for t in body["targets"] if t["text"].startswith("Kết quả giải quyết TTHC"))
    assert [
        (q["comparator"], float(q["value"]), q["value_high"] and float(q["value_high"]), q["unit"])
        for q in on_time["quantities"]
    ] == [("between", 95.0, 100.0, "percent"), (">=", 80.0, None, "percent")]
    budget = next(t for t in body["targets"] if "thu ngân sách năm 2020" in t["text"])
    assert [(q["measure"], q["relative_kind"]) for q in budget["quantities"]] == [
        ("above_reference", "plan")
    ]
    children = [t for t in body["targets"] if t["parent_id"] is not None]
    assert len(children) == 25
    leads = TargetAgency.objects.filter(target_id=iso["id"], responsibility=Responsibility.LEAD)
    assert list(leads.values_list("organisation", flat=True)) == [seed_agencies.science.pk]
    assert list(
        AuditEntry.objects.filter(action__startswith="plans.")
        .order_by("id")
        .values_list("action", "channel", "actor")
    ) == [
        ("plans.import.stage", "api", coordinator.pk),
        ("plans.plan.approve", "api", coordinator.pk),
    ]


@pytest.mark.parametrize("person", ["reporter", "leader", "citizen"])
def test_only_coordinators_import_plans_and_nothing_is_saved_otherwise(
    person: str, api_for: ApiFor, seed_agencies: SeedAgencies, request: pytest.FixtureRequest
) -> None:
    api = api_for(request.getfixturevalue(person))
    response = api.upload("/api/plans/import", SEED.name, SEED_BYTES)
    assert response.status_code == 403, response.content
    assert plan_rows() == NOTHING


def test_a_coordinator_cannot_import_into_another_province(
    api_for: ApiFor, outsider: User, lao_cai: LaoCai, seed_agencies: SeedAgencies
) -> None:
    response = api_for(outsider).upload(
        "/api/plans/import", SEED.name, SEED_BYTES, province_id=lao_cai.province.pk
    )
    # Another province is not one the outsider sees: not found, as for any object of it.
    assert response.status_code == 404, response.content
    assert plan_rows() == NOTHING


def test_a_plan_naming_an_unknown_agency_is_refused_listing_it_and_nothing_is_saved(
    api_for: ApiFor, coordinator: User, lao_cai: LaoCai
) -> None:
    text = small_plan(12, lead="Sở Ngoại vụ")
    response = api_for(coordinator).post_form("/api/plans/import", {"text": text})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == "the plan needs review; nothing was saved"
    assert [p for p in body["problems"] if "Sở Ngoại vụ" in p] != []
    assert all("Sở Tư pháp" not in p for p in body["problems"])  # that one is matched
    assert plan_rows() == NOTHING
    assert not PlanImport.objects.exists()


def test_a_document_that_is_not_a_plan_is_refused_and_nothing_is_saved(
    api_for: ApiFor, coordinator: User, lao_cai: LaoCai
) -> None:
    response = api_for(coordinator).upload("/api/plans/import", "tin-tuc.txt", NEWS.encode())
    assert response.status_code == 422, response.content
    assert "tin-tuc.txt" in response.json()["detail"]
    assert response.json()["problems"] == []
    assert plan_rows() == NOTHING


def test_importing_the_same_plan_twice_is_refused_the_second_time(
    api_for: ApiFor, coordinator: User, lao_cai: LaoCai
) -> None:
    api = api_for(coordinator)
    assert api.post_form("/api/plans/import", {"text": small_plan(12)}).status_code == 201
    before = plan_rows()
    plan = Plan.objects.get()
    response = api.post_form("/api/plans/import", {"text": small_plan(12)})
    assert response.status_code == 409, response.content
    body = response.json()
    assert "12/KH-UBND" in body["detail"]
    assert (body["plan_id"], body["url"]) == (plan.pk, f"/plans/{plan.pk}/")
    assert plan_rows() == before


# --- reading plans ------------------------------------------------------------------------------


@pytest.fixture
def plan(seed_agencies: SeedAgencies, lao_cai: LaoCai, coordinator: User) -> Plan:
    staged = actions.stage_plan(
        by=coordinator, province=lao_cai.province, filename=SEED.name, data=SEED_BYTES
    )
    return actions.approve_import(answer_open_measures(staged), by=coordinator)


@pytest.fixture
def later_plan(plan: Plan, lao_cai: LaoCai, coordinator: User) -> Plan:
    staged = actions.stage_plan(
        by=coordinator,
        province=lao_cai.province,
        filename="31.txt",
        data=small_plan(31).encode(),
    )
    return actions.approve_import(staged, by=coordinator)


@pytest.mark.parametrize("person", ["coordinator", "reporter", "leader", "district_head"])
def test_the_plans_of_the_province_are_listed_for_everyone_working_there(
    person: str, api_for: ApiFor, plan: Plan, later_plan: Plan, request: pytest.FixtureRequest
) -> None:
    api = api_for(request.getfixturevalue(person))
    response = api.get("/api/plans")
    assert response.status_code == 200
    assert [(p["id"], p["number"], p["year"]) for p in response.json()] == [
        (later_plan.pk, "31/KH-UBND", 2021),
        (plan.pk, "165/KH-UBND", 2020),
    ]
    only_2020 = api.get("/api/plans?year=2020").json()
    assert [p["id"] for p in only_2020] == [plan.pk]
    detail = api.get(f"/api/plans/{plan.pk}")
    assert detail.status_code == 200
    assert len(detail.json()["targets"]) == 58


def test_another_provinces_plans_are_neither_listed_nor_readable(
    api_for: ApiFor, outsider: User, citizen: User, plan: Plan
) -> None:
    for person in (outsider, citizen):
        api = api_for(person)
        assert api.get("/api/plans").json() == []
        assert api.get(f"/api/plans/{plan.pk}").status_code == 404


def test_reading_plans_needs_a_signed_in_person(plan: Plan) -> None:
    assert Client().get("/api/plans").status_code == 401
    assert Client().get(f"/api/plans/{plan.pk}").status_code == 401
