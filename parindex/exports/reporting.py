"""Periodic-reporting exports: the consolidated round report and one agency's report.

`round-consolidated` (param `round`): the report Home Affairs sends the Provincial People's
Committee after a round, as a Nghị định 30 document (DOCX) and as the data behind it (XLSX).
Those who follow the round on its overview screen may produce it: coordinators and leaders (every
agency), appraisers (their assigned agencies, which the document then says); an agency's own
people get an ExportError pointing them to their agency's report.

`agency-report` (param `report`): one agency's report as it sends it, with the agency as issuer,
and its data (XLSX), for whoever may read that report (`access.reports_for`).

Whatever the person may not see is "not found": the message never says whether it exists.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from parindex.exports.administrative import (
    AdministrativeDocument,
    Issuer,
    committee_short,
    issuer_for,
    place_name,
    province_unit,
)
from parindex.exports.registry import Cell, Exporter, ExportError, Sheet, register
from parindex.lib.collation import sort_key
from parindex.lib.dates import format_date
from parindex.lib.numbers import format_decimal, round_half_up
from parindex.orgs import access
from parindex.orgs.access import AnyUser
from parindex.orgs.models import Organisation
from parindex.plans.models import (
    Area,
    Measure,
    Plan,
    Quantity,
    QuantityUnit,
    Responsibility,
    Target,
)
from parindex.reporting import overview, progress, reading
from parindex.reporting.actions import state_on
from parindex.reporting.models import (
    Item,
    PeriodKind,
    Report,
    ReportStatus,
    ReviewStatus,
    Round,
    TargetStatus,
    Value,
)

# --- Vietnamese wording of the documents -------------------------------------------------------

TARGET_STATUS_VI = {
    "done": "hoàn thành",
    "on_track": "đúng tiến độ",
    "at_risk": "có nguy cơ chậm",
    "not_started": "chưa triển khai",
}
VERDICT_VI = {
    progress.Light.GREEN: "đạt",
    progress.Light.AMBER: "chưa đạt",
    progress.Light.RED: "chưa đạt",
    progress.Light.NONE: "chưa có số liệu",
    progress.Light.NOT_DUE: "chưa đến kỳ đánh giá",
}
COMPARATOR_SIGN = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}
ROMAN = ["I", "II", "III", "IV"]
BRIEF = 400  # characters of an agency's description in the consolidated report
# Up to this many agencies reporting on a target, the consolidated report gives each one's account.
DETAIL_LIMIT = 5

LIGHT_FILL = {
    progress.Light.GREEN: "C6EFCE",
    progress.Light.AMBER: "FFEB9C",
    progress.Light.RED: "FFC7CE",
    progress.Light.NONE: "D9D9D9",
    progress.Light.NOT_DUE: "FFFFFF",
}


def period_vi(round_: Round) -> str:
    """ "quý II năm 2020", "6 tháng đầu năm 2020", "năm 2020", or the dates of a custom range."""
    year = round_.starts_on.year
    if round_.kind == PeriodKind.QUARTER and 1 <= round_.number <= 4:
        return f"quý {ROMAN[round_.number - 1]} năm {year}"
    if round_.kind == PeriodKind.HALF_YEAR:
        return f"6 tháng đầu năm {year}"
    if round_.kind == PeriodKind.YEAR:
        return f"năm {year}"
    return f"từ ngày {format_date(round_.starts_on)} đến ngày {format_date(round_.ends_on)}"


def plan_reference(plan: Plan) -> str:
    """ "Kế hoạch số 165/KH-UBND ngày 11/06/2020 của UBND tỉnh Lào Cai"."""
    text = f"Kế hoạch số {plan.number}"
    if plan.date:
        text += f" ngày {format_date(plan.date)}"
    return f"{text} của {plan.issuer or 'UBND ' + province_unit(plan.province)}"


def lower_first(text: str) -> str:
    """Lower the first letter unless the first word is an abbreviation (CCHC, UBND)."""
    text = text.strip()
    if len(text) > 1 and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def capitalise(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def brief(text: str, limit: int = BRIEF) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def number_vi(value: Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    places = 2 if unit in ("percent", "points") else None
    return format_decimal(value, places=places)


def with_unit(text: str, unit: str) -> str:
    if unit == "percent":
        return f"{text} %"
    if unit == "points":
        return f"{text} điểm"
    if unit == "rank":
        return f"hạng {text}"
    return text


def threshold_vi(quantity: Quantity) -> str:
    """ "chỉ tiêu ≥ 95 %", "chỉ tiêu từ 70 % đến 100 %", "chỉ tiêu 100 %"."""
    value = with_unit(format_decimal(quantity.value, places=None), quantity.unit)
    if quantity.measure == Measure.RANK and quantity.comparator in ("<=", "=", "between"):
        number = format_decimal(quantity.value, places=None)
        if quantity.comparator == "<=":
            return f"chỉ tiêu trong tốp {number}"
        if quantity.comparator == "=" or quantity.value_high is None:
            return f"chỉ tiêu xếp thứ {number}"
        return f"chỉ tiêu xếp thứ {number} đến {format_decimal(quantity.value_high, places=None)}"
    if quantity.comparator == "between" and quantity.value_high is not None:
        high = with_unit(format_decimal(quantity.value_high, places=None), quantity.unit)
        text = f"chỉ tiêu từ {value} đến {high}"
    elif quantity.comparator in COMPARATOR_SIGN:
        text = f"chỉ tiêu {COMPARATOR_SIGN[quantity.comparator]} {value}"
    else:
        text = f"chỉ tiêu {value}"
    if quantity.measure == Measure.ABOVE_REFERENCE:
        text = text.replace("chỉ tiêu ", "chỉ tiêu vượt ", 1)
    elif quantity.measure == Measure.BELOW_REFERENCE:
        text = text.replace("chỉ tiêu ", "chỉ tiêu giảm ", 1)
    if quantity.relative_kind == "year" and quantity.relative_year:
        text += f" so với năm {quantity.relative_year}"
    elif quantity.relative_kind == "previous_year":
        text += " so với năm trước"
    elif quantity.relative_kind == "plan":
        text += " so với kế hoạch"
    return text


def result_vi(
    quantity: Quantity, value: Decimal | None, numerator: Decimal | None, den: Decimal | None
) -> str:
    """ "90,00 % (99/110)" for a rate, "12" for a count; "chưa có số liệu" when nothing is in."""
    if value is None:
        return "chưa có số liệu"
    text = with_unit(number_vi(value, quantity.unit), quantity.unit)
    if quantity.measure in (Measure.ABOVE_REFERENCE, Measure.BELOW_REFERENCE):
        text = f"bằng {text} mốc so sánh"  # collected over planned, not a change already
    if quantity.unit == "percent" and numerator is not None and den is not None:
        text += f" ({format_decimal(numerator, places=None)}/{format_decimal(den, places=None)})"
    return text


def statuses_vi(statuses: dict[str, int]) -> str:
    parts = [
        f"{statuses[key]} cơ quan {label}"
        for key, label in TARGET_STATUS_VI.items()
        if statuses.get(key)
    ]
    return "; ".join(parts)


def role_vi(item: Item) -> str:
    return "chủ trì" if item.lead else "phối hợp"


def numbering(targets: Iterable[Target]) -> dict[int, str]:
    """Targets numbered as in the plan: "1.2." in area 1, "1.2.1." for a sub-item of it."""
    numbers: dict[int, str] = {}
    counters: dict[tuple[int | None, int | None], int] = defaultdict(int)
    areas: dict[int | None, str] = {}
    for target in targets:
        if target.area_id not in areas:
            areas[target.area_id] = area_number(target.area) if target.area else ""
        key = (target.area_id, target.parent_id)
        counters[key] += 1
        if target.parent_id is not None and target.parent_id in numbers:
            prefix = numbers[target.parent_id]
        else:
            prefix = f"{areas[target.area_id]}." if areas[target.area_id] else ""
        numbers[target.pk] = f"{prefix}{counters[key]}."
    return numbers


def area_number(area: Area) -> str:
    return area.number.strip().rstrip(".") or str(area.position + 1)


# --- finding what the person may see ----------------------------------------------------------


def _id(params: dict[str, str], key: str, hint: str) -> int:
    raw = (params.get(key) or "").strip()
    if not raw:
        raise ExportError(f"{key}: required ({hint})")
    if not re.fullmatch(r"[0-9]{1,12}", raw):
        raise ExportError(f"{key}: {raw!r} is not an id")
    return int(raw)


def round_for(user: AnyUser, params: dict[str, str]) -> tuple[Round, list[Report], bool]:
    """The round, the reports of it the person reads, and whether that is all of them.

    As on the round's overview screen: coordinators and leaders follow the whole round,
    appraisers the agencies assigned to them (`access.can_follow_round`); an agency's own
    people export their agency's report instead."""
    pk = _id(params, "round", "the round's id, as `parindex report rounds` lists them")
    try:
        round_ = access.round_for(user, pk)
    except access.NotFound:
        raise ExportError(f"round {pk} not found") from None
    if not access.can_follow_round(user, round_):
        raise ExportError(
            f"round {pk}: the consolidated report is for Home Affairs, the province's leaders "
            "and appraisers; export your agency's report instead (agency-report)"
        )
    reports = list(
        access.reports_for(user)
        .filter(round=round_)
        .select_related("agency", "submitted_by")
        .order_by("pk")
    )
    reports.sort(key=lambda r: sort_key(r.agency.name))
    # Only the number of the round's reports, to say whether the export covers them all.
    complete = len(reports) == Report.objects.filter(round=round_).count()
    return round_, reports, complete


