"""The demo's year of one-stop-shop dossiers: generated, never real, for Lào Cai's agencies.

A seeded draw, the same on every machine, of the year of dossiers up to the demo's present
(received from 1 July 2019 to 30 June 2020; those still open on 30 June are pending) as a province's one-stop-shop system would export them, in the reference
columns (docs/dossiers.md). What it is made to show: most agencies resolve 97–99 % on time, two
do not reach the plan's 95 %; online receipt grows through the year past the plan's 20 %; post
(BCCI) stays at 5–8 %, below the plan's 10 %; some dossiers are returned or withdrawn, a few
lack a due date, and some are still open at the year's end, a few of them overdue. One agency
code of the export ("H35.99") is matched to no organisation, as happens when a one-stop-shop
system names a unit the province's list does not.
"""

from __future__ import annotations

import csv
import random
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from parindex.dossiers import feeds, matching, reading
from parindex.dossiers.actions import import_dossiers
from parindex.dossiers.kpis import compute_forms, engine_connection
from parindex.dossiers.models import DossierImport
from parindex.dossiers.periods import parse_period
from parindex.orgs.models import Organisation, OrgKind, User
from parindex.plans.models import Quantity

# (quarter, agency code, rate) → (numerator, denominator) over the quarter, from the records.
Figures = dict[tuple[int, str, str], tuple[int, int]]

COLUMNS = (
    "ma_ho_so",
    "co_quan",
    "ma_tthc",
    "kenh_thuc_hien",
    "muc_do",
    "tra_kq_bcci",
    "trang_thai",
    "ngay_tiep_nhan",
    "ngay_hen_tra",
    "ngay_ket_thuc_xu_ly",
)
UNMATCHED_CODE = "H35.99"
YEAR = 2020
# The demo's present is the middle of 2020: quarter II's reports are in, the year is forecast.
FIRST_DAY = date(2019, 7, 1)
AS_OF = date(2020, 6, 30)
# Days off besides weekends: 2/9/2019, the New Year, Tết (23–29/1/2020), Hùng Kings (2/4),
# 30/4–1/5, 2/9/2020 (and 31/8 given in exchange).
HOLIDAYS = frozenset(
    [date(2019, 9, 2), date(2020, 1, 1)]
    + [date(2020, 1, d) for d in range(23, 30)]
    + [date(2020, 4, 2), date(2020, 4, 30), date(2020, 5, 1), date(2020, 8, 31), date(2020, 9, 2)]
)
# Agencies that resolve fewer dossiers on time than the plan's 95 %.
SLOW = ("so-tai-nguyen-va-moi-truong", "huyen-bat-xat")
# What an agency types instead of what its records give: Sở Tài nguyên và Môi trường reports
# 97 % of its dossiers resolved on time when its records say about 90 %, which the reporting
# screens flag.
TYPED_OTHERWISE = {("so-tai-nguyen-va-moi-truong", "ty_le_dung_han"): Decimal("0.97")}
# Working days a procedure allows, and how often each is met.
DURATIONS = (1, 3, 5, 7, 10, 15, 20)


@dataclass(frozen=True)
class Procedure:
    code: str
    days: int
    level: int  # 2: information only; 3: partly online; 4: fully online


