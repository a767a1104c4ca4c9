"""One-stop-shop dossiers: the form Biểu số 06/VPCP/KSTT per agency, and the import runs.

GET /api/dossiers/form?period=2024Q2[&agency=CODE][&province=CODE] gives the rows of
`parindex dossiers form --format json` (docs/dossiers.md): one per agency code, counts under the
reference names, rates as fractions rounded to four places (null without a denominator), and
`matched` (false for a code not yet matched to an organisation). The province's coordinators
and leaders read every code; an agency's people the codes matched to their agency.

GET /api/dossiers/imports lists the import runs the person may follow (the province's
coordinators and leaders): who, when, which file, the counts and the problems found.

GET /api/dossiers/list?period=2024Q2&kind=late[&agency=CODE] pages (50 a page) through the
dossiers behind a count of the form: `kind` is a count's name or `late` (da_gq_qua_han) or
`pending_overdue` (dang_gq_qua_han); its `total` is the form's count for the same agency.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from parindex.dossiers import drill, forms
from parindex.orgs import access
from parindex.orgs.models import Organisation

router = Router(tags=["dossiers"])


class FormRowOut(Schema):
    agency: str
    period: str
    tong_so: int
    nhan_truc_tuyen: int
    nhan_truc_tiep_bcci: int
    tu_ky_truoc: int
    da_gq: int
    da_gq_truoc_han: int
    da_gq_dung_han: int
    da_gq_qua_han: int
    dang_gq: int
    dang_gq_trong_han: int
    dang_gq_qua_han: int
    tra_kq_bcci: int
    so_tthc_phat_sinh: int
    so_tthc_tt34_bcci: int
    ty_le_dung_han: float | None
    ty_le_dung_han_ca_dang_qua_han: float | None
    ty_le_truc_tuyen: float | None
    ty_le_nhan_bcci: float | None
    ty_le_tra_bcci: float | None
    ty_le_tthc_tt34_bcci: float | None
    matched: bool


class ProblemExampleOut(Schema):
    row: int
    value: str


class ProblemOut(Schema):
    code: str
    refused: bool
    column: str
    count: int
    examples: list[ProblemExampleOut]


class ImportOut(Schema):
    id: int
    province: str
    source: str
    mapping: str
    filename: str
    status: str
    message: str
    rows: int
    accepted: int
    inserted: int
    updated: int
    refused_rows: int
    warnings: int
    problems: list[ProblemOut]
    partitions: list[str]
    created_by: str
    created_at: datetime


def _province(request: HttpRequest, code: str | None) -> Organisation:
    readable = access.dossier_provinces_for(request.user)
    if code:
        try:
            return access.dossier_province_for(request.user, code)
        except access.NotFound:
            raise HttpError(404, f"province {code} not found") from None
    found = list(readable.filter(valid_to__isnull=True)[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise HttpError(404, "no province's dossiers to read")
    raise HttpError(422, "province: say which province's dossiers (its code)")


@router.get(
    "/form",
    response=list[FormRowOut],
    summary="The form Biểu số 06/VPCP/KSTT per agency code for a period (2024Q2, 2024H1, 2024)",
)
def form(
    request: HttpRequest, period: str, agency: str | None = None, province: str | None = None
) -> list[dict[str, Any]]:
    chosen = _province(request, province)
    try:
        rows = forms.form_rows(request.user, chosen, period, agency or None)
    except forms.FormError as error:
        status = 404 if str(error).endswith("not found") else 422
        raise HttpError(status, str(error)) from None
    return [row.as_json() for row in rows]


@router.get("/imports", response=list[ImportOut], summary="Dossier import runs, newest first")
def imports(request: HttpRequest, limit: int = 50) -> list[dict[str, Any]]:
    found = access.dossier_imports_for(request.user).select_related("province")
    return [
        {
            "id": run.pk,
            "province": run.province.code,
            "source": run.source,
            "mapping": run.mapping,
            "filename": run.filename,
            "status": run.status,
            "message": run.message,
            "rows": run.rows,
            "accepted": run.accepted,
            "inserted": run.inserted,
            "updated": run.updated,
            "refused_rows": run.refused_rows,
            "warnings": run.warnings,
            "problems": run.problems,
            "partitions": run.partitions,
            "created_by": run.created_by_name,
            "created_at": run.created_at,
        }
        for run in found[: max(1, min(limit, 500))]
    ]


class DossierOut(Schema):
    ma_ho_so: str
    co_quan: str
    ma_tthc: str
    kenh_thuc_hien: int
    muc_do: int | None
    tra_kq_bcci: bool
    trang_thai: str
    ngay_tiep_nhan: date
    ngay_hen_tra: date | None
    ngay_ket_thuc_xu_ly: date | None


class DossierListOut(Schema):
    period: str
    kind: str
    agency: str
    total: int
    page: int
    pages: int
    dossiers: list[DossierOut]


@router.get(
    "/list",
    response=DossierListOut,
    summary="The dossiers behind a count of the form (late, pending_overdue, da_gq, ...), 50 a page",
)
def dossier_list(
    request: HttpRequest,
    period: str,
    kind: str = "tong_so",
    agency: str = "",
    procedure: str = "",
    status: str = "",
    received_from: date | None = None,
    received_to: date | None = None,
    page: int = 1,
    province: str | None = None,
) -> dict[str, Any]:
    chosen = _province(request, province)
    filters = drill.Filters(procedure, status, received_from, received_to)
    try:
        found = drill.listing(
            request.user, chosen, period, kind, agency, filters=filters, page=page
        )
    except drill.DrillError as error:
        status_code = 404 if str(error).endswith("not found") else 422
        raise HttpError(status_code, str(error)) from None
    return {
        "period": found.period.code,
        "kind": found.kind,
        "agency": found.agency,
        "total": found.total,
        "page": found.page,
        "pages": found.pages,
        "dossiers": found.rows,
    }
