"""One agency's report as it sends it: the agency as issuer, its targets, values and evidence."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.utils.translation import gettext as _

from parindex.exports.registry import render
from parindex.orgs.models import User
from tests.exports.conftest import EVIDENCE_NAME, JUSTICE_DONE, JUSTICE_NARRATIVE, FilledRound
from tests.exports.reading import docx, paragraph, paragraphs, records, sheets, text

ClientFor = Callable[[User], Client]


def agency_report(user: User, report_pk: int, fmt: str = "docx") -> bytes:
    return render("agency-report", fmt, user=user, params={"report": str(report_pk)}).content


def test_a_department_reports_under_the_province_committee(
    filled_round: FilledRound, reporter: User
) -> None:
    document = docx(agency_report(reporter, filled_round.justice.pk))
    header = document.tables[0]
    issuer = [p.text for p in header.rows[0].cells[0].paragraphs if p.text]
    assert issuer == ["UBND TỈNH LÀO CAI", "SỞ TƯ PHÁP"]
    assert header.rows[1].cells[0].text == "Số:      /BC-STP"
    assert header.rows[1].cells[1].text.startswith("Lào Cai, ngày ")
    assert document.tables[-1].rows[0].cells[1].paragraphs[0].text == "GIÁM ĐỐC"
    recipients = [p.text for p in document.tables[-1].rows[0].cells[0].paragraphs]
    assert "- Sở Nội vụ (t/h);" in recipients


def test_the_report_gives_the_narrative_items_values_statuses_and_evidence(
    filled_round: FilledRound, reporter: User
) -> None:
    document = docx(agency_report(reporter, filled_round.justice.pk))
    body = text(document)
    assert JUSTICE_NARRATIVE in body
    lines = [p.text for p in paragraphs(document)]
    on_time = lines.index("3.1. Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn đạt từ 95% trở lên.")
    assert lines[on_time + 1 : on_time + 6] == [
        "- Trách nhiệm: cơ quan chủ trì.",
        "- Kết quả: 90,91 % (60/66); chỉ tiêu ≥ 95 %.",
        "- Tiến độ: đúng tiến độ.",
        f"- Kết quả thực hiện: {JUSTICE_DONE}",
        f"- Tài liệu kiểm chứng: {EVIDENCE_NAME}.",
    ]
    assert "1.1. Thực hiện nghiêm túc chế độ báo cáo định kỳ về công tác CCHC." in lines
    assert "- Trách nhiệm: cơ quan phối hợp." in lines
    # Only this agency's figures: not the office's 39/44, not the province's 99/110.
    assert "39/44" not in body and "99/110" not in body


def test_a_district_reports_as_its_own_peoples_committee(
    filled_round: FilledRound, coordinator: User
) -> None:
    document = docx(agency_report(coordinator, filled_round.city.pk))
    header = document.tables[0]
    issuer = [p for p in header.rows[0].cells[0].paragraphs if p.text]
    assert [p.text for p in issuer] == ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ LÀO CAI"]
    assert all(p.runs[0].bold for p in issuer)
    assert header.rows[1].cells[0].text == "Số:      /BC-UBND"
    assert header.rows[1].cells[1].text.startswith("Lào Cai, ngày ")
    signer = [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs if p.text]
    assert signer[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    # Its draft is shown to whoever may read it, as it stands.
    assert paragraph(document, "- Kết quả: 4;").text == "- Kết quả: 4; chỉ tiêu ≥ 10."
    assert "(Chưa có nội dung tóm tắt.)" in text(document)


def test_the_agency_sheet_lists_items_with_numbers_evidence_and_review(
    filled_round: FilledRound, reporter: User
) -> None:
    book = sheets(agency_report(reporter, filled_round.justice.pk, "xlsx"))
    facts = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert facts[_("Agency")] == "Sở Tư pháp"
    assert facts[_("Round")] == filled_round.round.title
    assert facts[_("Summary of the period")] == JUSTICE_NARRATIVE
    assert facts[_("Late")] == _("no")
    items = records(book.worksheets[1])
    assert len(items) == 2
    rate = next(row for row in items if row[_("Quantity")])
    assert (rate[_("Numerator")], rate[_("Denominator")]) == (60, 66)
    assert isinstance(rate[_("Denominator")], int)
    assert rate[_("Rate (%) or value")] == 90.91
    assert rate[_("Target value")] == 95
    assert rate[_("Evidence")] == EVIDENCE_NAME
    assert rate[_("Review")] == _("Awaiting review")


def test_the_reporter_downloads_their_agencys_report_from_the_screens(
    filled_round: FilledRound, reporter: User, client_for: ClientFor
) -> None:
    response = client_for(reporter).get(
        "/exports/agency-report.docx", {"report": filled_round.justice.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="report-{filled_round.justice.pk}-'
    )
    assert "SỞ TƯ PHÁP" in text(docx(response.getvalue()))