def report_for(user: AnyUser, params: dict[str, str]) -> Report:
    pk = _id(params, "report", "the report's id")
    try:
        return access.report_for(user, pk)
    except access.NotFound:
        raise ExportError(f"report {pk} not found") from None


def _items(reports: Sequence[Report]) -> list[Item]:
    """Items of the reports with their target, area, values and evidence, in plan order."""
    by_pk = {r.pk: r for r in reports}
    items = list(
        Item.objects.filter(report_id__in=by_pk)
        .select_related("target__area")
        .prefetch_related(
            Prefetch(
                "values",
                queryset=Value.objects.select_related("quantity").order_by("quantity__position"),
            ),
            "evidence",
        )
        .order_by("target__position", "pk")
    )
    for item in items:
        item.report = by_pk[item.report_id]
    # Within a target, agencies in Vietnamese alphabetical order (not the database's).
    agency_keys = {r.pk: sort_key(r.agency.name) for r in reports}
    items.sort(key=lambda i: (i.target.position, agency_keys[i.report_id]))
    return items


def _value_items(round_: Round, reports: Sequence[Report]) -> Iterator[Item]:
    """The items of the reports in plan order, each with its values as `round_values` (in the
    order of its quantities), read in three set-wise queries without Django's per-object
    prefetch querysets (two for each of a round's thousands of items)."""
    by_pk = {r.pk: r for r in reports}
    quantities = {q.pk: q for q in Quantity.objects.filter(target__plan=round_.plan)}
    values: dict[int, list[Value]] = defaultdict(list)
    for value in Value.objects.filter(item__report_id__in=by_pk).order_by(
        "quantity__position", "pk"
    ):
        value.quantity = quantities[value.quantity_id]
        values[value.item_id].append(value)
    for item in (
        Item.objects.filter(report_id__in=by_pk)
        .select_related("target__area")
        .order_by("target__position", "report__agency__name", "pk")
        .iterator(chunk_size=1000)
    ):
        item.report = by_pk[item.report_id]
        item.round_values = values.get(item.pk, [])  # type: ignore[attr-defined]
        yield item


