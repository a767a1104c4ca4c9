"""Plans laid out differently from the seed: other provinces, indexes, numbering and formats.

Fixtures in tests/plans/data/ were written for these tests in the styles real plans use:
lettered parts with "a) ... đ)" areas (PAPI), hard-wrapped text with inline "(1) (2) (3)" and
labels on one line (PCI), an appendix table (SIPAS), a web page with clutter; the DOCX is built
here with python-docx.
"""

from __future__ import annotations

import importlib.util
import io
import json
import textwrap
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest

from parindex.plans.parsing import parse_document, parse_text, split_agencies
from parindex.plans.proposal import Proposal, Target

DATA = Path(__file__).parent / "data"
SEED_TEXT = (DATA / "ke-hoach-165-KH-UBND-lao-cai-2020.txt").read_text(encoding="utf-8")


def _read(name: str) -> Proposal:
    return parse_document((DATA / name).read_bytes(), name)


def _quantities(target: Target) -> list[tuple[object, ...]]:
    return [(q.comparator, q.value, q.unit) for q in target.quantities]


def _goals(proposal: Proposal) -> list[tuple[object, ...]]:
    return [(g.kind, g.quantity.comparator, g.quantity.value) for g in proposal.goals]


def _structure(proposal: Proposal) -> list[Any]:
    """What a reviewer sees, without line numbers (which move when text is re-wrapped)."""
    data = proposal.to_json()
    out: list[Any] = [data[k] for k in ("number", "date", "issuer", "signer", "year")]
    for area in data["areas"]:
        out.append((area["number"], area["title"], area["lead"], area["coordinating"]))
        stack = list(area["targets"])
        while stack:
            target = stack.pop(0)
            quantities = [
                (q["comparator"], q["value"], q["value_high"], q["unit"], q["relative_to"])
                for q in target["quantities"]
            ]
            out.append((target["text"][:30], quantities, target["lead"]))
            stack[:0] = target["children"]
    out.append([(g["kind"], g["comparator"], g["value"]) for g in data["goals"]])
    out.append([(d["who"], d["to"], d["periods"]) for d in data["duties"]])
    return out


SEED = _structure(parse_text(SEED_TEXT))


def _wrap(text: str, width: int) -> str:
    return "\n".join(
        wrapped
        for line in text.splitlines()
        for wrapped in (textwrap.wrap(line, width) if len(line) > width else [line])
    )


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(unicodedata.normalize("NFD", SEED_TEXT), id="NFD"),
        pytest.param(SEED_TEXT.replace(" ", "\u00a0"), id="non-breaking spaces"),
        pytest.param(SEED_TEXT.replace("\n", "\r\n"), id="CRLF"),
        pytest.param(SEED_TEXT.replace("“", '"').replace("”", '"'), id="straight quotes"),
        pytest.param(SEED_TEXT.replace("“", "”"), id="wrong-way curly quotes"),
        pytest.param(
            SEED_TEXT.replace("Cơ quan chủ trì", "Cơ quan chủ tri").replace(
                "Cơ quan phối hợp", "Co quan phoi hop"
            ),
            id="typos in the labels",
        ),
        pytest.param(_wrap(SEED_TEXT, 72), id="hard-wrapped at 72"),
        pytest.param(_wrap(SEED_TEXT, 60), id="hard-wrapped at 60"),
        pytest.param(_wrap(SEED_TEXT, 100), id="hard-wrapped at 100"),
        pytest.param("\n".join(ln for ln in SEED_TEXT.splitlines() if ln.strip()), id="no blanks"),
    ],
)
def test_the_seed_reads_the_same_however_it_is_typed(variant: str) -> None:
    assert _structure(parse_text(variant)) == SEED