def working_days_after(start: date, days: int) -> date:
    """The day `days` working days after `start` (the due date of a dossier received then)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in HOLIDAYS:
            days -= 1
    return day


def _procedures(rng: random.Random, n: int, prefix: str) -> list[Procedure]:
    return [
        Procedure(
            code=f"{prefix}.{k:06d}",
            days=rng.choice(DURATIONS),
            level=rng.choices((2, 3, 4), weights=(45, 35, 20))[0],
        )
        for k in range(1, n + 1)
    ]


def _volume(code: str, kind: str, rng: random.Random) -> int:
    if kind == "department":
        return rng.randint(600, 2_400)
    if kind == "district":
        return rng.randint(1_800, 3_600)
    return rng.randint(60, 240)  # a commune


def rows(agencies: Sequence[tuple[str, str]], *, seed: int = 2020) -> Iterator[tuple[str, ...]]:
    """The dossiers of `agencies` ((code, kind) pairs), one tuple of `COLUMNS` each, as text."""
    rng = random.Random(seed)
    procedures = {
        "department": _procedures(rng, 220, "1"),
        "district": _procedures(rng, 90, "2"),
        "commune": _procedures(rng, 40, "3"),
    }
    as_of = AS_OF
    serial = 0
    for code, kind in [*agencies, (UNMATCHED_CODE, "department")]:
        catalogue = procedures.get(kind, procedures["department"])
        popular = rng.sample(catalogue, min(len(catalogue), 25 if kind == "commune" else 60))
        weights = [1 / (rank + 1) for rank in range(len(popular))]  # a few procedures dominate
        slow = code in SLOW
        for _ in range(_volume(code, kind, rng)):
            serial += 1
            procedure = rng.choices(popular, weights=weights)[0]
            # Received from 1 July 2019 to 30 June 2020.
            received = FIRST_DAY + timedelta(days=rng.randrange((AS_OF - FIRST_DAY).days + 1))
            month = (received.year - FIRST_DAY.year) * 12 + received.month - FIRST_DAY.month
            online_share = 0.06 + 0.012 * month  # about 7 % in July 2019, 20 % in June 2020
            channel = 1
            if procedure.level >= 3 and rng.random() < online_share * 2.2:
                channel = 2
            elif rng.random() < 0.06:
                channel = 3
            due: date | None = working_days_after(received, procedure.days)
            if rng.random() < 0.004:
                due = None  # a few exports lack the due date
            fate = rng.random()
            status, finished = "DA_GIAI_QUYET", None
            late_share = 0.09 if slow else 0.015
            if fate < 0.01:
                status = "TRA_LAI"
            elif fate < 0.015:
                status = "RUT_HO_SO"
            reference = due or working_days_after(received, procedure.days)
            roll = rng.random()
            if roll < late_share:
                finished = reference + timedelta(days=rng.randint(1, 12))
            elif roll < late_share + 0.35:
                finished = reference
            else:
                span = (reference - received).days
                finished = received + timedelta(days=rng.randint(0, max(0, span - 1)))
            if finished > as_of:
                status, finished = "DANG_XU_LY", None  # still open when the year closed
            yield (
                f"000.{serial:07d}.H35",
                code,
                procedure.code,
                str(channel),
                str(procedure.level),
                "1" if status == "DA_GIAI_QUYET" and rng.random() < 0.075 else "0",
                status,
                received.isoformat(),
                due.isoformat() if due else "",
                finished.isoformat() if finished else "",
            )


def write_csv(path: Path, agencies: Sequence[tuple[str, str]]) -> int:
    """Write the demo's dossiers to `path` as a one-stop-shop export; returns how many."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in rows(agencies):
            writer.writerow(row)
            count += 1
    return count


def load_dossiers(province: Organisation, by: User) -> DossierImport:
    """Import the demo's dossiers into the province's store through the import action, as a
    coordinator would upload a one-stop-shop export."""
    agencies = [
        (o.code, o.kind)
        for o in Organisation.objects.filter(
            province=province, kind__in=(OrgKind.DEPARTMENT, OrgKind.DISTRICT, OrgKind.COMMUNE)
        )
        .as_of(date(YEAR, 6, 30))
        .order_by("code", "pk")
        if o.code
    ]
    with tempfile.TemporaryDirectory(prefix="parindex-demo-") as folder:
        path = Path(folder) / "ho-so-mot-cua-2019-2020-minh-hoa.csv"
        write_csv(path, list(dict.fromkeys(agencies)))
        return import_dossiers(province, path, by=by, source="demo")


def quarter_figures(province: Organisation) -> Figures:
    """Every agency code's dossier rates in the quarters the demo reports on (I and II), as the
    records give them."""
    store = reading.store_for(province)
    quarters = [parse_period(f"{YEAR}Q{q}") for q in (1, 2)]
    with engine_connection() as con:
        rows = compute_forms(con, store.relation(), quarters, summary=store.summary())
    figures: Figures = {}
    for row in rows:
        quarter = int(row.period[-1])
        for rate in matching.MATCHED_RATES:
            pair = row.rate(rate)
            if pair is not None:
                figures[quarter, row.agency, rate] = pair
    return figures


def typed(
    figures: Figures, quantity: Quantity, agency: str, quarter: int
) -> tuple[Decimal, Decimal] | None:
    """What the agency types for a dossier rate of its report: its records' figure (or the
    one it reports otherwise); None for a quantity that is no dossier rate."""
    rate = feeds.rate_of(
        quantity.subject, quantity.unit, on_time="ty_le_dung_han", context=quantity.target.text
    )
    pair = figures.get((quarter, agency, rate)) if rate is not None else None
    if rate is None or pair is None:
        return None
    numerator, denominator = pair
    share = TYPED_OTHERWISE.get((agency, rate))
    if share is not None:
        numerator = round(denominator * share)
    return Decimal(numerator), Decimal(denominator)