# --- round-consolidated -------------------------------------------------------------------------


def home_affairs_issuer(province: Organisation) -> Issuer:
    return Issuer(
        [(committee_short(province), False), ("SỞ NỘI VỤ", True)],
        "SNV",
        place_name(province.name),
        ["GIÁM ĐỐC"],
    )


def consolidated_docx(user: AnyUser, params: dict[str, str]) -> bytes:
    round_, reports, complete = round_for(user, params)
    today = timezone.localdate()
    view = overview.build(round_, today=today, reports=reports)
    plan = round_.plan
    period = period_vi(round_)
    doc = AdministrativeDocument(
        home_affairs_issuer(plan.province),
        today,
        subject=[f"Kết quả thực hiện {plan_reference(plan)}", capitalise(period)],
        recipients=[
            "- UBND tỉnh (b/c);",
            "- Các cơ quan, đơn vị (để biết);",
            "- Lưu: VT, CCHC.",
        ],
    )
    doc.paragraph(
        f"Thực hiện {plan_reference(plan)} về {lower_first(plan.title)}, Sở Nội vụ tổng hợp kết "
        f"quả thực hiện {period} (kỳ báo cáo “{round_.title}”, từ ngày "
        f"{format_date(round_.starts_on)} đến ngày {format_date(round_.ends_on)}; hạn gửi báo cáo "
        f"ngày {format_date(round_.deadline)}) trên cơ sở báo cáo của các cơ quan, đơn vị như sau:"
    )
    if not complete:
        # An appraiser's view: say so, naming only the agencies it covers.
        doc.paragraph(
            "(Bản tổng hợp này chỉ gồm báo cáo của các cơ quan, đơn vị được phân công thẩm định: "
            + "; ".join(r.agency.name for r in reports)
            + ".)",
            italic=True,
        )
    _reporting_summary(doc, view, today)
    _targets(doc, view)
    doc.paragraph(
        f"Trên đây là báo cáo kết quả thực hiện {plan_reference(plan)}, {period}; Sở Nội vụ kính "
        "báo cáo UBND tỉnh xem xét, chỉ đạo./."
    )
    doc.closing()
    return doc.to_bytes()