def test_lettered_parts_and_lettered_areas_of_a_papi_plan() -> None:
    p = _read("papi-lettered-parts.txt")
    assert (p.number, p.date, p.issuer, p.signer, p.year, p.index) == (
        "52/KH-UBND",
        date(2021, 3, 5),
        "UBND tỉnh Yên Bái",
        "Nguyễn Thế Phước",
        2021,
        "PAPI",
    )
    assert p.baseline is not None
    assert (p.baseline.points, p.baseline.rank, p.baseline.rank_change) == (
        Decimal("42.15"),
        30,
        -5,
    )
    assert _goals(p) == [
        ("points", ">=", 44),
        ("rank", "<=", 20),
    ]
    assert [(a.number, a.title, a.lead) for a in p.areas] == [
        ("a", "Tham gia của người dân ở cấp cơ sở", ["Sở Nội vụ"]),  # typed "chủ tri"
        (
            "b",
            "Công khai, minh bạch trong việc ra quyết định ở địa phương",
            ["Sở Lao động - Thương binh và Xã hội"],
        ),
        ("c", "Trách nhiệm giải trình với người dân", ["Thanh tra tỉnh"]),
        ("d", "Kiểm soát tham nhũng trong khu vực công", ["Thanh tra tỉnh"]),
        ("đ", "Thủ tục hành chính công", ["Văn phòng UBND tỉnh"]),
    ]
    assert p.areas[0].coordinating == [
        "UBND các huyện, thị xã, thành phố",
        "Ủy ban MTTQ Việt Nam tỉnh",
    ]
    assert p.areas[1].coordinating == [
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Tài nguyên và Môi trường",
    ]
    assert [_quantities(t) for a in p.areas for t in a.targets] == [
        [("=", 100, "percent")],
        [(">=", 80, "percent")],
        [("=", 100, "percent")],
        [("=", 0, "count")],
        [("=", 10, "percent")],
        [(">", 98, "percent")],
    ]
    assert [(d.who, d.to, d.periods) for d in p.duties] == [
        ("Các sở, ban, ngành được giao", "Sở Nội vụ", ["quarter"]),
        ("Sở Nội vụ", "UBND tỉnh", ["half_year", "year"]),
    ]


def test_hard_wrapped_pci_plan_with_inline_items_and_one_line_labels() -> None:
    text = (DATA / "pci-hard-wrapped.txt").read_text(encoding="utf-8")
    p = parse_text(unicodedata.normalize("NFD", text).replace(" ", "\u00a0"))
    assert (p.number, p.issuer, p.signer, p.title, p.year, p.index) == (
        "88/KH-UBND",
        "UBND tỉnh Hà Giang",
        "Nguyễn Văn Sơn",
        "Cải thiện Chỉ số năng lực cạnh tranh cấp tỉnh (PCI) năm 2022",
        2022,
        "PCI",
    )
    first, second, third = p.areas
    assert (first.title, first.lead, first.coordinating) == (
        "Chi phí gia nhập thị trường",
        ["Sở Kế hoạch và Đầu tư"],
        ["Cục Thuế tỉnh", "Công an tỉnh"],
    )
    # Inline text after the heading's colon, split on ";", across a hard line break.
    assert [t.text for t in first.targets] == [
        "rút ngắn thời gian đăng ký doanh nghiệp xuống còn không quá 02 ngày làm việc",
        "100% hồ sơ đăng ký doanh nghiệp được tiếp nhận qua mạng",
    ]
    assert [_quantities(t) for t in first.targets] == [
        [("<=", 2, "amount")],
        [("=", 100, "percent")],
    ]
    # "(1) ...; (2) ...; (3) ..." become the area's targets; two leads on one label line.
    assert [t.text[:20] for t in second.targets] == [
        "công khai quy hoạch ",
        "cập nhật đầy đủ 100%",
        "tổ chức ít nhất 02 h",
    ]
    assert second.lead == ["Văn phòng UBND tỉnh", "Sở Tài nguyên và Môi trường"]
    assert second.coordinating == ["Sở Thông tin và Truyền thông"]
    assert [_quantities(t) for t in third.targets] == [
        [("=", 0, "count")],
        [(">", 0, "amount")],
        [("=", 100, "percent")],
    ]
    assert _goals(p) == [
        ("rank", ">=", 5),  # "tăng ít nhất 05 bậc": a change of rank
        ("satisfaction", ">=", 85),
    ]
    assert p.goals[0].quantity.relative_to is not None
    assert [(d.who, d.to, d.periods) for d in p.duties] == [
        ("Các sở, ngành được giao", "Sở Kế hoạch và Đầu tư", ["quarter"])
    ]


