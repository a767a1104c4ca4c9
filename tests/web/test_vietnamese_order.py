"""Lists people read are in Vietnamese alphabetical order, not the database's byte order:
Bảo Thắng before Bát Xát, Sở Kế hoạch before Sở Khoa học, d before đ, a before ă and â."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from parindex.lib.text import fold
from parindex.orgs import actions
from parindex.orgs.models import Organisation, OrgKind, User
from tests.conftest import LaoCai, make_person

ClientFor = Callable[[User], Client]

# Each pair is out of order in SQLite's and PostgreSQL's C collation or accent-folded order.
DEPARTMENTS = ["Sở Du lịch", "Sở Địa chính", "Sở Kế hoạch và Đầu tư", "Sở Khoa học và Công nghệ"]
DISTRICTS = ["UBND huyện Bảo Thắng", "UBND huyện Bát Xát"]


def add(lao_cai: LaoCai, kind: str, name: str) -> Organisation:
    return actions.create_organisation(
        by=None,
        province=lao_cai.province,
        kind=kind,
        name=name,
        code=fold(name).replace(" ", "-"),
        parent=lao_cai.province,
    )


@pytest.fixture
def agencies(lao_cai: LaoCai) -> dict[str, Organisation]:
    # Created in reverse so that the order of creation cannot pass for the right one.
    made = {name: add(lao_cai, OrgKind.DEPARTMENT, name) for name in reversed(DEPARTMENTS)}
    made["UBND huyện Bảo Thắng"] = add(lao_cai, OrgKind.DISTRICT, "UBND huyện Bảo Thắng")
    made["UBND huyện Bát Xát"] = lao_cai.bat_xat
    return made


def in_order(text: str, names: list[str]) -> bool:
    places = [text.index(name) for name in names]
    return places == sorted(places)


def test_organisation_tree_lists_agencies_in_vietnamese_order(
    agencies: dict[str, Organisation], coordinator: User, client_for: ClientFor
) -> None:
    html = client_for(coordinator).get("/orgs/").content.decode()
    assert in_order(html, DEPARTMENTS)
    assert in_order(html, DISTRICTS)


def test_agency_pickers_offer_agencies_in_vietnamese_order(
    agencies: dict[str, Organisation], coordinator: User, client_for: ClientFor
) -> None:
    html = client_for(coordinator).get("/people/new/").content.decode()
    assert in_order(html, DEPARTMENTS)
    assert in_order(html, DISTRICTS)


def test_people_are_listed_by_agency_and_name_in_vietnamese_order(
    agencies: dict[str, Organisation], coordinator: User, client_for: ClientFor
) -> None:
    make_person("bat.xat", "Lò Văn Anh", agencies["UBND huyện Bát Xát"])
    make_person("bao.thang.2", "Lò Thị Ăn", agencies["UBND huyện Bảo Thắng"])
    make_person("bao.thang.1", "Lò Thị Anh", agencies["UBND huyện Bảo Thắng"])
    html = client_for(coordinator).get("/people/").content.decode()
    assert in_order(html, ["Lò Thị Anh", "Lò Thị Ăn", "Lò Văn Anh"])


def test_api_lists_organisations_in_vietnamese_order(
    agencies: dict[str, Organisation], coordinator: User, client_for: ClientFor
) -> None:
    listed = [o["name"] for o in client_for(coordinator).get("/api/orgs").json()]
    assert [n for n in listed if n in DEPARTMENTS] == DEPARTMENTS
    assert [n for n in listed if n in DISTRICTS] == DISTRICTS


def test_command_line_lists_organisations_in_vietnamese_order(
    agencies: dict[str, Organisation],
) -> None:
    out = StringIO()
    call_command("orgs", "list", stdout=out)
    assert in_order(out.getvalue(), DEPARTMENTS)
    assert in_order(out.getvalue(), DISTRICTS)


def test_people_export_lists_agencies_in_vietnamese_order(
    agencies: dict[str, Organisation], coordinator: User, client_for: ClientFor
) -> None:
    make_person("bat.xat", "Lò Văn Anh", agencies["UBND huyện Bát Xát"])
    make_person("bao.thang", "Lò Thị Anh", agencies["UBND huyện Bảo Thắng"])
    response = client_for(coordinator).get("/api/exports/people.csv")
    text = b"".join(response.streaming_content if response.streaming else [response.content])  # type: ignore[attr-defined]
    assert in_order(text.decode("utf-8-sig"), ["Lò Thị Anh", "Lò Văn Anh"])
