"""The consolidated round report: a Nghị định 30 administrative document, and the data behind it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _
from docx.shared import Pt

from parindex.exports import reporting
from parindex.exports.registry import render
from parindex.orgs.models import User
from parindex.reporting import actions
from parindex.reporting.models import Item
from tests.exports.conftest import JUSTICE_DONE, OFFICE_DONE, PLAN_TITLE, FilledRound
from tests.exports.reading import docx, paragraph, paragraphs, records, sheets, text


def consolidated(user: User, filled: FilledRound, fmt: str = "docx") -> bytes:
    result = render("round-consolidated", fmt, user=user, params={"round": str(filled.round.pk)})
    assert result.filename.startswith(f"round-{filled.round.pk}-consolidated-")
    assert result.filename.endswith(f".{fmt}")
    return result.content


@pytest.fixture
def document(filled_round: FilledRound, coordinator: User) -> Any:
    return docx(consolidated(coordinator, filled_round))


# --- the document's form -------------------------------------------------------------------------


def test_the_page_is_a4_with_the_decree_margins(document: Any) -> None:
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20


def test_the_text_is_times_new_roman_with_a_13_to_14_point_body(document: Any) -> None:
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert Pt(13) <= normal.font.size <= Pt(14)
    runs = [run for p in paragraphs(document) for run in p.runs]
    assert runs and all(run.font.name in (None, "Times New Roman") for run in runs)
    body = paragraph(document, "Thực hiện Kế hoạch số")
    assert all(run.font.size in (None, normal.font.size) for run in body.runs)


def test_the_header_names_the_province_committee_and_home_affairs_beside_the_motto(
    document: Any,
) -> None:
    header = document.tables[0]
    left, right = (cell.paragraphs for cell in header.rows[0].cells)
    assert [p.text for p in left][:2] == ["UBND TỈNH LÀO CAI", "SỞ NỘI VỤ"]
    assert left[1].runs[0].bold
    motto, independence = right[0], right[1]
    assert motto.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert motto.runs[0].bold and Pt(12) <= motto.runs[0].font.size <= Pt(13)
    assert independence.text == "Độc lập - Tự do - Hạnh phúc"
    assert independence.runs[0].bold and Pt(13) <= independence.runs[0].font.size <= Pt(14)
    # The rules under the issuer and under the motto are bottom borders of short paragraphs.
    for cell in header.rows[0].cells:
        assert cell._tc.xpath(".//w:pBdr/w:bottom")
    # A layout table: no borders of its own.
    assert header._tbl.xpath("./w:tblPr/w:tblBorders/w:top[@w:val='nil']")


def test_the_number_is_left_blank_and_the_date_is_today_in_words(document: Any) -> None:
    number, place = document.tables[0].rows[1].cells
    assert number.text == "Số:      /BC-SNV"
    today = timezone.localdate()
    month = f"{today.month:02d}" if today.month < 3 else str(today.month)
    assert place.text == f"Lào Cai, ngày {today.day:02d} tháng {month} năm {today.year}"
    assert place.paragraphs[0].runs[0].italic


def test_the_title_is_a_report_on_the_plan_for_the_period(document: Any) -> None:
    kind = paragraph(document, "BÁO CÁO")
    assert kind.text == "BÁO CÁO" and kind.runs[0].bold
    subject = paragraph(document, "Kết quả thực hiện Kế hoạch")
    assert subject.text == (
        "Kết quả thực hiện Kế hoạch số 165/KH-UBND ngày 11/06/2020 của UBND tỉnh Lào Cai"
    )
    assert subject.runs[0].bold
    assert paragraph(document, "Quý II năm 2020").runs[0].bold


def test_the_closing_has_the_recipients_and_the_directors_signature(document: Any) -> None:
    closing = document.tables[-1]
    recipients, signature = closing.rows[0].cells
    title = recipients.paragraphs[0]
    assert title.text == "Nơi nhận:" and title.runs[0].bold and title.runs[0].italic
    items = [p.text for p in recipients.paragraphs[1:]]
    assert items[0] == "- UBND tỉnh (b/c);"
    assert items[-1].startswith("- Lưu: VT")
    assert signature.paragraphs[0].text == "GIÁM ĐỐC"
    assert signature.paragraphs[0].runs[0].bold
    # The name is a placeholder, filled in when the director signs.
    assert signature.paragraphs[-1].text.strip("…") == ""


# --- what it says ---------------------------------------------------------------------------------


def test_the_intro_names_the_plan_and_the_period(document: Any, filled_round: FilledRound) -> None:
    intro = paragraph(document, "Thực hiện Kế hoạch số 165/KH-UBND").text
    assert "duy trì, cải thiện và nâng cao Chỉ số cải cách hành chính" in intro
    assert PLAN_TITLE[1:] in intro
    assert "từ ngày 01/04/2020 đến ngày 30/06/2020" in intro
    assert "hạn gửi báo cáo ngày 10/07/2020" in intro
    assert filled_round.round.title in intro


def test_the_summary_counts_who_submitted_late_and_not_at_all(document: Any) -> None:
    summary = paragraph(document, "Kỳ báo cáo có").text
    assert "Kỳ báo cáo có 3 cơ quan, đơn vị" in summary
    assert "2 cơ quan, đơn vị đã gửi báo cáo (1 đúng hạn, 1 muộn)" in summary
    assert "1 cơ quan, đơn vị chưa gửi báo cáo dù đã quá hạn" in summary
    assert paragraph(document, "- Gửi muộn:").text == "- Gửi muộn: Văn phòng UBND tỉnh."
    assert paragraph(document, "- Chưa gửi báo cáo:").text == (
        "- Chưa gửi báo cáo: UBND thành phố Lào Cai."
    )


def test_each_area_heads_its_targets_numbered_as_in_the_plan(document: Any) -> None:
    lines = [p.text for p in paragraphs(document)]
    steering = lines.index("1. Công tác chỉ đạo, điều hành CCHC")
    procedures = lines.index("3. Cải cách thủ tục hành chính")
    assert steering < procedures
    assert lines[steering + 1].startswith("1.1. Thực hiện nghiêm túc chế độ báo cáo")
    assert lines[procedures + 1].startswith("3.1. Tỷ lệ hồ sơ TTHC")
    assert any(line.startswith("3.2. Có ít nhất 10 TTHC") for line in lines[procedures:])


def test_the_province_rate_is_summed_over_agencies_and_judged_against_the_threshold(
    document: Any,
) -> None:
    result = paragraph(document, "- Kết quả: 90,00 %").text
    assert result == (
        "- Kết quả: 90,00 % (99/110); chỉ tiêu ≥ 95 %: chưa đạt (2 cơ quan có số liệu)."
    )


def test_a_draft_value_counts_nowhere_and_the_count_target_has_no_data(
    document: Any,
) -> None:
    assert paragraph(document, "- Kết quả: chưa có số liệu").text == (
        "- Kết quả: chưa có số liệu (chỉ tiêu ≥ 10)."
    )
    # The city's draft (4 procedures, "Đang xây dựng quy trình") appears nowhere.
    assert "Đang xây dựng quy trình" not in text(document)
    assert paragraph(document, "- Tiến độ (0/1").text.endswith("chưa có cơ quan đánh giá tiến độ.")


def test_statuses_and_agencies_descriptions_are_given_for_each_target(document: Any) -> None:
    assert paragraph(document, "- Tiến độ (2/3").text == (
        "- Tiến độ (2/3 cơ quan đã báo cáo): 1 cơ quan đúng tiến độ; 1 cơ quan có nguy cơ chậm."
    )
    assert paragraph(document, "- Sở Tư pháp (chủ trì").text == (
        f"- Sở Tư pháp (chủ trì; đúng tiến độ): {JUSTICE_DONE}"
    )
    assert paragraph(document, "- Văn phòng UBND tỉnh (phối hợp").text == (
        f"- Văn phòng UBND tỉnh (phối hợp; có nguy cơ chậm): {OFFICE_DONE}"
    )
    body = text(document)
    assert "- Chưa báo cáo: UBND thành phố Lào Cai." in body
    assert "1 chỉ tiêu đạt hoặc đúng tiến độ; 1 chỉ tiêu gần đạt" in body


def test_with_many_agencies_only_the_leads_account_is_given_and_those_behind_are_named(
    filled_round: FilledRound, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reporting, "DETAIL_LIMIT", 1)
    body = text(docx(consolidated(coordinator, filled_round)))
    assert f"- Sở Tư pháp (chủ trì; đúng tiến độ): {JUSTICE_DONE}" in body
    assert "- Văn phòng UBND tỉnh (chủ trì; đúng tiến độ): Tổng hợp báo cáo của các sở." in body
    # Coordinating agencies: only the names of those behind; their accounts are in the XLSX.
    assert OFFICE_DONE not in body
    assert "Gửi đầy đủ, đúng hạn các báo cáo" not in body
    assert "- Có nguy cơ chậm: Văn phòng UBND tỉnh." in body
    assert (
        body.count("- Kết quả của từng cơ quan phối hợp: tại biểu tổng hợp số liệu kèm theo.") == 2
    )


def test_a_long_description_is_cut_short_at_a_word(
    filled_round: FilledRound, coordinator: User
) -> None:
    long = "Rà soát, đơn giản hóa thủ tục hành chính " * 30
    Item.objects.filter(report=filled_round.justice, target=filled_round.plan.on_time).update(
        description=long
    )
    line = paragraph(docx(consolidated(coordinator, filled_round)), "- Sở Tư pháp (chủ trì").text
    description = line.split("): ", 1)[1]
    assert description.endswith("…")
    assert len(description) <= 401
    assert long.startswith(description[:-1])


def test_an_accepted_report_is_counted_as_accepted(
    filled_round: FilledRound, coordinator: User
) -> None:
    for item in Item.objects.filter(report=filled_round.justice):
        actions.review_item(item, by=coordinator, accept=True)
    actions.finish_review(filled_round.justice, by=coordinator)
    body = text(docx(consolidated(coordinator, filled_round)))
    assert "Trong số báo cáo đã gửi: 1 đã được Sở Nội vụ chấp nhận, 1 đang rà soát" in body


def test_a_leader_produces_the_same_report(filled_round: FilledRound, leader: User) -> None:
    body = text(docx(consolidated(leader, filled_round)))
    assert "- Kết quả: 90,00 % (99/110)" in body


# --- the data behind it ---------------------------------------------------------------------------


def test_the_values_sheet_has_every_agencys_value_as_numbers(
    filled_round: FilledRound, coordinator: User
) -> None:
    book = sheets(consolidated(coordinator, filled_round, "xlsx"))
    values = records(book.worksheets[0])
    rate_rows = {
        row[_("Agency")]: row
        for row in values
        if row[_("Quantity")] == filled_round.plan.on_time_rate.subject
    }
    assert set(rate_rows) == {"Sở Tư pháp", "Văn phòng UBND tỉnh", "UBND thành phố Lào Cai"}
    justice = rate_rows["Sở Tư pháp"]
    assert (justice[_("Numerator")], justice[_("Denominator")]) == (60, 66)
    assert isinstance(justice[_("Numerator")], int)
    assert justice[_("Rate (%) or value")] == pytest.approx(90.91)
    assert justice[_("Round")] == filled_round.round.title
    assert justice[_("Content area")] == "3. Cải cách thủ tục hành chính"
    assert justice[_("What was done")] == JUSTICE_DONE
    assert justice[_("Report state")] == _("Submitted, awaiting review")
    assert rate_rows["Văn phòng UBND tỉnh"][_("Report state")] == _("Late")
    city = rate_rows["UBND thành phố Lào Cai"]
    assert (city[_("Numerator")], city[_("Report state")]) == (None, _("Missing"))
    # A target without a quantity still has a row per agency, with its progress.
    duty = [r for r in values if r[_("Target")] == filled_round.plan.reports_duty.text]
    assert {r[_("Agency")] for r in duty} == {"Sở Tư pháp", "Văn phòng UBND tỉnh"}
    assert all(r[_("Quantity")] is None for r in duty)


def test_the_province_sheet_gives_each_quantitys_value_and_its_light(
    filled_round: FilledRound, coordinator: User
) -> None:
    book = sheets(consolidated(coordinator, filled_round, "xlsx"))
    sheet = book.worksheets[1]
    province = {row[_("Quantity")]: row for row in records(sheet)}
    rate = province[filled_round.plan.on_time_rate.subject]
    assert (rate[_("Numerator (sum)")], rate[_("Denominator (sum)")]) == (99, 110)
    assert Decimal(str(rate[_("Province value")])) == Decimal("90")
    assert rate[_("Target value")] == 95
    assert rate[_("Agencies reporting")] == 2
    assert rate[_("Light")] == _("Amber: nearly met")
    count = province[filled_round.plan.joint_count.subject]
    assert count[_("Province value")] is None
    assert count[_("Light")] == _("Grey: no data yet")
    # The light's cell is coloured: amber for the rate.
    header = [c.value for c in sheet[1]]
    light_column = header.index(_("Light")) + 1
    amber = next(
        sheet.cell(row=r, column=light_column)
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(row=r, column=light_column).value == _("Amber: nearly met")
    )
    assert amber.fill.start_color.rgb.endswith("FFEB9C")


def test_the_reports_sheet_lists_each_agencys_state(
    filled_round: FilledRound, coordinator: User
) -> None:
    book = sheets(consolidated(coordinator, filled_round, "xlsx"))
    states = {row[0]: row[2] for row in list(book.worksheets[2].iter_rows(values_only=True))[1:]}
    assert states == {
        "Sở Tư pháp": _("Submitted, awaiting review"),
        "Văn phòng UBND tỉnh": _("Late"),
        "UBND thành phố Lào Cai": _("Missing"),
    }