def test_appendix_table_rows_become_targets_with_their_own_agencies() -> None:
    p = _read("sipas-appendix-table.txt")
    assert p.title == "Nâng cao chỉ số hài lòng về sự phục vụ hành chính (SIPAS) năm 2023"
    assert [(a.number, a.title, a.source, a.lead) for a in p.areas] == [
        ("I", "Tiếp cận dịch vụ", "table", ["Văn phòng UBND tỉnh"]),
        ("II", "Công chức giải quyết công việc", "table", ["Sở Nội vụ"]),
    ]
    rows = [t for a in p.areas for t in a.targets]
    assert [(t.line, t.lead, t.coordinating, t.deadline) for t in rows] == [
        (43, ["Văn phòng UBND tỉnh"], ["UBND các huyện, thành phố"], "Quý II/2023"),
        (44, ["Văn phòng UBND tỉnh"], ["Các sở, ban, ngành"], "Thường xuyên"),
        (46, ["Sở Nội vụ"], ["Các sở, ban, ngành", "UBND các huyện, thành phố"], "Cả năm"),
        (47, ["Sở Nội vụ"], ["Trường Chính trị tỉnh"], "Tháng 9/2023"),
    ]
    assert [_quantities(t) for t in rows] == [
        [("=", 100, "percent")],
        [("=", 100, "percent")],
        [("=", 0, "count")],
        [(">=", 2, "count")],
    ]
    kinds = [(w.kind, w.line) for w in p.warnings]
    assert ("table_row_skipped", 49) in kinds  # the website footer under the table
    assert ("ignored_lines", 1) in kinds
    assert _goals(p) == [("satisfaction", ">=", 85)]
    assert [(d.who, d.to, d.periods) for d in p.duties] == [
        ("Các cơ quan, đơn vị", "Sở Nội vụ", ["half_year", "year"])
    ]


def test_a_web_page_is_read_without_its_menus_and_footer() -> None:
    p = _read("web-page.html")
    assert (p.number, p.date, p.issuer, p.signer, p.title) == (
        "45/KH-UBND",
        date(2021, 1, 15),
        "UBND tỉnh Điện Biên",
        "Trần Văn Minh",
        "Cải thiện Chỉ số cải cách hành chính tỉnh Điện Biên năm 2021",
    )
    assert p.baseline is not None and p.baseline.points == Decimal("80.12")
    assert [(a.title, a.lead) for a in p.areas] == [
        ("Cải cách thủ tục hành chính", ["Văn phòng UBND tỉnh"]),
        ("Hiện đại hóa hành chính", ["Sở Thông tin và Truyền thông"]),
    ]
    first = p.areas[0].targets
    assert first[0].text == "Tỷ lệ hồ sơ giải quyết đúng hạn đạt từ 98% trở lên."  # <br> joined
    assert [_quantities(t) for t in first] == [[(">=", 98, "percent")], [(">=", 40, "percent")]]
    assert [w.param("where") for w in p.warnings if w.kind == "ignored_lines"] == [
        "before_header",
        "after_signature",
    ]
    assert "<p>" not in p.source_text and "var x" not in p.source_text


