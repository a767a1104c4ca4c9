"""The seed plan, Kế hoạch 165/KH-UBND of Lào Cai (2020), read in full.

The expectations below were written by reading the document (tests/plans/data/, a copy of the
website page with its clutter), not by running the parser.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from parindex.plans.parsing import parse_document, parse_text
from parindex.plans.proposal import Proposal, Quantity, RelativeTo, Target

DATA = Path(__file__).parent / "data"
SEED = DATA / "ke-hoach-165-KH-UBND-lao-cai-2020.txt"

NV = "Sở Nội vụ"
GROUPS = ["Các sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã"]
TTTT = "Sở Thông tin và Truyền thông"
KHCN = "Sở Khoa học và Công nghệ"
KHDT = "Sở Kế hoạch và Đầu tư"

Q = tuple[str, int, int | None, str, RelativeTo | None]
Y2019 = RelativeTo("year", 2019)
SINCE_2015 = RelativeTo("baseline_year", 2015)
LAST_YEAR = RelativeTo("previous_year")
PLAN = RelativeTo("plan")


def pct(comparator: str, value: int, high: int | None = None, rel: RelativeTo | None = None) -> Q:
    return (comparator, value, high, "percent", rel)


def cnt(comparator: str, value: int, rel: RelativeTo | None = None) -> Q:
    return (comparator, value, None, "count", rel)


P100 = pct("=", 100)

# (area, target text prefix, quantities) for every target and sub-item, in reading order.
EXPECTED: list[tuple[str, str, list[Q]]] = [
    ("1", "Bảo đảm hoàn thành 100% kế hoạch CCHC năm 2020", [P100]),
    ("1", "Thực hiện nghiêm túc chế độ báo cáo định kỳ", []),
    ("1", "Thực hiện kiểm tra công tác CCHC đối với tối thiểu từ 30%", [pct(">=", 30), P100]),
    ("1", "Đẩy mạnh công tác tuyên truyền về CCHC", [P100]),
    ("1", "Tổ chức các hoạt động khảo sát, đo lường sự hài lòng", [pct(">=", 90)]),
    ("1", "Có ít nhất 03 sáng kiến/giải pháp mới", [cnt(">=", 3)]),
    ("1", "Hoàn thành đúng tiến độ 100% số nhiệm vụ", [P100]),
    ("1", "Phối hợp với Bưu điện tỉnh", []),
    ("2", "Theo dõi thi hành pháp luật:", []),
    ("2", "thu thập thông tin thi hành pháp luật", []),
    ("2", "kiểm tra tình hình thi hành pháp luật", []),
    ("2", "điều tra, khảo sát tình hình thi hành pháp luật", []),
    ("2", "Xử lý văn bản quy phạm pháp luật sau rà soát", [pct("between", 70, 100)]),
    ("2", "Xử lý văn bản trái pháp luật phát hiện qua kiểm tra", [pct("between", 70, 100)]),
    ("3", "Kiểm soát quy định về ban hành TTHC", [cnt("=", 0), P100]),
    ("3", "Công bố TTHC và danh mục TTHC", [P100, P100, P100, P100]),
    (
        "3",
        "Thực hiện cơ chế một cửa, một cửa liên thông",
        [P100, pct(">=", 80), cnt(">=", 50), cnt(">=", 30)],
    ),
    ("3", "Kết quả giải quyết TTHC", [pct("between", 95, 100), pct(">=", 80)]),
    ("3", "Tiếp nhận, xử lý phản ánh, kiến nghị (PAKN)", [P100]),
    ("4", "Thực hiện quy định của Chính phủ và hướng dẫn", [pct(">=", 10, rel=SINCE_2015)]),
    ("4", "Về quản lý biên chế", [cnt("<=", 0, PLAN), pct(">=", 10, rel=SINCE_2015)]),
    ("4", "Thực hiện đầy đủ các quy định về phân cấp quản lý", [P100]),
    ("5", "Thực hiện cơ cấu công chức, viên chức theo vị trí việc làm", [P100, P100]),
    ("5", "Thực hiện đầy đủ, đúng quy định về:", []),
    ("5", "Tuyển dụng công chức", []),
    ("5", "Thi nâng ngạch công chức", []),
    ("5", "Bổ nhiệm vị trí lãnh đạo", []),
    ("5", "Trình tự, thủ tục đánh giá, phân loại công chức", []),
    ("5", "Chấp hành tốt kỷ luật, kỷ cương hành chính", [cnt("=", 0)]),
    ("5", "Công tác đào tạo, bồi dưỡng cán bộ, công chức, viên chức", [P100]),
    ("5", "100% số cán bộ, công chức cấp xã đạt chuẩn", [P100]),
    (
        "6",
        "Bảo đảm thực hiện đúng quy định về thực hiện công tác tài chính",
        [pct(">=", 90), cnt("=", 0), P100],
    ),
    ("6", "Ban hành đầy đủ các văn bản thuộc thẩm quyền", [P100, pct(">=", 80)]),
    ("6", "Thực hiện đúng quy định cơ chế tự chủ", []),
    ("6", "Số đơn vị sự nghiệp công lập tự bảo đảm chi thường xuyên", [cnt(">=", 2, LAST_YEAR)]),
    ("6", "100% số đơn vị sự nghiệp công lập thực hiện đúng quy định", [P100]),
    ("6", "Tỷ lệ giảm chi trực tiếp ngân sách", [pct(">=", 10, rel=SINCE_2015)]),
    ("7", "Về ứng dụng công nghệ thông tin (CNTT) của tỉnh:", []),
    ("7", "Hoàn thành 100% Kế hoạch ứng dụng CNTT", [P100]),
    ("7", "Cập nhật và triển khai Kiến trúc Chính quyền điện tử", []),
    ("7", "Tỷ lệ văn bản trao đổi giữa các cơ quan", [pct(">=", 90)]),
    ("7", "Thực hiện kết nối, liên thông các phần mềm quản lý văn bản", [P100]),
    ("7", "Vận hành Hệ thống thông tin một cửa điện tử", [P100]),
    ("7", "Cổng dịch vụ công của tỉnh đáp ứng chức năng", []),
    ("7", "Xây dựng và vận hành hệ thống thông tin báo cáo", []),
    ("7", "Về cung cấp dịch vụ công trực tuyến:", []),
    ("7", "Từ 50% số TTHC trở lên cung cấp trực tuyến", [pct(">=", 50)]),
    ("7", "Tối thiểu 30% dịch vụ công trực tuyến", [pct(">=", 30), pct(">=", 20), pct(">=", 30)]),
    ("7", "Thực hiện quy định về tiếp nhận hồ sơ, trả kết quả", []),
    ("7", "Tỷ lệ TTHC đã triển khai có phát sinh hồ sơ", [pct(">=", 50)]),
    ("7", "Tỷ lệ hồ sơ TTHC được tiếp nhận qua dịch vụ BCCI", [pct(">=", 10), pct(">=", 10)]),
    ("7", "Về áp dụng Hệ thống quản lý chất lượng (ISO 9001)", [P100]),
    ("8", "Kết quả khảo sát sự hài lòng của người dân", [pct(">=", 90)]),
    ("8", "Tác động của CCHC đến sự phát triển kinh tế - xã hội", []),
    ("8", "Mức độ thu hút đầu tư", [(">", 0, None, "amount", Y2019)]),
    ("8", "Tỷ lệ doanh nghiệp thành lập mới", [pct(">=", 20, rel=Y2019)]),
    ("8", "Thực hiện thu ngân sách năm 2020", [pct(">=", 4, rel=PLAN)]),
    ("8", "Mức độ thực hiện các chỉ tiêu phát triển KT-XH", [P100]),
]

AREAS = [
    ("1", "Công tác chỉ đạo, điều hành CCHC", [NV]),
    ("2", "Xây dựng và tổ chức thực hiện văn bản QPPL tại tỉnh", ["Sở Tư pháp"]),
    ("3", "Cải cách thủ tục hành chính", ["Văn phòng UBND tỉnh"]),
    ("4", "Cải cách tổ chức bộ máy hành chính", [NV]),
    ("5", "Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức", [NV]),
    ("6", "Cải cách tài chính công", ["Sở Tài chính"]),
    ("7", "Hiện đại hóa hành chính", [TTTT, KHCN]),
    ("8", "Tác động của CCHC đến người dân, tổ chức và phát triển KT-XH của tỉnh", [NV, KHDT]),
]


@pytest.fixture(scope="module")
def seed() -> Proposal:
    return parse_document(SEED.read_bytes(), SEED.name)


def _rows(proposal: Proposal) -> list[tuple[str, Target]]:
    return [(area.number, t) for area in proposal.areas for top in area.targets for t in top.walk()]


def _shape(q: Quantity) -> Q:
    high = None if q.value_high is None else int(q.value_high)
    return (q.comparator, int(q.value), high, q.unit, q.relative_to)


def test_the_identity_comes_from_the_header_not_the_website_metadata(seed: Proposal) -> None:
    assert seed.number == "165/KH-UBND"
    assert seed.date == date(2020, 6, 11)
    assert seed.issuer == "UBND tỉnh Lào Cai"
    assert seed.signer == "Đặng Xuân Phong"
    assert seed.title == (
        "Duy trì, cải thiện và nâng cao Chỉ số cải cách hành chính cấp tỉnh (PAR INDEX) "
        "của tỉnh Lào Cai năm 2020"
    )
    assert seed.year == 2020
    assert seed.index == "PAR INDEX"


def test_the_baseline_is_last_years_score_its_parts_and_ranks(seed: Proposal) -> None:
    b = seed.baseline
    assert b is not None
    assert (b.year, b.points, b.points_change) == (2019, Decimal("82.85"), Decimal("4.38"))
    assert [(p.key, p.points) for p in b.parts] == [
        ("appraisal", Decimal("52.90")),
        ("impact", Decimal("29.95")),
    ]
    impact = b.part("impact")
    assert impact is not None
    assert [(p.key, p.points) for p in impact.parts] == [
        ("sipas", Decimal("8.30")),
        ("leader_survey", Decimal("17.65")),
        ("socio_economic", Decimal("4")),
    ]
    assert (b.rank, b.rank_of, b.rank_change) == (15, 63, 6)
    assert [(d.name, d.rank, d.rank_of) for d in b.weak_domains] == [
        ("Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật", 52, 63),
        ("Cải cách tổ chức bộ máy hành chính nhà nước", 49, 63),
        ("Công tác chỉ đạo điều hành", 48, 63),
    ]
    assert b.source == "330/QĐ-BNV"
    assert b.line == 27


def test_the_goals_are_90_points_top_10_and_90_percent_satisfaction(seed: Proposal) -> None:
    goals: list[tuple[object, ...]] = [
        (g.kind, g.quantity.comparator, g.quantity.value, g.quantity.unit) for g in seed.goals
    ]
    assert goals == [
        ("points", ">=", 90, "points"),
        ("rank", "<=", 10, "rank"),
        ("satisfaction", ">=", 90, "percent"),
    ]
    assert [g.line for g in seed.goals] == [37, 37, 227]
    assert [g.source for g in seed.goals] == ["objectives", "objectives", "target"]


def test_the_eight_areas_with_their_lead_and_coordinating_agencies(seed: Proposal) -> None:
    assert [(a.number, a.title, a.lead) for a in seed.areas] == AREAS
    for area in seed.areas[:7]:
        assert area.coordinating == GROUPS, area.number
    assert seed.areas[7].coordinating == []
    assert [a.line for a in seed.areas] == [51, 77, 93, 113, 129, 157, 179, 223]


def test_every_bullet_is_a_target_with_every_measurable_quantity(seed: Proposal) -> None:
    rows = _rows(seed)
    assert len(rows) == len(EXPECTED)
    for (area, target), (want_area, prefix, quantities) in zip(rows, EXPECTED, strict=True):
        assert (area, target.text[: len(prefix)]) == (want_area, prefix)
        assert [_shape(q) for q in target.quantities] == quantities, prefix


def test_sub_items_hang_under_the_bullet_they_complete(seed: Proposal) -> None:
    by_area = {a.number: a for a in seed.areas}
    assert [len(t.children) for t in by_area["5"].targets] == [0, 4, 0, 0, 0]
    assert [len(t.children) for t in by_area["7"].targets] == [7, 2, 2, 0]
    law = by_area["2"].targets[0]
    assert [c.text for c in law.children] == [
        "thu thập thông tin thi hành pháp luật",
        "kiểm tra tình hình thi hành pháp luật",
        "điều tra, khảo sát tình hình thi hành pháp luật",
    ]
    assert [t.line for t in by_area["6"].targets[2].walk()] == [165, 167, 169, 171]


def test_domain_7_keeps_which_lead_owns_which_part(seed: Proposal) -> None:
    area = seed.areas[6]
    assert [(p.lead, p.targets) for p in area.lead_parts] == [([TTTT], [0, 1, 2]), ([KHCN], [3])]
    assert area.lead_parts[0].topics == [
        "Ứng dụng CNTT",
        "cung cấp dịch vụ công trực tuyến",
        "thực hiện quy định về tiếp nhận hồ sơ, trả kết quả giải quyết TTHC qua dịch vụ bưu "
        "chính công ích",
    ]
    assert [t.lead for t in area.targets] == [[TTTT], [TTTT], [TTTT], [KHCN]]
    assert all(c.lead == [TTTT] for c in area.targets[0].children)


def test_area_8_duties_phrased_as_sentences_give_its_two_leads(seed: Proposal) -> None:
    area = seed.areas[7]
    assert [(p.lead, p.targets) for p in area.lead_parts] == [([NV], [0]), ([KHDT], [1])]
    assert [t.lead for t in area.targets] == [[NV], [KHDT]]


def test_single_lead_areas_give_every_target_that_lead(seed: Proposal) -> None:
    area = seed.areas[2]
    assert area.lead_parts == []
    assert {tuple(t.lead) for top in area.targets for t in top.walk()} == {("Văn phòng UBND tỉnh",)}


def test_changes_carry_their_direction(seed: Proposal) -> None:
    q = {(a, t.text[:20]): t.quantities for a, t in _rows(seed)}
    assert q[("4", "Về quản lý biên chế:")][1].direction == "decrease"
    assert q[("6", "Số đơn vị sự nghiệp ")][0].direction == "increase"
    assert q[("8", "Thực hiện thu ngân s")][0].direction == "increase"
    assert q[("8", "Mức độ thu hút đầu t")][0].direction == "increase"
    assert q[("1", "Bảo đảm hoàn thành 1")][0].direction is None


def test_subjects_are_short_phrases_of_what_is_measured(seed: Proposal) -> None:
    q = {t.text[:25]: t.quantities for _a, t in _rows(seed)}
    assert q["Kết quả giải quyết TTHC: "][0].subject.startswith("tỷ lệ hồ sơ TTHC")
    assert q["Tổ chức các hoạt động khả"][0].subject == "mức độ hài lòng"
    assert q["Kết quả khảo sát sự hài l"][0].subject == "tỷ lệ hài lòng"
    assert q["Có ít nhất 03 sáng kiến/g"][0].unit_label == "sáng kiến/giải pháp"
    assert q["Kiểm soát quy định về ban"][0].subject == "TTHC ban hành trái thẩm quyền"


def test_section_iii_reporting_duties(seed: Proposal) -> None:
    duties = [(d.who, d.to, d.periods, d.line) for d in seed.duties]
    assert duties == [
        (NV, "UBND tỉnh", ["quarter", "half_year", "year"], 257),
        ("các cơ quan, đơn vị", NV, ["quarter", "half_year", "year"], 265),
    ]
    assert (
        seed.duties[0].what
        == "tình hình và kết quả thực hiện cải thiện Chỉ số CCHC trên địa bàn tỉnh"
    )
    assert seed.duties[1].what == "việc triển khai thực hiện các nội dung trong Kế hoạch này"


def test_website_clutter_is_skipped_with_a_warning_and_never_a_target(seed: Proposal) -> None:
    ignored = [(w.line, w.param("where"), w.param("last")) for w in seed.warnings]
    assert ignored == [(1, "before_header", "7"), (305, "after_signature", "307")]
    texts = " ".join(t.text for _a, t in _rows(seed))
    assert "Số hiệu" not in texts
    assert "Ban hành:" not in texts
    assert "Nơi nhận" not in texts


def test_targets_point_back_to_their_lines_in_the_source_text(seed: Proposal) -> None:
    lines = seed.source_text.splitlines()
    for _area, target in _rows(seed):
        assert target.text[:15] in lines[target.line - 1], target.text


def test_text_and_file_give_the_same_proposal(seed: Proposal) -> None:
    assert parse_text(SEED.read_text(encoding="utf-8")).to_json() == seed.to_json()


def test_the_json_has_the_documented_shape(seed: Proposal) -> None:
    data = json.loads(json.dumps(seed.to_json()))
    assert list(data)[:11] == [
        "number", "date", "issuer", "signer", "title", "year", "index", "baseline", "goals",
        "areas", "duties",
    ]  # fmt: skip
    assert data["date"] == "2020-06-11"
    assert data["baseline"]["points"] == 82.85
    assert data["goals"][0] | {"text": ""} == {
        "kind": "points",
        "text": "",
        "line": 37,
        "source": "objectives",
        "subject": "chỉ số CCHC năm 2020 của tỉnh Lào Cai",
        "comparator": ">=",
        "value": 90,
        "value_high": None,
        "unit": "points",
        "relative_to": None,
        "direction": None,
        "unit_label": None,
        "measure": "level",
    }
    area = data["areas"][1]
    assert set(area) == {
        "number", "title", "line", "lead", "coordinating", "lead_parts", "source", "targets",
    }  # fmt: skip
    quantity = area["targets"][1]["quantities"][0]
    assert (quantity["comparator"], quantity["value"], quantity["value_high"]) == (
        "between",
        70,
        100,
    )
    assert data["areas"][5]["targets"][2]["children"][2]["quantities"][0]["relative_to"] == {
        "kind": "baseline_year",
        "year": 2015,
    }
    assert data["duties"][0]["periods"] == ["quarter", "half_year", "year"]
    assert data["areas"][6]["lead_parts"][1] == {
        "lead": [KHCN],
        "topics": ["Áp dụng hệ thống quản lý chất lượng ISO 9001"],
        "line": 219,
        "targets": [3],
    }
