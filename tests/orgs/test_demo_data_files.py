"""The data shipped for the demo province: Lào Cai's organisations and the illustrative tree.

No Django and no database: the organisations file goes through the pure reader, the criteria tree
is checked with plain YAML and Decimal, independently of the methodology loader.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml

from parindex.orgs.demo_data import OrgsDocument, bundled_path, load_orgs

ROOT = Path(__file__).resolve().parents[2]
TREE_PATH = ROOT / "parindex" / "methodology" / "data" / "demo-lao-cai-2020-illustrative.yaml"
SEED_PATH = ROOT.parent / "shared" / "seed" / "ke-hoach-165-KH-UBND-lao-cai-2020.txt"

PLAN_DATE = date(2020, 6, 11)  # Kế hoạch 165/KH-UBND
OLD = "lao-cai-1991"
NEW = "lao-cai-2025"

# The lead agencies named in section II of the plan.
PLAN_LEAD_AGENCIES = [
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Văn phòng UBND tỉnh",
    "Sở Tài chính",
    "Sở Thông tin và Truyền thông",
    "Sở Khoa học và Công nghệ",
    "Sở Kế hoạch và Đầu tư",
]
DISTRICTS_2020 = {
    "UBND thành phố Lào Cai",
    "UBND thị xã Sa Pa",
    "UBND huyện Bát Xát",
    "UBND huyện Mường Khương",
    "UBND huyện Si Ma Cai",
    "UBND huyện Bắc Hà",
    "UBND huyện Bảo Thắng",
    "UBND huyện Bảo Yên",
    "UBND huyện Văn Bàn",
}
DEPARTMENTS_AFTER_2025 = {
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường",
    "Sở Xây dựng",
    "Sở Khoa học và Công nghệ",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Thanh tra tỉnh",
    "Văn phòng Ủy ban nhân dân tỉnh",
    "Sở Dân tộc và Tôn giáo",
    "Sở Ngoại vụ",
}
DOMAIN_MAXIMA_2948 = ["10", "10", "14.5", "11", "16", "7", "16", "15.5"]


# --- Lào Cai's organisations --------------------------------------------------------------------


@pytest.fixture(scope="module")
def orgs() -> OrgsDocument:
    return load_orgs(bundled_path().read_bytes())


def _names(agencies: list[Any]) -> set[str]:
    return {a.name for a in agencies} | {a.short_name for a in agencies if a.short_name}


def test_orgs_file_cites_the_documents_its_facts_come_from():
    text = bundled_path().read_text(encoding="utf-8")
    for citation in (
        "Kế hoạch 165/KH-UBND",
        "Nghị quyết 767/NQ-UBTVQH14",
        "Nghị quyết 202/2025/QH15",
        "Luật Tổ chức chính quyền địa phương 2025",
        "Nghị định 45/2025/NĐ-CP",
    ):
        assert citation in text


def test_nine_district_level_units_existed_on_the_plan_date(orgs):
    districts = orgs.agencies_as_of(OLD, PLAN_DATE, kinds=["district"])
    assert {d.name for d in districts} == DISTRICTS_2020


def test_sa_pa_was_a_town_not_a_district_from_2020(orgs):
    [change] = orgs.successors_of(f"{OLD}/huyen-sa-pa")
    assert (change.to_ref, change.kind, change.on) == (
        f"{OLD}/tx-sa-pa",
        "renamed",
        date(2020, 1, 1),
    )
    assert "UBND huyện Sa Pa" in _names(orgs.agencies_as_of(OLD, date(2019, 12, 31)))


def test_departments_named_in_the_plan_existed_on_the_plan_date(orgs):
    names = _names(orgs.agencies_as_of(OLD, PLAN_DATE, kinds=["department"]))
    assert [n for n in PLAN_LEAD_AGENCIES if n not in names] == []


@pytest.mark.skipif(not SEED_PATH.exists(), reason="../shared/seed is not present")
def test_the_plan_really_names_those_lead_agencies():
    seed = SEED_PATH.read_text(encoding="utf-8")
    assert [n for n in PLAN_LEAD_AGENCIES if n not in seed] == []


def test_the_province_had_its_usual_sectoral_departments_in_2020(orgs):
    names = _names(orgs.agencies_as_of(OLD, PLAN_DATE))
    for name in (
        "Ủy ban nhân dân tỉnh Lào Cai",
        "Sở Công Thương",
        "Sở Xây dựng",
        "Sở Giao thông vận tải",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "Sở Tài nguyên và Môi trường",
        "Sở Lao động - Thương binh và Xã hội",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Giáo dục và Đào tạo",
        "Sở Y tế",
        "Sở Ngoại vụ",
        "Thanh tra tỉnh",
        "Ban Dân tộc",
        "Ban Quản lý Khu kinh tế tỉnh Lào Cai",
    ):
        assert name in names
    # Tourism became a department of its own only in 2022.
    assert "Sở Du lịch" not in names
    assert "Sở Du lịch" in _names(orgs.agencies_as_of(OLD, date(2023, 1, 1)))


def test_communes_of_2020_belong_to_the_city(orgs):
    communes = orgs.agencies_as_of(OLD, PLAN_DATE, kinds=["commune"])
    assert 3 <= len(communes) <= 5
    assert {c.parent_code for c in communes} == {"tp-lao-cai"}


def test_no_district_level_unit_exists_after_july_2025(orgs):
    day = date(2025, 8, 1)
    everything = [a for p in orgs.provinces_as_of(day) for a in orgs.agencies_as_of(p.code, day)]
    assert everything, "the merged province has agencies"
    assert [a.code for a in everything if a.kind == "district"] == []
    for district in orgs.province(OLD).agencies:
        if district.kind == "district":
            assert district.valid_to is not None and district.valid_to <= date(2025, 7, 1)


def test_district_level_units_end_without_successor(orgs):
    ended = [
        a for a in orgs.province(OLD).agencies if a.kind == "district" and a.code != "huyen-sa-pa"
    ]
    assert len(ended) == 9
    assert [a.code for a in ended if orgs.successors_of(f"{OLD}/{a.code}")] == []


def test_lao_cai_and_yen_bai_merged_into_the_new_lao_cai(orgs):
    merged = {(s.from_ref, s.kind, s.on) for s in orgs.predecessors_of(NEW)}
    assert merged == {
        (OLD, "merged", date(2025, 7, 1)),
        ("yen-bai-1991", "merged", date(2025, 7, 1)),
    }
    assert [p.code for p in orgs.provinces_as_of(date(2025, 8, 1))] == [NEW]


def test_march_2025_mergers_inside_the_old_province(orgs):
    def successors(code: str) -> set[tuple[str, str]]:
        return {
            (s.to_ref.split("/")[1], s.kind)
            for s in orgs.successors_of(f"{OLD}/{code}")
            if s.on == date(2025, 3, 1)
        }

    assert successors("so-ke-hoach-va-dau-tu") == {("so-tai-chinh-2025", "merged")}
    assert successors("so-giao-thong-van-tai") == {("so-xay-dung-2025", "merged")}
    assert successors("so-tai-nguyen-va-moi-truong") == {("so-nong-nghiep-va-moi-truong", "merged")}
    assert ("so-noi-vu-2025", "merged") in successors("so-lao-dong-tbxh")
    assert ("so-khoa-hoc-va-cong-nghe-2025", "merged") in successors("so-thong-tin-va-truyen-thong")
    assert successors("ban-dan-toc") == {("so-dan-toc-va-ton-giao", "renamed")}
    departments = orgs.agencies_as_of(OLD, date(2025, 3, 15), kinds=["department"])
    assert len(departments) == 15  # 14 cơ quan chuyên môn + Ban Quản lý Khu kinh tế


def test_merged_province_has_the_2025_departments_each_with_an_old_lao_cai_predecessor(orgs):
    agencies = orgs.agencies_as_of(NEW, date(2025, 8, 1))
    assert {a.name for a in agencies if a.kind == "department"} == DEPARTMENTS_AFTER_2025
    for agency in agencies:
        sources = {s.from_ref.split("/")[0] for s in orgs.predecessors_of(f"{NEW}/{agency.code}")}
        assert OLD in sources, agency.code
    assert {s.from_ref for s in orgs.predecessors_of(f"{NEW}/ubnd-tinh")} == {
        f"{OLD}/ubnd-tinh",
        "yen-bai-1991/ubnd-tinh",
    }


def test_every_old_department_alive_on_the_eve_of_the_merger_is_accounted_for(orgs):
    eve = date(2025, 6, 30)
    for agency in orgs.agencies_as_of(OLD, eve, kinds=["ppc", "department"]):
        ref = f"{OLD}/{agency.code}"
        if agency.code == "ban-quan-ly-khu-kinh-te":
            assert "not modelled" in agency.note
            continue
        assert [s.to_ref.split("/")[0] for s in orgs.successors_of(ref)] == [NEW], ref


# --- the illustrative criteria tree -------------------------------------------------------------


@pytest.fixture(scope="module")
def tree() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(TREE_PATH.read_text(encoding="utf-8"))
    return data


def _dec(value: object) -> Decimal:
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    return Decimal(str(value))


def _parent(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def _leaves(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    parents = {_parent(n["code"]) for n in nodes}
    return [n for n in nodes if n["code"] not in parents]


def test_tree_says_it_is_illustrative(tree):
    assert tree["format"] == "parindex-criteria/1"
    assert "minh họa" in tree["name"] and "không phải văn bản chính thức" in tree["name"]
    assert "165/KH-UBND" in tree["description"] and "2948/QĐ-BNV" in tree["description"]
    assert tree["decision"] == {"number": "", "date": None, "issuer": ""}
    assert (tree["years"], tree["level"], tree["total"]) == ([2020, 2020], "province", 100)


def test_tree_codes_are_unique_and_in_reading_order(tree):
    codes = [n["code"] for n in tree["nodes"]]
    assert [c for c, k in Counter(codes).items() if k > 1] == []
    keys = [tuple(int(part) for part in c.split(".")) for c in codes]
    assert keys == sorted(keys)
    seen: set[str] = set()
    last_child: dict[str | None, int] = {}
    for code in codes:
        parent = _parent(code)
        assert parent is None or parent in seen, f"{code} comes before its parent"
        number = int(code.rsplit(".", 1)[-1])
        assert number == last_child.get(parent, 0) + 1, f"{code} skips a number"
        last_child[parent] = number
        seen.add(code)


def test_domains_are_the_eight_of_the_plan_with_the_2017_maxima(tree):
    domains = [n for n in tree["nodes"] if "." not in n["code"]]
    assert [_dec(d["max_points"]) for d in domains] == [Decimal(m) for m in DOMAIN_MAXIMA_2948]
    assert sum(_dec(d["max_points"]) for d in domains) == Decimal(tree["total"])
    if SEED_PATH.exists():
        seed = SEED_PATH.read_text(encoding="utf-8").lower()
        assert [d["code"] for d in domains if d["name"].lower() not in seed] == []


def test_children_points_sum_exactly_to_their_parent(tree):
    nodes = tree["nodes"]
    for node in nodes:
        children = [c for c in nodes if _parent(c["code"]) == node["code"]]
        if children:
            total = sum(_dec(c["max_points"]) for c in children)
            assert total == _dec(node["max_points"]), node["code"]


def test_inner_nodes_carry_no_scoring(tree):
    leaves = {n["code"] for n in _leaves(tree["nodes"])}
    for node in tree["nodes"]:
        if node["code"] not in leaves:
            assert not {"bands", "scoring", "unit", "method"} & node.keys(), node["code"]


def test_tree_has_a_demo_sized_mix_of_leaves(tree):
    leaves = _leaves(tree["nodes"])
    assert 40 <= len(leaves) <= 70
    kinds = Counter(n["scoring"] for n in leaves)
    assert set(kinds) == {"categorical", "ranges", "proportional"}
    assert {n.get("unit") for n in leaves if n["scoring"] == "ranges"} == {"percent", "count"}
    survey = [n["code"] for n in leaves if n["method"] == "survey"]
    assert survey and all(c.startswith("8.") for c in survey)
    assert {n["method"] for n in leaves} == {"self", "survey"}


def test_every_leaf_is_scored_and_its_best_band_gives_the_maximum(tree):
    for leaf in _leaves(tree["nodes"]):
        code, top = leaf["code"], _dec(leaf["max_points"])
        assert top > 0, code
        if leaf["scoring"] == "proportional":
            assert "bands" not in leaf, code
            continue
        bands = leaf["bands"]
        assert len(bands) >= 2, code
        points = [_dec(b["points"]) for b in bands]
        assert max(points) == top, code
        assert all(Decimal(0) <= p <= top for p in points), code
        assert len({b["label"] for b in bands}) == len(bands), code
        ranged = [b for b in bands if {"min", "max", "max_exclusive"} & b.keys()]
        if leaf["scoring"] == "categorical":
            assert ranged == [], code
        else:
            assert ranged == bands, code


def _interval(band: dict[str, Any]) -> tuple[Decimal | None, Decimal | None, bool]:
    """(lower inclusive or None, upper or None, upper inclusive)."""
    assert not {"min_exclusive"} & band.keys(), "this tree uses min / max / max_exclusive only"
    lower = _dec(band["min"]) if "min" in band else None
    if "max" in band:
        assert "max_exclusive" not in band
        return lower, _dec(band["max"]), True
    upper = _dec(band["max_exclusive"]) if "max_exclusive" in band else None
    return lower, upper, False


def test_range_bands_cover_their_scale_without_gap_or_overlap(tree):
    for leaf in _leaves(tree["nodes"]):
        if leaf["scoring"] != "ranges":
            continue
        code = leaf["code"]
        intervals = sorted(
            (_interval(b) for b in leaf["bands"]),
            key=lambda i: Decimal("-Infinity") if i[0] is None else i[0],
        )
        first_lower = intervals[0][0]
        assert first_lower is None or first_lower <= 0, f"{code} does not start at 0"
        for (_, upper, upper_incl), (lower, _, _) in pairwise(intervals):
            assert upper is not None and lower is not None, f"{code}: open band in the middle"
            assert upper == lower, f"{code}: gap or overlap at {upper} / {lower}"
            assert not upper_incl, f"{code}: {upper} falls in two bands"  # next band's min includes
        last_upper, last_incl = intervals[-1][1], intervals[-1][2]
        if leaf["unit"] == "count":
            assert last_upper is None, f"{code}: counts must be covered up to infinity"
        else:
            assert leaf["unit"] == "percent"
            assert last_upper is None or last_upper > 100 or (last_upper == 100 and last_incl), code