def _reporting_summary(doc: AdministrativeDocument, view: overview.Overview, today: date) -> None:
    doc.heading("I. TÌNH HÌNH GỬI BÁO CÁO")
    reports = view.reports
    states = view.states
    sent = [r for r in reports if r.submitted_at is not None]
    late = [r for r in sent if states[r.pk] == "late"]
    missing = [r for r in reports if states[r.pk] == "missing"]
    not_due = [r for r in reports if states[r.pk] == "draft"]
    text = (
        f"Kỳ báo cáo có {len(reports)} cơ quan, đơn vị được giao chỉ tiêu phải báo cáo. "
        f"Tính đến ngày {format_date(today)}: {len(sent)} cơ quan, đơn vị đã gửi báo cáo "
        f"({len(sent) - len(late)} đúng hạn, {len(late)} muộn); {len(missing)} cơ quan, đơn vị "
        "chưa gửi báo cáo dù đã quá hạn"
    )
    if not_due:
        text += f"; {len(not_due)} cơ quan, đơn vị đang hoàn thiện, chưa đến hạn"
    doc.paragraph(text + ".")
    if sent:
        by_status: dict[str, int] = defaultdict(int)
        for report in sent:
            by_status[report.status] += 1
        doc.paragraph(
            f"Trong số báo cáo đã gửi: {by_status[ReportStatus.ACCEPTED]} đã được Sở Nội vụ chấp "
            f"nhận, {by_status[ReportStatus.SUBMITTED]} đang rà soát, "
            f"{by_status[ReportStatus.RETURNED]} được trả lại để hoàn thiện."
        )
    if late:
        doc.paragraph("; ".join(r.agency.name for r in late) + ".", label="- Gửi muộn: ")
    if missing:
        doc.paragraph("; ".join(r.agency.name for r in missing) + ".", label="- Chưa gửi báo cáo: ")


