"""The form Biểu số 06/VPCP/KSTT from the dossier store: `dossier-form` (params `province`, its
code; `period`, 2024Q2, 2024H1, 2024 or 2024-01-15..2024-03-31; `agency`, one code, optional).

CSV: the rows of `parindex dossiers form --format json` under the same names, with the
organisation each code is matched to and a `matched` column. XLSX: the form's own layout (the
header of the Government Office's form, columns (1) to (13) under their group headings, one
row per agency code, a total), a `matched` column beside it, and a sheet of the rates with
their numerators and denominators. For whoever reads the province's dossiers (`access.
dossier_provinces_for`), each reading the codes they may (`dossiers.forms.form_rows`).
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from parindex.dossiers import drill, forms
from parindex.dossiers.periods import parse_period
from parindex.exports import cells
from parindex.exports.registry import Exporter, ExportError, Sheet, register
from parindex.orgs import access
from parindex.orgs.access import AnyUser
from parindex.orgs.models import Organisation

FORM_CODE = "Biểu số 06/VPCP/KSTT"
FORM_TITLE = (
    "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT "
    "THỦ TỤC HÀNH CHÍNH"
)
FORM_BASIS = "Ban hành theo Thông tư số 01/2020/TT-VPCP ngày 21/10/2020"
# The form's counts, columns (3) to (13), in order: the first eleven of the JSON's counts.
FORM_COLUMNS = forms.COUNTS[: forms.COUNTS.index("dang_gq_qua_han") + 1]
RATE_WORDS = {
    "ty_le_dung_han": "Tỷ lệ giải quyết đúng hạn (trên số đã giải quyết)",
    "ty_le_dung_han_ca_dang_qua_han": "Tỷ lệ giải quyết đúng hạn (trên số đã giải quyết và "
    "đang giải quyết quá hạn)",
    "ty_le_truc_tuyen": "Tỷ lệ hồ sơ tiếp nhận trực tuyến",
    "ty_le_nhan_bcci": "Tỷ lệ hồ sơ tiếp nhận qua dịch vụ bưu chính công ích",
    "ty_le_tra_bcci": "Tỷ lệ kết quả trả qua dịch vụ bưu chính công ích",
    "ty_le_tthc_tt34_bcci": "Tỷ lệ TTHC có hồ sơ trực tuyến (một phần, toàn trình) hoặc qua BCCI",
}


def _rows(user: AnyUser, params: dict[str, str]) -> tuple[Organisation, list[forms.FormRow]]:
    code = params.get("province", "")
    period = params.get("period", "")
    if not code:
        raise ExportError("province: give the province's code")
    if not period:
        raise ExportError("period: give a period such as 2024Q2")
    try:
        province = access.dossier_province_for(user, code)
    except access.NotFound:
        raise ExportError(f"province {code} not found") from None
    try:
        rows = forms.form_rows(
            user,
            province,
            period,
            params.get("agency") or None,
            groups=params.get("groups", "") in ("1", "true", "yes"),
        )
    except forms.FormError as error:
        raise ExportError(str(error)) from None
    return province, rows


def _name(province: Organisation, row: forms.FormRow) -> str:
    """What column (2) shows: the organisation, the group, or the code itself when unmatched."""
    if row.group:
        if row.agency == forms.PROVINCE_GROUP:
            return f"Toàn tỉnh ({province.name})"
        if row.agency == forms.DEPARTMENTS_GROUP:
            return "Các sở, ban, ngành"
        code = row.agency.removeprefix(forms.GROUP_PREFIX)
        district = Organisation.objects.filter(province=province, code=code).first()
        return f"{district.name if district else code} và các xã, phường"
    return row.organisation.name if row.organisation else row.agency


def form_sheets(user: AnyUser, params: dict[str, str]) -> list[Sheet]:
    province, rows = _rows(user, params)
    columns = ["agency", "organisation", "period", *forms.COUNTS, *forms.RATES, "matched"]
    return [
        Sheet(
            FORM_CODE.replace("/", "-"),
            columns,
            [
                [
                    row.agency,
                    _name(province, row) if row.matched else "",
                    row.period.code,
                    *(row.counts[name] for name in forms.COUNTS),
                    *(row.fraction(name) for name in forms.RATES),
                    "true" if row.matched else "false",
                ]
                for row in rows
            ],
        )
    ]


THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def form_xlsx(user: AnyUser, params: dict[str, str]) -> bytes:
    province, rows = _rows(user, params)
    period = parse_period(params["period"])
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = cells.sheet_title(FORM_CODE.replace("/", "-"))
    width = 15  # columns A..O
    cells.append(ws, [FORM_CODE])[0].font = Font(bold=True)
    cells.append(ws, [FORM_BASIS])[0].font = Font(italic=True)
    cells.append(ws, [FORM_TITLE])[0].font = Font(bold=True)
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
    ws.cell(3, 1).alignment = CENTRE
    span = f"từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y}"
    cells.append(ws, [f"Kỳ báo cáo: {period.code} ({span})"])
    ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=width)
    ws.cell(4, 1).alignment = CENTRE
    cells.append(ws, [f"Đơn vị báo cáo: {province.name}"])
    cells.append(ws, ["Đơn vị nhận báo cáo: Văn phòng Chính phủ"])
    cells.append(ws, ["Đơn vị tính: Số hồ sơ TTHC"])
    top = 8
    heading = [[""] * width for _ in range(3)]
    placed = {
        (0, 0): "STT",
        (0, 1): "Lĩnh vực, công việc giải quyết theo cấp",
        (0, 2): "Số hồ sơ nhận giải quyết",
        (0, 6): "Số hồ sơ đã giải quyết",
        (0, 10): "Số hồ sơ đang giải quyết",
        (0, 13): "Mã cơ quan trong dữ liệu",
        (0, 14): "Đã khớp với tổ chức",
        (1, 2): "Tổng số",
        (1, 3): "Trong đó",
        (1, 6): "Tổng số",
        (1, 7): "Số hồ sơ",
        (1, 10): "Tổng số",
        (1, 11): "Số hồ sơ",
        (2, 3): "Trực tuyến",
        (2, 4): "Trực tiếp, dịch vụ bưu chính",
        (2, 5): "Từ kỳ trước",
        (2, 7): "Trước hạn",
        (2, 8): "Đúng hạn",
        (2, 9): "Quá hạn",
        (2, 11): "Trong hạn",
        (2, 12): "Quá hạn",
    }
    for (r, c), words in placed.items():
        heading[r][c] = words
    for line in heading:
        for cell in cells.append(ws, line):
            cell.font = Font(bold=True)
            cell.alignment = CENTRE
            cell.border = BOX
    for first_row, first_col, last_row, last_col in (
        (0, 0, 2, 0),
        (0, 1, 2, 1),
        (0, 2, 0, 5),
        (0, 6, 0, 9),
        (0, 10, 0, 12),
        (0, 13, 2, 13),
        (0, 14, 2, 14),
        (1, 2, 2, 2),
        (1, 3, 1, 5),
        (1, 6, 2, 6),
        (1, 7, 1, 9),
        (1, 10, 2, 10),
        (1, 11, 1, 12),
    ):
        ws.merge_cells(
            start_row=top + first_row,
            start_column=first_col + 1,
            end_row=top + last_row,
            end_column=last_col + 1,
        )
    for cell in cells.append(ws, [f"({n})" for n in range(1, 14)] + ["", ""]):
        cell.alignment = CENTRE
        cell.border = BOX
    agencies = [row for row in rows if not row.group]
    for number, row in enumerate([*agencies, *(row for row in rows if row.group)], 1):
        name = _name(province, row)
        values: list[Any] = [
            number,
            name,
            *(row.counts[c] for c in FORM_COLUMNS),
            "" if row.group else row.agency,
            "Có" if row.matched else "Chưa khớp",
        ]
        for cell in cells.append(ws, values):
            cell.border = BOX
    if len(agencies) > 1:
        # Dossiers belong to one code each, so the form's columns add up over the codes.
        totals = [sum(row.counts[c] for row in agencies) for c in FORM_COLUMNS]
        for cell in cells.append(ws, ["", "Tổng cộng", *totals, "", ""]):
            cell.font = Font(bold=True)
            cell.border = BOX
    for column, size in zip("ABCDEFGHIJKLMNO", (6, 40, *([11] * 11), 18, 12), strict=True):
        ws.column_dimensions[column].width = size
    _rates_sheet(workbook, province, rows)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _rates_sheet(workbook: Workbook, province: Organisation, rows: list[forms.FormRow]) -> None:
    ws = workbook.create_sheet("Tỷ lệ")
    header = ["Mã cơ quan", "Cơ quan", "Kỳ", "Tỷ lệ", "Tử số", "Mẫu số", "Giá trị"]
    for cell in cells.append(ws, header):
        cell.font = Font(bold=True)
    for row in rows:
        for name in forms.RATES:
            rate = row.rates[name]
            line = cells.append(
                ws,
                [
                    row.agency,
                    _name(province, row) if row.matched else "",
                    row.period.code,
                    RATE_WORDS[name],
                    rate[0] if rate else None,
                    rate[1] if rate else None,
                    row.fraction(name),
                ],
            )
            line[-1].number_format = "0.00%"
    for column, size in zip("ABCDEFG", (18, 36, 10, 60, 10, 10, 10), strict=True):
        ws.column_dimensions[column].width = size


register(
    Exporter(
        "dossier-form",
        lambda: FORM_CODE,
        form_sheets,
        formats=("xlsx", "csv"),
        params={
            "province": "the province's code",
            "period": "2024Q2, 2024H1, 2024 or 2024-01-15..2024-03-31",
            "agency": "one agency code as the records give it (optional)",
            "groups": "1 to add the province, its departments and each district (optional)",
        },
        renderers={"xlsx": form_xlsx},
        file_stem=lambda params: f"bieu-06-{params.get('period', '')}",
    )
)


# --- the dossiers behind a count --------------------------------------------------------------

LIST_COLUMNS = drill.COLUMNS
# Every listed dossier at most: a list past this is narrowed by its filters first.
LIST_LIMIT = 200_000


def list_filters(params: dict[str, str]) -> drill.Filters:
    """The list's narrowing from text parameters (`procedure`, `status`, `from`, `to`)."""
    dates: dict[str, date | None] = {}
    for name in ("from", "to"):
        value = (params.get(name) or "").strip()
        try:
            dates[name] = date.fromisoformat(value) if value else None
        except ValueError:
            raise ExportError(f"{name}: expected a date such as 2024-04-01, got {value}") from None
    return drill.Filters(
        procedure=(params.get("procedure") or "").strip(),
        status=(params.get("status") or "").strip(),
        received_from=dates["from"],
        received_to=dates["to"],
    )


