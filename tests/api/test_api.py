"""The API: token and session authentication, the same access rule and actions as the screens."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from parindex.api.main import api
from parindex.methodology import actions as criteria_actions
from parindex.methodology.importing import read_tree
from parindex.methodology.models import Band, Framework, FrameworkStatus, Node
from parindex.orgs import actions
from parindex.orgs.models import AuditEntry, Organisation, RoleAssignment, Succession, User
from tests.conftest import LaoCai

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "parindex" / "methodology" / "data"
OPENAPI = ROOT / "docs" / "openapi.json"


class Api:
    """A client for one person, authenticated by a personal token as a program would be."""

    def __init__(self, user: User) -> None:
        _token, self.key = actions.create_api_token(user, by=user, name="kiểm thử")
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {self.key}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, payload: Any) -> Any:
        return self.client.post(
            path, json.dumps(payload), content_type="application/json", headers=self.headers
        )

    def post_form(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data, headers=self.headers)

    def patch(self, path: str, payload: Any) -> Any:
        return self.client.patch(
            path, json.dumps(payload), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api_for(db: None) -> Callable[[User], Api]:
    return Api


def codes(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {org["code"] for org in response.json()}


def usernames(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {person["username"] for person in response.json()}


def counts() -> tuple[int, int, int, int, int]:
    return (
        Organisation.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        Framework.objects.count(),
        AuditEntry.objects.count(),
    )


# --- authentication ------------------------------------------------------------------------------


def test_a_personal_token_authenticates_as_its_owner_and_is_marked_used(
    reporter: User, api_for: Callable[[User], Api], lao_cai: LaoCai
) -> None:
    client = api_for(reporter)
    response = client.get("/api/orgs/me")
    assert response.status_code == 200
    me = response.json()
    assert (me["username"], me["organisation_id"], me["roles"], me["provinces"]) == (
        "minh.stp",
        lao_cai.justice.pk,
        ["reporter"],
        [lao_cai.province.pk],
    )
    token = reporter.api_tokens.get()
    assert token.last_used_at is not None
    assert token.prefix == client.key[:10] and token.digest != client.key  # only a digest is kept


def test_a_revoked_token_is_refused(reporter: User, api_for: Callable[[User], Api]) -> None:
    client = api_for(reporter)
    assert client.get("/api/orgs/me").status_code == 200
    actions.revoke_api_token(reporter.api_tokens.get(), by=reporter)
    assert client.get("/api/orgs/me").status_code == 401
    assert client.get("/api/people").status_code == 401


def test_a_token_of_a_deactivated_person_is_refused(
    coordinator: User, reporter: User, api_for: Callable[[User], Api]
) -> None:
    client = api_for(reporter)
    actions.update_person(reporter, by=coordinator, is_active=False)
    assert client.get("/api/orgs/me").status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer pi_not-a-real-token", "Bearer ", "Token pi_x", "Basic bWluaDpwYXNz"]
)
def test_a_wrong_or_missing_token_is_refused(header: str, reporter: User, client: Client) -> None:
    assert client.get("/api/orgs/me", headers={"Authorization": header}).status_code == 401
    assert client.get("/api/orgs/me").status_code == 401


def test_the_browser_session_authenticates_the_api(
    reporter: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(reporter).get("/api/orgs/me")
    assert response.status_code == 200
    assert response.json()["username"] == "minh.stp"


def test_a_session_write_without_the_csrf_token_is_refused(
    coordinator: User, lao_cai: LaoCai
) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator)
    before = counts()
    response = browser.post(
        "/api/orgs",
        json.dumps({"kind": "department", "name": "Sở Xây dựng", "code": "so-xay-dung"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert counts() == before


def test_a_person_can_create_a_token_on_their_account_page_and_use_it(
    reporter: User, client_for: Callable[[User], Client], client: Client
) -> None:
    from tests.web.pages import page

    doc = page(client_for(reporter).post("/account/", {"name": "đồng bộ một cửa"}))
    key = doc.one(data_new_token=True).one("code").text
    assert key.startswith("pi_")
    assert client.get("/api/orgs/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert AuditEntry.objects.filter(action="orgs.token.create", channel="web").exists()


# --- organisations -------------------------------------------------------------------------------


@pytest.fixture
def reorganised(coordinator: User, lao_cai: LaoCai, api_for: Callable[[User], Api]) -> Organisation:
    """1 July 2025 through the API: the district level goes, phường Cốc Lếu merges into a new
    phường Cam Đường. Returns the new ward."""
    client = api_for(coordinator)
    created = client.post(
        "/api/orgs",
        {
            "kind": "commune",
            "name": "UBND phường Cam Đường",
            "code": "cam-duong",
            "valid_from": "2025-07-01",
        },
    )
    assert created.status_code == 201, created.content
    ward = Organisation.objects.get(pk=created.json()["id"])
    closed = client.post(
        f"/api/orgs/{lao_cai.commune.pk}/close",
        {"on": "2025-07-01", "successor_ids": [ward.pk], "kind": "merged"},
    )
    assert closed.status_code == 200, closed.content
    for district in (lao_cai.city, lao_cai.bat_xat):
        response = client.post(f"/api/orgs/{district.pk}/close", {"on": "2025-07-01"})
        assert response.status_code == 200, response.content
    return ward


def test_organisations_as_of_a_date_follow_the_reorganisation(
    reorganised: Organisation, reporter: User, api_for: Callable[[User], Api]
) -> None:
    client = api_for(reporter)
    in_2020 = codes(client.get("/api/orgs", as_of="2020-06-11"))
    in_2025 = codes(client.get("/api/orgs", as_of="2025-08-01"))
    assert {"tp-lao-cai", "bat-xat", "coc-leu"} <= in_2020
    assert "cam-duong" not in in_2020
    assert "cam-duong" in in_2025
    assert not {"tp-lao-cai", "bat-xat", "coc-leu"} & in_2025
    assert {"lao-cai", "so-noi-vu", "so-tu-phap"} <= in_2020 & in_2025
    districts = client.get("/api/orgs", as_of="2025-08-01", kind="district")
    assert codes(districts) == set()


def test_an_organisation_shows_its_predecessors_and_successors(
    reorganised: Organisation, lao_cai: LaoCai, api_for: Callable[[User], Api], reporter: User
) -> None:
    client = api_for(reporter)
    old = client.get(f"/api/orgs/{lao_cai.commune.pk}").json()
    assert (old["valid_to"], old["successors"]) == (
        "2025-07-01",
        [
            {
                "predecessor_id": lao_cai.commune.pk,
                "successor_id": reorganised.pk,
                "kind": "merged",
                "on": "2025-07-01",
            }
        ],
    )
    new = client.get(f"/api/orgs/{reorganised.pk}").json()
    assert [link["predecessor_id"] for link in new["predecessors"]] == [lao_cai.commune.pk]
    assert Succession.objects.get().on == date(2025, 7, 1)


def test_a_coordinator_creates_an_agency_and_it_is_audited_as_api(
    coordinator: User, lao_cai: LaoCai, api_for: Callable[[User], Api]
) -> None:
    response = api_for(coordinator).post(
        "/api/orgs",
        {
            "kind": "department",
            "name": "Sở Xây dựng",
            "code": "so-xay-dung",
            "short_name": "SXD",
            "valid_from": "2008-04-01",
        },
    )
    assert response.status_code == 201
    body = response.json()
    org = Organisation.objects.get(pk=body["id"])
    assert (org.name, org.province, org.parent, org.valid_from) == (
        "Sở Xây dựng",
        lao_cai.province,
        lao_cai.province,
        date(2008, 4, 1),
    )
    assert body["province_id"] == lao_cai.province.pk
    entry = AuditEntry.objects.get(action="orgs.organisation.create", object_id=str(org.pk))
    assert (entry.channel, entry.actor) == ("api", coordinator)


@pytest.mark.parametrize("who", ["reporter", "leader", "appraiser"])
def test_anyone_but_the_coordinator_is_refused_creating_an_agency_and_nothing_is_saved(
    who: str, request: pytest.FixtureRequest, lao_cai: LaoCai, api_for: Callable[[User], Api]
) -> None:
    client = api_for(request.getfixturevalue(who))
    before = counts()
    payload = {"kind": "department", "name": "Sở Xây dựng", "code": "so-xay-dung"}
    assert client.post("/api/orgs", payload).status_code == 403
    assert client.post(f"/api/orgs?province_id={lao_cai.province.pk}", payload).status_code == 403
    assert counts() == before


def test_a_duplicate_code_is_a_422_with_the_reason(
    coordinator: User, api_for: Callable[[User], Api]
) -> None:
    client = api_for(coordinator)
    before = counts()
    response = client.post(
        "/api/orgs", {"kind": "department", "name": "Sở Tư pháp 2", "code": "so-tu-phap"}
    )
    assert response.status_code == 422
    assert response.json()["errors"]
    assert counts() == before


def test_a_coordinator_renames_an_agency_with_patch(
    coordinator: User, reporter: User, lao_cai: LaoCai, api_for: Callable[[User], Api]
) -> None:
    response = api_for(coordinator).patch(
        f"/api/orgs/{lao_cai.justice.pk}", {"name": "Sở Tư pháp tỉnh Lào Cai"}
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Sở Tư pháp tỉnh Lào Cai"
    lao_cai.justice.refresh_from_db()
    assert (lao_cai.justice.name, lao_cai.justice.code) == ("Sở Tư pháp tỉnh Lào Cai", "so-tu-phap")
    entry = AuditEntry.objects.get(action="orgs.organisation.update")
    assert (entry.channel, entry.changes["name"]) == (
        "api",
        ["Sở Tư pháp", "Sở Tư pháp tỉnh Lào Cai"],
    )

    refused = api_for(reporter).patch(f"/api/orgs/{lao_cai.justice.pk}", {"name": "Đổi"})
    assert refused.status_code == 403
    lao_cai.justice.refresh_from_db()
    assert lao_cai.justice.name == "Sở Tư pháp tỉnh Lào Cai"


def test_another_provinces_organisations_do_not_exist_for_the_api(
    outsider: User, lao_cai: LaoCai, api_for: Callable[[User], Api]
) -> None:
    client = api_for(outsider)
    assert codes(client.get("/api/orgs")) == {"yen-bai", "so-noi-vu"}
    assert client.get(f"/api/orgs/{lao_cai.justice.pk}").status_code == 404
    assert client.patch(f"/api/orgs/{lao_cai.justice.pk}", {"name": "Đổi"}).status_code == 404


# --- people --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("reporter", {"minh.stp", "hung.stp"}),
        ("appraiser", {"anh.thamdinh", "minh.stp", "hung.stp"}),
        ("district_head", {"nam.tplc"}),
        (
            "coordinator",
            {
                "hoa.snv",
                "minh.stp",
                "hung.stp",
                "lan.vpubnd",
                "nam.tplc",
                "thu.ubnd",
                "anh.thamdinh",
            },
        ),
        ("outsider", {"tuan.snvyb"}),
        ("citizen", {"binh.nguoidan"}),
    ],
)
def test_the_people_endpoint_lists_exactly_whom_the_caller_may_see(
    who: str,
    sees: set[str],
    request: pytest.FixtureRequest,
    api_for: Callable[[User], Api],
) -> None:
    for name in ("coordinator", "reporter", "other_reporter", "head", "district_head", "leader"):
        request.getfixturevalue(name)
    for name in ("appraiser", "outsider", "citizen"):
        request.getfixturevalue(name)
    assert usernames(api_for(request.getfixturevalue(who)).get("/api/people")) == sees


def test_a_reporter_cannot_read_another_agencys_person(
    reporter: User, other_reporter: User, head: User, api_for: Callable[[User], Api]
) -> None:
    client = api_for(reporter)
    assert client.get(f"/api/people/{other_reporter.pk}").status_code == 404
    colleague = client.get(f"/api/people/{head.pk}")
    assert colleague.status_code == 200
    assert colleague.json()["roles"][0]["role"] == "head"


def test_a_coordinator_adds_a_person_and_a_role_through_the_api(
    coordinator: User, lao_cai: LaoCai, api_for: Callable[[User], Api]
) -> None:
    client = api_for(coordinator)
    created = client.post(
        "/api/people",
        {
            "username": "thao.stp",
            "full_name": "Lò Thị Thảo",
            "organisation_id": lao_cai.justice.pk,
            "password": "Phan-Xi-Păng-3143",
        },
    )
    assert created.status_code == 201, created.content
    person = User.objects.get(username="thao.stp")
    assert person.check_password("Phan-Xi-Păng-3143")
    role = client.post(
        f"/api/people/{person.pk}/roles",
        {
            "role": "appraiser",
            "organisation_id": lao_cai.province.pk,
            "agency_ids": [lao_cai.office.pk],
        },
    )
    assert role.status_code == 201
    assert role.json()["roles"] == [
        {
            "id": RoleAssignment.objects.get(user=person).pk,
            "role": "appraiser",
            "organisation_id": lao_cai.province.pk,
            "agency_ids": [lao_cai.office.pk],
        }
    ]
    assert (
        AuditEntry.objects.get(object_type="orgs.user", object_id=str(person.pk)).channel == "api"
    )
    assert AuditEntry.objects.filter(action="orgs.role.assign", channel="api").count() == 1


def test_a_weak_password_through_the_api_is_a_422_and_nothing_is_saved(
    coordinator: User, lao_cai: LaoCai, api_for: Callable[[User], Api]
) -> None:
    client = api_for(coordinator)
    before = counts()
    response = client.post(
        "/api/people",
        {
            "username": "thao.stp",
            "full_name": "Lò Thị Thảo",
            "organisation_id": lao_cai.justice.pk,
            "password": "12345678",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"]
    assert counts() == before


def test_a_reporter_cannot_add_people_or_roles_through_the_api(
    reporter: User, head: User, lao_cai: LaoCai, api_for: Callable[[User], Api]
) -> None:
    client = api_for(reporter)
    before = counts()
    assert (
        client.post(
            "/api/people",
            {"username": "x.stp", "full_name": "X", "organisation_id": lao_cai.justice.pk},
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/people/{head.pk}/roles",
            {"role": "coordinator", "organisation_id": lao_cai.province.pk},
        ).status_code
        == 403
    )
    assert client.patch(f"/api/people/{head.pk}", {"full_name": "Đổi"}).status_code == 403
    assert counts() == before


# --- criteria trees ------------------------------------------------------------------------------


BAD_TABLE = (
    "1 | Lĩnh vực | 4\n"
    "1.1 | Điểm viết bằng chữ | hai\n  Đạt: 2\n"
    "1.2 | Tiêu chí | 2\n  Đạt: 2\n"
    "1.2 | Lặp mã | 2\n  Đạt: 2\n"
)


def test_a_malformed_tree_is_a_422_naming_the_lines_and_nothing_is_saved(
    coordinator: User, api_for: Callable[[User], Api]
) -> None:
    client = api_for(coordinator)
    before = (counts(), Node.objects.count(), Band.objects.count())
    response = client.post_form("/api/criteria/import", {"text": BAD_TABLE, "name": "Hỏng"})
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert [(p["kind"], p["line"], p["severity"]) for p in problems] == [
        ("bad_points", 2, "error"),
        ("duplicate_code", 6, "error"),
    ]
    assert all(str(p["line"]) in p["message"] for p in problems)
    assert (counts(), Node.objects.count(), Band.objects.count()) == before


def test_a_good_yaml_file_is_imported_with_201_and_the_tree_in_the_answer(
    coordinator: User, lao_cai: LaoCai, api_for: Callable[[User], Api]
) -> None:
    path = SHIPPED / "demo-lao-cai-2020-illustrative.yaml"
    response = api_for(coordinator).post_form(
        "/api/criteria/import", {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    framework = Framework.objects.get(pk=body["id"])
    assert (framework.province, framework.status, body["status"]) == (
        lao_cai.province,
        FrameworkStatus.VALID,
        "valid",
    )
    assert len(body["nodes"]) == framework.nodes.count() > 50
    assert body["problems"] == []
    assert AuditEntry.objects.get(action="methodology.framework.import").channel == "api"


def test_a_draft_imported_through_the_api_lists_its_gaps(
    coordinator: User, api_for: Callable[[User], Api]
) -> None:
    text = (
        ROOT / "tests" / "methodology" / "data" / "reference" / "raw" / "camau-1880-01.txt"
    ).read_text()
    response = api_for(coordinator).post_form(
        "/api/criteria/import", {"text": text, "name": "Cà Mau 1880"}
    )
    assert response.status_code == 201
    assert [(p["kind"], p["where"]) for p in response.json()["problems"]] == [
        ("children_sum", "1"),
        ("leaf_without_bands", "1.3"),
        ("no_total", ""),
    ]


def test_a_reporter_cannot_import_a_tree_through_the_api(
    reporter: User, api_for: Callable[[User], Api]
) -> None:
    client = api_for(reporter)
    before = counts()
    response = client.post_form(
        "/api/criteria/import", {"text": "1 | A | 1\n  Đạt: 1\n", "name": "A"}
    )
    assert response.status_code == 403
    assert counts() == before


def test_a_tree_exports_as_xlsx_and_yaml_through_the_api(
    reporter: User, lao_cai: LaoCai, api_for: Callable[[User], Api]
) -> None:
    path = SHIPPED / "camau-1880-2013.yaml"
    framework = criteria_actions.import_framework(
        read_tree(path.read_bytes(), path.name), by=None, province=lao_cai.province
    )
    client = api_for(reporter)
    xlsx = client.get(f"/api/criteria/{framework.pk}/export", format="xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].endswith(f'"{framework.code}-v1.xlsx"')
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    assert {"1.1.4", "Mức độ thực hiện kế hoạch CCHC"} <= cells
    yaml_text = client.get(f"/api/criteria/{framework.pk}/export", format="yaml").content.decode()
    assert read_tree(yaml_text.encode(), "x.yaml").spec is not None
    assert client.get(f"/api/criteria/{framework.pk}/export", format="pdf").status_code == 400


def test_a_coordinator_completes_a_node_through_the_api_and_a_reporter_cannot(
    coordinator: User, reporter: User, lao_cai: LaoCai, api_for: Callable[[User], Api]
) -> None:
    path = SHIPPED / "camau-1880-2013.yaml"
    framework = criteria_actions.import_framework(
        read_tree(path.read_bytes(), path.name), by=None, province=lao_cai.province
    )
    node = framework.nodes.get(code="1.3")
    bands = [{"label": "Đạt", "points": "3"}, {"label": "Không đạt", "points": "0"}]
    refused = api_for(reporter).client.put(
        f"/api/criteria/nodes/{node.pk}/bands",
        json.dumps(bands),
        content_type="application/json",
        headers=api_for(reporter).headers,
    )
    assert refused.status_code == 403
    assert not node.bands.exists()
    coordinator_api = api_for(coordinator)
    response = coordinator_api.client.put(
        f"/api/criteria/nodes/{node.pk}/bands",
        json.dumps(bands),
        content_type="application/json",
        headers=coordinator_api.headers,
    )
    assert response.status_code == 200
    assert [b["label"] for b in response.json()["bands"]] == ["Đạt", "Không đạt"]
    detail = coordinator_api.get(f"/api/criteria/{framework.pk}").json()
    assert [(p["kind"], p["where"]) for p in detail["problems"]] == [
        ("children_sum", "1"),
        ("no_total", ""),
    ]


# --- the schema ----------------------------------------------------------------------------------


def test_the_interactive_docs_and_the_schema_are_served(
    reporter: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(reporter)
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert b"openapi.json" in docs.content
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    assert "/api/criteria/import" in schema.json()["paths"]


REGENERATE = ".venv/bin/python -m parindex.api.schema > docs/openapi.json"


def test_the_committed_openapi_schema_is_the_one_the_code_serves() -> None:
    assert OPENAPI.exists(), f"docs/openapi.json is missing: run `{REGENERATE}`"
    committed = json.loads(OPENAPI.read_text(encoding="utf-8"))
    live = json.loads(json.dumps(api.get_openapi_schema()))
    assert committed == live, (
        f"docs/openapi.json is out of date with the API: run `{REGENERATE}` and commit it"
    )


def test_the_schema_module_prints_the_committed_file_byte_for_byte(tmp_path: Path) -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "parindex.api.schema"],
        capture_output=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    ).stdout
    assert printed == OPENAPI.read_bytes(), f"run `{REGENERATE}`"