def _targets(doc: AdministrativeDocument, view: overview.Overview) -> None:
    doc.heading("II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU")
    lights: dict[progress.Light, int] = defaultdict(int)
    for row in view.targets:
        lights[row.light] += 1
    doc.paragraph(
        f"Kỳ báo cáo theo dõi {len(view.targets)} chỉ tiêu: {lights[progress.Light.GREEN]} chỉ "
        f"tiêu đạt hoặc đúng tiến độ; {lights[progress.Light.AMBER]} chỉ tiêu gần đạt hoặc có "
        f"nguy cơ chậm; {lights[progress.Light.RED]} chỉ tiêu chưa đạt hoặc chưa triển khai; "
        f"{lights[progress.Light.NONE]} chỉ tiêu chưa có số liệu"
        + (
            f"; {lights[progress.Light.NOT_DUE]} chỉ tiêu chưa đến kỳ đánh giá"
            if lights[progress.Light.NOT_DUE]
            else ""
        )
        + ". Kết quả của tỉnh đối với mỗi chỉ tiêu định lượng được tính từ tổng số liệu của các "
        "cơ quan, đơn vị đã gửi báo cáo; chỉ tiêu cộng dồn trong năm được so với tiến độ đến "
        "cuối kỳ báo cáo."
    )
    plan_targets = list(
        Target.objects.filter(plan=view.round.plan).select_related("area").order_by("position")
    )
    numbers = numbering(plan_targets)
    areas = {t.area_id: t.area for t in plan_targets}
    by_area: dict[int | None, list[overview.TargetRow]] = defaultdict(list)
    for row in view.targets:
        by_area[row.target.area_id].append(row)

    def area_order(pk: int | None) -> tuple[bool, int]:
        area = areas.get(pk)
        return (area is None, area.position if area is not None else 0)

    for area_id in sorted(by_area, key=area_order):
        area = areas.get(area_id)
        doc.heading(
            f"{area_number(area)}. {area.title}" if area is not None else "Các chỉ tiêu khác"
        )
        for row in by_area[area_id]:
            _target(doc, row, numbers.get(row.target.pk, ""))


def _target(doc: AdministrativeDocument, row: overview.TargetRow, number: str) -> None:
    doc.paragraph(row.target.text, label=f"{number} " if number else "", italic=True)
    for q in row.quantities:
        aggregate = q.aggregate
        result = result_vi(q.quantity, aggregate.value, aggregate.numerator, aggregate.denominator)
        label = "- Kết quả" if len(row.quantities) == 1 else f"- Kết quả về {q.quantity.subject}"
        if aggregate.value is None:
            doc.paragraph(f"{label}: chưa có số liệu ({threshold_vi(q.quantity)}).")
            continue
        doc.paragraph(
            f"{label}: {result}; {threshold_vi(q.quantity)}: {VERDICT_VI[q.light]}"
            + (f" ({aggregate.reporting} cơ quan có số liệu)." if aggregate.reporting > 1 else ".")
        )
    counted = [i for i in row.items if i.report.status != ReportStatus.DRAFT]
    statuses = statuses_vi(row.statuses)
    doc.paragraph(
        f"- Tiến độ ({len(counted)}/{len(row.items)} cơ quan đã báo cáo): "
        + (statuses or "chưa có cơ quan đánh giá tiến độ")
        + "."
    )
    # Every agency's account while they are few; with many (a target of "all departments and
    # districts"), the lead agencies' and the names of those behind, the rest in the XLSX.
    detailed = len(counted) <= DETAIL_LIMIT
    for status in ("at_risk", "not_started"):
        behind = [i.report.agency.name for i in counted if i.status == status]
        if behind and not detailed:
            doc.paragraph(f"- {capitalise(TARGET_STATUS_VI[status])}: {names(behind)}.")
    for item in sorted(counted, key=lambda i: (not i.lead, sort_key(i.report.agency.name))):
        if not (detailed or item.lead):
            continue
        said = "; ".join(p for p in (role_vi(item), TARGET_STATUS_VI.get(item.status, "")) if p)
        text = capitalise(brief(item.description)) or "Không có mô tả"
        doc.paragraph(
            f"- {item.report.agency.name} ({said}): {text}"
            + ("" if text.endswith((".", "…", "!", "?")) else ".")
        )
    if not detailed:
        doc.paragraph(
            "- Kết quả của từng cơ quan phối hợp: tại biểu tổng hợp số liệu kèm theo.", italic=True
        )
    waiting = [i.report.agency.name for i in row.items if i.report.status == ReportStatus.DRAFT]
    if waiting:
        doc.paragraph(f"- Chưa báo cáo: {names(waiting)}.")


def names(agencies: list[str], limit: int = 10) -> str:
    """ "A; B; C" or, past `limit`, "A; B; ... và 7 cơ quan khác"."""
    if len(agencies) <= limit:
        return "; ".join(agencies)
    return "; ".join(agencies[:limit]) + f" và {len(agencies) - limit} cơ quan khác"


# The data behind it ------------------------------------------------------------------------------


def state_labels() -> dict[str, str]:
    return {
        "draft": _("Draft, not yet due"),
        "submitted": _("Submitted, awaiting review"),
        "returned": _("Returned for corrections"),
        "accepted": _("Accepted"),
        "late": _("Late"),
        "missing": _("Missing"),
    }