def _plan_docx(*, word_bullets: bool) -> bytes:
    d = docx.Document()
    header = d.add_table(rows=2, cols=2)
    header.cell(0, 0).text = "ỦY BAN NHÂN DÂN"
    header.cell(0, 0).add_paragraph("TỈNH LẠNG SƠN")
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    header.cell(0, 1).add_paragraph("Độc lập - Tự do - Hạnh phúc")
    header.cell(1, 0).text = "Số: 210/KH-UBND"
    header.cell(1, 1).text = "Lạng Sơn, ngày 30 tháng 9 năm 2024"
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("NÂNG CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CỦA TỈNH LẠNG SƠN NĂM 2025")
    d.add_paragraph("Năm 2023, Chỉ số CCHC của tỉnh đạt 86,51 điểm, xếp thứ 22/63 tỉnh, thành phố.")
    d.add_paragraph("I. MỤC TIÊU")
    d.add_paragraph("Phấn đấu Chỉ số CCHC năm 2025 của tỉnh đạt từ 89 điểm trở lên.")
    d.add_paragraph("II. NHIỆM VỤ, GIẢI PHÁP")
    d.add_paragraph("1. Chỉ số nội dung “Hiện đại hóa hành chính”")
    # Word's own bullets carry no "-" in the text; without them the lines are plain paragraphs.
    style = "List Bullet" if word_bullets else None
    bullet = d.add_paragraph("Tỷ lệ hồ sơ TTHC được xử lý trực tuyến", style=style)
    bullet.add_run().add_break()  # a line break inside the paragraph
    bullet.add_run("đạt từ 50% trở lên.")
    d.add_paragraph("Cơ quan chủ trì: Sở Thông tin và Truyền thông.", style=style)
    d.add_paragraph("III. TỔ CHỨC THỰC HIỆN")
    d.add_paragraph("Các sở, ban, ngành định kỳ 6 tháng, năm báo cáo kết quả gửi Sở Nội vụ.")
    sign = d.add_table(rows=1, cols=2)
    sign.cell(0, 0).text = "Nơi nhận:"
    sign.cell(0, 0).add_paragraph("- Như trên;")
    sign.cell(0, 1).text = "TM. ỦY BAN NHÂN DÂN"
    sign.cell(0, 1).add_paragraph("CHỦ TỊCH")
    sign.cell(0, 1).add_paragraph("Hồ Tiến Thiệu")
    d.add_paragraph("PHỤ LỤC")
    rows = [
        ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"],
        ["I", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "", "", ""],
        ["1", "Công khai 100% TTHC trên Cổng dịch vụ công", "Văn phòng UBND tỉnh", "Các sở, ban, ngành", "Quý I/2025"],
        ["2", "Không có hồ sơ giải quyết quá hạn", "Văn phòng UBND tỉnh", "UBND các huyện, thành phố", "Cả năm"],
        ["II", "CẢI CÁCH TÀI CHÍNH CÔNG", "", "", ""],
        ["3", "Giải ngân vốn đầu tư công đạt từ 95% trở lên", "Sở Tài chính", "Sở Kế hoạch và Đầu tư; Kho bạc Nhà nước tỉnh", "Tháng 12/2025"],
    ]  # fmt: skip
    table = d.add_table(rows=len(rows), cols=5)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    for r in (1, 4):  # group rows: one merged cell across the task and agency columns
        table.cell(r, 1).merge(table.cell(r, 4)).text = rows[r][1]
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