def list_sheets(user: AnyUser, params: dict[str, str]) -> list[Sheet]:
    code = params.get("province", "")
    if not code:
        raise ExportError("province: give the province's code")
    try:
        province = access.dossier_province_for(user, code)
    except access.NotFound:
        raise ExportError(f"province {code} not found") from None
    try:
        found = drill.listing(
            user,
            province,
            params.get("period", ""),
            params.get("kind", "") or "tong_so",
            params.get("agency", ""),
            filters=list_filters(params),
            per_page=None,
        )
    except drill.DrillError as error:
        raise ExportError(str(error)) from None
    if found.total > LIST_LIMIT:
        raise ExportError(
            f"{found.total} dossiers: more than {LIST_LIMIT}; narrow the list (agency, procedure, "
            "status or dates)"
        )
    return [
        Sheet(
            "Ho so",
            list(LIST_COLUMNS),
            ([row[c] for c in LIST_COLUMNS] for row in found.rows),
        )
    ]


register(
    Exporter(
        "dossier-list",
        lambda: "Danh sách hồ sơ TTHC",
        list_sheets,
        formats=("csv", "xlsx"),
        params={
            "province": "the province's code",
            "period": "2024Q2, 2024H1, 2024 or 2024-01-15..2024-03-31",
            "kind": "a count of the form (da_gq_qua_han, dang_gq_qua_han, nhan_truc_tuyen, ...), "
            "or late, pending_overdue; default every dossier of the period (tong_so)",
            "agency": "an agency code, or a group such as group:province (optional)",
            "procedure": "a procedure code, ma_tthc (optional)",
            "status": "a status, trang_thai (optional)",
            "from": "received on or after this day, 2024-04-01 (optional)",
            "to": "received on or before this day (optional)",
        },
        file_stem=lambda params: (
            f"ho-so-{params.get('kind') or 'tong_so'}-{params.get('period', '')}"
        ),
    )
)