def light_labels() -> dict[progress.Light, str]:
    return {
        progress.Light.GREEN: _("Green: met"),
        progress.Light.AMBER: _("Amber: nearly met"),
        progress.Light.RED: _("Red: not met"),
        progress.Light.NONE: _("Grey: no data yet"),
        progress.Light.NOT_DUE: _("Not yet due"),
    }


def item_value(value: Value) -> Decimal | None:
    """A rate in percent (rounded half-up to 2 places), or the count or amount itself."""
    if value.quantity.unit == "percent":
        rate = value.rate
        return None if rate is None else round_half_up(rate)
    return _number(value.numerator)


def _number(value: Decimal | None) -> Decimal | None:
    """A stored count without its 4 stored decimal places (99.0000 → 99, 2.5000 → 2.5)."""
    return None if value is None else value.normalize() + 0


def consolidated_sheets(user: AnyUser, params: dict[str, str]) -> list[Sheet]:
    round_, reports, _complete = round_for(user, params)
    today = timezone.localdate()
    # The province's lines as the overview shows them: sums made by the database.
    view = overview.summarise(round_, today=today, reports=reports)
    states = state_labels()
    responsibility = dict(Responsibility.choices)
    # Labels looked up once: a model's get_FOO_display rebuilds its choices on every call, and
    # the values sheet has a line per agency and quantity.
    progress_labels = {key: str(label) for key, label in TargetStatus.choices}
    review_labels = {key: str(label) for key, label in ReviewStatus.choices}
    unit_labels = {key: str(label) for key, label in QuantityUnit.choices}

    def value_rows() -> Iterable[list[Any]]:
        for item in _value_items(round_, reports):
            area = item.target.area
            common = [
                round_.title,
                f"{area_number(area)}. {area.title}" if area else "",
                item.target.text,
            ]
            tail = [
                progress_labels.get(item.status, item.status),
                item.description,
                review_labels.get(item.review, item.review),
                states.get(view.states[item.report_id], view.states[item.report_id]),
            ]
            agency = [
                item.report.agency.name,
                responsibility[Responsibility.LEAD if item.lead else Responsibility.COORDINATING],
            ]
            values = item.round_values  # type: ignore[attr-defined]
            if not values:
                yield [*common, "", *agency, None, None, None, "", *tail]
            for value in values:
                yield [
                    *common,
                    value.quantity.subject,
                    *agency,
                    _number(value.numerator),
                    _number(value.denominator),
                    item_value(value),
                    unit_labels.get(value.quantity.unit, value.quantity.unit),
                    *tail,
                ]

    lights = light_labels()

    def province_rows() -> Iterable[list[Any]]:
        for row in view.targets:
            area = row.target.area
            for q in row.quantities:
                yield [
                    round_.title,
                    f"{area_number(area)}. {area.title}" if area else "",
                    row.target.text,
                    q.quantity.subject,
                    q.quantity.get_comparator_display(),
                    _number(q.quantity.value),
                    _number(q.quantity.value_high),
                    q.quantity.get_unit_display(),
                    q.aggregate.reporting,
                    _number(q.aggregate.numerator) if q.aggregate.reporting else None,
                    _number(q.aggregate.denominator) if q.aggregate.reporting else None,
                    None if q.aggregate.value is None else round_half_up(q.aggregate.value),
                    Cell(lights[q.light], LIGHT_FILL[q.light]),
                ]

    def report_rows() -> Iterable[list[Any]]:
        for report in reports:
            state = view.states[report.pk]
            yield [
                report.agency.name,
                report.get_status_display(),
                states.get(state, state),
                timezone.localtime(report.submitted_at) if report.submitted_at else None,
                str(report.submitted_by) if report.submitted_by else "",
                _("yes") if report.late else _("no"),
                timezone.localtime(report.accepted_at) if report.accepted_at else None,
            ]

    return [
        Sheet(
            _("Values"),
            [
                _("Round"),
                _("Content area"),
                _("Target"),
                _("Quantity"),
                _("Agency"),
                _("Responsibility"),
                _("Numerator"),
                _("Denominator"),
                _("Rate (%) or value"),
                _("Unit"),
                _("Progress"),
                _("What was done"),
                _("Review"),
                _("Report state"),
            ],
            value_rows(),
        ),
        Sheet(
            _("Province values"),
            [
                _("Round"),
                _("Content area"),
                _("Target"),
                _("Quantity"),
                _("Comparator"),
                _("Target value"),
                _("Upper value"),
                _("Unit"),
                _("Agencies reporting"),
                _("Numerator (sum)"),
                _("Denominator (sum)"),
                _("Province value"),
                _("Light"),
            ],
            province_rows(),
        ),
        Sheet(
            _("Reports"),
            [
                _("Agency"),
                _("Status"),
                _("State on %(day)s") % {"day": format_date(today)},
                _("Submitted at"),
                _("Submitted by"),
                _("Late"),
                _("Accepted at"),
            ],
            report_rows(),
        ),
    ]