@pytest.mark.parametrize("word_bullets", [True, False], ids=["Word bullets", "plain paragraphs"])
def test_a_word_document_with_header_table_and_appendix_table(word_bullets: bool) -> None:
    p = parse_document(_plan_docx(word_bullets=word_bullets), "ke-hoach.docx")
    assert (p.number, p.date, p.issuer, p.signer, p.year) == (
        "210/KH-UBND",
        date(2024, 9, 30),
        "UBND tỉnh Lạng Sơn",
        "Hồ Tiến Thiệu",
        2025,
    )
    assert p.title == "Nâng cao chỉ số cải cách hành chính của tỉnh Lạng Sơn năm 2025"
    assert p.baseline is not None
    assert (p.baseline.year, p.baseline.points, p.baseline.rank) == (2023, Decimal("86.51"), 22)
    assert _goals(p) == [("points", ">=", 89)]
    assert [(a.number, a.title, a.source, a.lead) for a in p.areas] == [
        ("1", "Hiện đại hóa hành chính", "body", ["Sở Thông tin và Truyền thông"]),
        ("I", "Cải cách thủ tục hành chính", "table", ["Văn phòng UBND tỉnh"]),
        ("II", "Cải cách tài chính công", "table", ["Sở Tài chính"]),
    ]
    first = p.areas[0].targets[0]
    assert first.text == "Tỷ lệ hồ sơ TTHC được xử lý trực tuyến đạt từ 50% trở lên."
    assert _quantities(first) == [(">=", 50, "percent")]
    last = p.areas[2].targets[0]
    assert (last.coordinating, last.deadline) == (
        ["Sở Kế hoạch và Đầu tư", "Kho bạc Nhà nước tỉnh"],
        "Tháng 12/2025",
    )
    assert [_quantities(t) for t in p.areas[1].targets] == [
        [("=", 100, "percent")],
        [("=", 0, "count")],
    ]
    assert [(d.who, d.to, d.periods) for d in p.duties] == [
        ("Các sở, ban, ngành", "Sở Nội vụ", ["half_year", "year"])
    ]


DISTRICT_PLAN = """\
KẾ HOẠCH
Cải cách hành chính năm 2024 của huyện Bảo Thắng

I. MỤC TIÊU
Phấn đấu Chỉ số CCHC của huyện năm 2024 đạt từ 85 điểm trở lên.
II. NHIỆM VỤ
1. Cải cách thể chế
a) Rà soát 100% văn bản quy phạm pháp luật do huyện ban hành;
b) Xử lý 100% văn bản trái pháp luật phát hiện qua kiểm tra;
c) Tổ chức ít nhất 02 cuộc kiểm tra công tác văn bản;
d) Tuyên truyền, phổ biến pháp luật;
đ) Theo dõi thi hành pháp luật.
Cơ quan chủ trì: Phòng Tư pháp.
2. Cải cách thủ tục hành chính
Nội dung và mục tiêu: công khai 100% TTHC; giải quyết đúng hạn từ 98% hồ sơ trở lên; không \
có hồ sơ giải quyết quá hạn.
Phân công: Văn phòng HĐND và UBND huyện chủ trì; các phòng chuyên môn phối hợp.
III. TỔ CHỨC THỰC HIỆN
Văn phòng HĐND và UBND huyện định kỳ hằng quý, 6 tháng, năm báo cáo UBND huyện.
"""