# --- agency-report ---------------------------------------------------------------------------------


def agency_docx(user: AnyUser, params: dict[str, str]) -> bytes:
    report = report_for(user, params)
    round_ = report.round
    plan = round_.plan
    agency = report.agency
    period = period_vi(round_)
    today = timezone.localdate()
    doc = AdministrativeDocument(
        issuer_for(agency),
        today,
        subject=[f"Kết quả thực hiện {plan_reference(plan)}", capitalise(period)],
        recipients=["- Sở Nội vụ (t/h);", "- Lưu: VT."],
    )
    doc.paragraph(
        f"Thực hiện {plan_reference(plan)} về {lower_first(plan.title)}, {agency.name} báo cáo "
        f"kết quả thực hiện {period} (từ ngày {format_date(round_.starts_on)} đến ngày "
        f"{format_date(round_.ends_on)}) như sau:"
    )
    doc.heading("I. KẾT QUẢ CHUNG")
    paragraphs = [p.strip() for p in report.narrative.splitlines() if p.strip()]
    for text in paragraphs or ["(Chưa có nội dung tóm tắt.)"]:
        doc.paragraph(text)
    doc.heading("II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU ĐƯỢC GIAO")
    seen = reading.read_report(user, report, history=False)
    items = [line.item for line in seen.items]
    plan_targets = list(
        Target.objects.filter(plan=plan).select_related("area").order_by("position")
    )
    numbers = numbering(plan_targets)
    area_seen: set[int | None] = set()
    for item in items:
        area = item.target.area
        if item.target.area_id not in area_seen:
            area_seen.add(item.target.area_id)
            doc.heading(
                f"{area_number(area)}. {area.title}" if area is not None else "Các chỉ tiêu khác"
            )
        number = numbers.get(item.target_id, "")
        doc.paragraph(item.target.text, label=f"{number} " if number else "", italic=True)
        doc.paragraph(f"- Trách nhiệm: cơ quan {role_vi(item)}.")
        values = list(item.values.all())
        for value in values:
            quantity = value.quantity
            result = result_vi(quantity, item_value(value), value.numerator, value.denominator)
            label = "- Kết quả" if len(values) == 1 else f"- Kết quả về {quantity.subject}"
            doc.paragraph(f"{label}: {result}; {threshold_vi(quantity)}.")
        if item.status:
            doc.paragraph(f"- Tiến độ: {TARGET_STATUS_VI.get(item.status, item.status)}.")
        if item.description.strip():
            doc.paragraph(f"- Kết quả thực hiện: {item.description.strip()}")
        evidence = [e.name for e in item.evidence.all()]
        if evidence:
            doc.paragraph("- Tài liệu kiểm chứng: " + "; ".join(evidence) + ".")
    if seen.actions:
        doc.heading("III. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ KHẮC PHỤC ĐIỂM CÒN THIẾU")
        for position, found in enumerate(seen.actions, start=1):
            line, action = found.line, found.line.action
            doc.paragraph(action.title, label=f"{position}. ", italic=True)
            doc.paragraph(
                f"- Tiêu chí thành phần {action.node_code}"
                + (f" ({found.name})" if found.name else "")
                + f"; thời hạn: {format_date(action.deadline)}; điểm dự kiến cải thiện: "
                f"{format_decimal(action.expected_points, places=None)}."
            )
            if line.status:
                doc.paragraph(f"- Tiến độ: {TARGET_STATUS_VI.get(line.status, line.status)}.")
            if line.description.strip():
                doc.paragraph(f"- Kết quả thực hiện: {line.description.strip()}")
    doc.paragraph(
        f"Trên đây là báo cáo kết quả thực hiện {plan_reference(plan)}, {period} của "
        f"{agency.name}, gửi Sở Nội vụ tổng hợp, báo cáo UBND tỉnh./."
    )
    doc.closing()
    return doc.to_bytes()


def agency_sheets(user: AnyUser, params: dict[str, str]) -> list[Sheet]:
    report = report_for(user, params)
    round_ = report.round
    today = timezone.localdate()
    state = state_on(report, today)
    seen = reading.read_report(user, report, history=False)
    items = [line.item for line in seen.items]
    responsibility = dict(Responsibility.choices)
    facts: list[list[Any]] = [
        [_("Plan"), f"{round_.plan.number} — {round_.plan.title}"],
        [_("Round"), round_.title],
        [_("Period"), f"{format_date(round_.starts_on)} – {format_date(round_.ends_on)}"],
        [_("Deadline"), round_.deadline],
        [_("Agency"), report.agency.name],
        [_("Status"), report.get_status_display()],
        [_("State on %(day)s") % {"day": format_date(today)}, state_labels().get(state, state)],
        [
            _("Submitted at"),
            timezone.localtime(report.submitted_at) if report.submitted_at else None,
        ],
        [_("Submitted by"), str(report.submitted_by) if report.submitted_by else ""],
        [_("Late"), _("yes") if report.late else _("no")],
        [_("Summary of the period"), report.narrative],
    ]

    def item_rows() -> Iterable[list[Any]]:
        for item in items:
            area = item.target.area
            common = [
                f"{area_number(area)}. {area.title}" if area else "",
                item.target.text,
                responsibility[Responsibility.LEAD if item.lead else Responsibility.COORDINATING],
            ]
            tail = [
                item.get_status_display(),
                item.description,
                "; ".join(e.name for e in item.evidence.all()),
                item.get_review_display(),
                item.review_comment,
            ]
            values = list(item.values.all())
            if not values:
                yield [*common, "", None, None, None, "", "", None, *tail]
            for value in values:
                quantity = value.quantity
                yield [
                    *common,
                    quantity.subject,
                    _number(value.numerator),
                    _number(value.denominator),
                    item_value(value),
                    quantity.get_unit_display(),
                    quantity.get_comparator_display(),
                    _number(quantity.value),
                    *tail,
                ]

    return [
        Sheet(_("Report"), [_("Field"), _("Value")], facts),
        Sheet(
            _("Items"),
            [
                _("Content area"),
                _("Target"),
                _("Responsibility"),
                _("Quantity"),
                _("Numerator"),
                _("Denominator"),
                _("Rate (%) or value"),
                _("Unit"),
                _("Comparator"),
                _("Target value"),
                _("Progress"),
                _("What was done"),
                _("Evidence"),
                _("Review"),
                _("Reviewer's comment"),
            ],
            item_rows(),
        ),
        Sheet(
            _("Actions to close the gap"),
            [
                _("Sub-criterion"),
                _("Action"),
                _("Deadline"),
                _("Points expected"),
                _("Progress"),
                _("What was done"),
            ],
            [
                [
                    f"{found.line.action.node_code} {found.name}".strip(),
                    found.line.action.title,
                    found.line.action.deadline,
                    found.line.action.expected_points,
                    found.line.get_status_display(),
                    found.line.description,
                ]
                for found in seen.actions
            ],
        ),
    ]


register(
    Exporter(
        "round-consolidated",
        lambda: _("Consolidated round report"),
        consolidated_sheets,
        formats=("docx", "xlsx"),
        params={"round": "round id (parindex report rounds)"},
        renderers={"docx": consolidated_docx},
        file_stem=lambda params: f"round-{params.get('round', '')}-consolidated",
    )
)
register(
    Exporter(
        "agency-report",
        lambda: _("Agency report"),
        agency_sheets,
        formats=("docx", "xlsx"),
        params={"report": "report id"},
        renderers={"docx": agency_docx},
        file_stem=lambda params: f"report-{params.get('report', '')}",
    )
)