def test_lettered_targets_semicolon_items_and_a_sentence_of_responsibilities() -> None:
    p = parse_text(DISTRICT_PLAN)
    assert (p.title, p.year, p.number) == (
        "Cải cách hành chính năm 2024 của huyện Bảo Thắng",
        2024,
        None,
    )
    first, second = p.areas
    assert [t.text[:12] for t in first.targets] == [
        "Rà soát 100%",
        "Xử lý 100% v",
        "Tổ chức ít n",
        "Tuyên truyền",
        "Theo dõi thi",
    ]
    assert [_quantities(t) for t in first.targets][:3] == [
        [("=", 100, "percent")],
        [("=", 100, "percent")],
        [(">=", 2, "count")],
    ]
    assert first.lead == ["Phòng Tư pháp"]
    assert [t.text for t in second.targets] == [
        "công khai 100% TTHC",
        "giải quyết đúng hạn từ 98% hồ sơ trở lên",
        "không có hồ sơ giải quyết quá hạn",
    ]
    assert (second.lead, second.coordinating) == (
        ["Văn phòng HĐND và UBND huyện"],
        ["các phòng chuyên môn"],
    )
    assert [(d.who, d.to, d.periods) for d in p.duties] == [
        ("Văn phòng HĐND và UBND huyện", "UBND huyện", ["quarter", "half_year", "year"])
    ]
    assert {w.param("field") for w in p.warnings if w.kind == "missing"} == {
        "number",
        "date",
        "issuer",
        "signer",
    }


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("Các sở, ban, ngành; UBND cấp huyện; UBND cấp xã.", ["Các sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã"]),
        ("Sở Văn hóa, Thể thao và Du lịch", ["Sở Văn hóa, Thể thao và Du lịch"]),
        ("Sở Kế hoạch và Đầu tư, Sở Thông tin và Truyền thông và các cơ quan, đơn vị liên quan",
         ["Sở Kế hoạch và Đầu tư", "Sở Thông tin và Truyền thông", "các cơ quan, đơn vị liên quan"]),
        ("UBND các huyện, thị xã, thành phố", ["UBND các huyện, thị xã, thành phố"]),
        ("Sở Nội vụ (cơ quan thường trực)", ["Sở Nội vụ"]),
        ("Công an tỉnh, Bưu điện tỉnh, Đài Phát thanh - Truyền hình tỉnh",
         ["Công an tỉnh", "Bưu điện tỉnh", "Đài Phát thanh - Truyền hình tỉnh"]),
        ("Văn phòng HĐND và UBND huyện", ["Văn phòng HĐND và UBND huyện"]),
        ("", []),
    ],
)  # fmt: skip
def test_agency_lists_split_only_between_agencies(value: str, names: list[str]) -> None:
    assert split_agencies(value) == names


NEWS = """\
Lào Cai: Nâng cao chất lượng phục vụ người dân
Thứ Hai, 15/06/2020 - 09:30
Sáng nay, lãnh đạo tỉnh đã làm việc với các sở, ngành về công tác cải cách hành chính.
Theo báo cáo, năm 2019 tỷ lệ hồ sơ giải quyết đúng hạn đạt 98%, tăng 3% so với năm 2018.
- Ông Đặng Xuân Phong yêu cầu các đơn vị quyết liệt hơn nữa.
Tin liên quan | Chia sẻ | In bài
"""


@pytest.mark.parametrize(
    "text",
    [NEWS, "lorem ipsum dolor sit amet", "1. một\n2. hai\n- ba", "82,85 điểm xếp thứ 15/63"],
    ids=["news article", "lorem ipsum", "a numbered list", "a score line"],
)
def test_a_text_that_is_not_a_plan_gives_an_empty_proposal(text: str) -> None:
    p = parse_text(text)
    assert p.is_empty and not p.targets()
    assert [w.kind for w in p.warnings] == ["not_a_plan"]
    json.dumps(p.to_json())


def test_a_pdf_without_a_reader_gives_a_clear_warning() -> None:
    if importlib.util.find_spec("pypdf") is not None:
        pytest.skip("a PDF text reader is installed here")
    p = parse_document(b"%PDF-1.4\n...", "ke-hoach.pdf")
    assert p.warnings[0].kind == "pdf_needs_text_layer"
    assert p.warnings[0].param("detail") == "PDF needs a text layer reader"
    assert p.is_empty


def test_the_format_is_recognised_without_an_extension() -> None:
    html = (DATA / "web-page.html").read_bytes()
    assert parse_document(html, "download").number == "45/KH-UBND"
    assert parse_document(_plan_docx(word_bullets=True), "attachment").number == "210/KH-UBND"
    utf16 = SEED_TEXT.encode("utf-16")
    assert parse_document(utf16, "plan.txt").number == "165/KH-UBND"


def test_a_damaged_word_file_is_reported_not_raised() -> None:
    p = parse_document(b"PK\x03\x04 not really a zip", "ke-hoach.docx")
    assert p.warnings[0].kind == "unreadable_file"
    assert p.warnings[0].param("format") == "DOCX"
    assert p.is_empty
