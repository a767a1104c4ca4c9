"""A reporting round at province scale: open it, fill and submit every report, read the overview.

    .venv/bin/python -m bench.reporting_round [--repeat 3]

Builds a province (its People's Committee, 20 departments, 9 districts, 150 communes) with a
plan of 60 targets (rates and counts; each led by a department, coordinated by a share of the
other departments, of the districts and of the communes), opens a quarterly round, fills and
submits every report through the actions, then reads the round: `overview.build`, the overview
web page and the consolidated DOCX and XLSX (when those exist). Each step prints its wall
time and SQL queries at full scale and, as the baseline measured in the same run, at 1/10 scale
(2 departments, 1 district, 15 communes: 18 agencies, the same 60 targets), with the ratio. Reads
also print their peak Python memory (tracemalloc, in a separate untimed pass).

The database is thrown away: SQLite in a temporary PARINDEX_VAR_DIR, migrated in process; or,
when DATABASE_URL is set, a `test_` database created beside it and dropped afterwards (Django's
test-database machinery), so a real database is never written to. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from time import perf_counter, process_time
from typing import TYPE_CHECKING, Any

from bench.harness import django_benchmark

if TYPE_CHECKING:
    from parindex.orgs.models import Organisation, User
    from parindex.plans.models import Plan
    from parindex.reporting.actions import ItemInput
    from parindex.reporting.models import Round


@dataclass(frozen=True)
class Scale:
    departments: int
    districts: int
    communes: int
    targets: int

    @property
    def agencies(self) -> int:
        return self.departments + self.districts + self.communes

    def describe(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count} {word}" + ("" if count == 1 else "s")

        return (
            f"{self.agencies} agencies ({n(self.departments, 'department')}, "
            f"{n(self.districts, 'district')}, {n(self.communes, 'commune')}), "
            f"{n(self.targets, 'target')}"
        )


FULL = Scale(departments=20, districts=9, communes=150, targets=60)
BASELINE = Scale(departments=2, districts=1, communes=15, targets=60)
# Small enough for the test suite, which runs the builder so that it cannot rot.
TINY = Scale(departments=2, districts=1, communes=2, targets=8)


@dataclass
class Province:
    province: Organisation
    coordinator: User
    plan: Plan
    agencies: list[Organisation]


@dataclass
class Figure:
    seconds: float  # wall time
    cpu: float  # this process's CPU time: steadier than wall time on a busy machine
    queries: int
    peak_mb: float | None = None


@dataclass
class Run:
    scale: Scale
    sizes: dict[str, int] = field(default_factory=dict)  # reports, items, values
    figures: dict[str, Figure | None] = field(default_factory=dict)  # None: step skipped


STEPS = (
    ("open", "open the round"),
    ("save", "save every report"),
    ("submit", "submit every report"),
    ("overview", "overview.build"),
    ("page", "overview web page"),
    ("docx", "consolidated DOCX"),
    ("xlsx", "consolidated XLSX"),
)


# --- the province and its plan -----------------------------------------------------------------


def build(scale: Scale, code: str) -> Province:
    """A province of `scale` with a coordinator and a plan, through the organisation actions."""
    from parindex.orgs import actions
    from parindex.orgs.models import OrgKind, Role
    from parindex.plans.models import (
        Area,
        Comparator,
        Plan,
        Quantity,
        QuantityUnit,
        Responsibility,
        Target,
        TargetAgency,
    )

    province = actions.create_province(by=None, name=f"Tỉnh {code}", code=code)

    def agency(kind: str, name: str, slug: str, parent: Organisation | None = None) -> Organisation:
        return actions.create_organisation(
            by=None, province=province, kind=kind, name=name, code=slug, parent=parent
        )

    agency(OrgKind.PPC, f"UBND tỉnh {code}", "ubnd-tinh")
    departments = [
        agency(OrgKind.DEPARTMENT, f"Sở số {i + 1:02d}", f"so-{i + 1:02d}")
        for i in range(scale.departments)
    ]
    districts = [
        agency(OrgKind.DISTRICT, f"UBND huyện số {i + 1}", f"huyen-{i + 1}")
        for i in range(scale.districts)
    ]
    communes = [
        agency(
            OrgKind.COMMUNE,
            f"UBND xã số {i + 1:03d}",
            f"xa-{i + 1:03d}",
            parent=districts[i % len(districts)] if districts else None,
        )
        for i in range(scale.communes)
    ]
    coordinator = actions.create_person(
        by=None, username=f"{code}.noivu", full_name="Điều phối viên", organisation=departments[0]
    )
    actions.assign_role(coordinator, by=None, role=Role.COORDINATOR, organisation=province)
    plan = Plan.objects.create(
        province=province, number="1/KH-UBND", year=2020, title="Kế hoạch CCHC năm 2020"
    )
    area = Area.objects.create(plan=plan, number="1", title="Cải cách hành chính")
    targets = Target.objects.bulk_create(
        Target(plan=plan, area=area, text=f"Nhiệm vụ số {i + 1}", position=i)
        for i in range(scale.targets)
    )
    quantities = []
    for i, target in enumerate(targets):
        if i % 4 in (0, 3):
            quantities.append(
                Quantity(
                    target=target,
                    subject="tỷ lệ hồ sơ giải quyết đúng hạn",
                    comparator=Comparator.GE,
                    value=Decimal(90),
                    unit=QuantityUnit.PERCENT,
                )
            )
        if i % 4 == 1:
            quantities.append(
                Quantity(
                    target=target,
                    subject="vấn đề phát hiện được xử lý",
                    comparator=Comparator.EQ,
                    value=Decimal(100),
                    unit=QuantityUnit.PERCENT,
                )
            )
        if i % 4 in (2, 3):
            quantities.append(
                Quantity(
                    target=target,
                    subject="sáng kiến",
                    comparator=Comparator.GE,
                    value=Decimal(5),
                    unit=QuantityUnit.COUNT,
                    position=1,
                )
            )
    Quantity.objects.bulk_create(quantities)
    duties = []
    for i, target in enumerate(targets):
        lead = departments[i % len(departments)]
        duties.append(
            TargetAgency(target=target, organisation=lead, responsibility=Responsibility.LEAD)
        )
        # A quarter of the other departments, half the districts, a third of the communes.
        shares = (
            [(n, d, 4) for n, d in enumerate(departments) if d != lead]
            + [(n, d, 2) for n, d in enumerate(districts)]
            + [(n, c, 3) for n, c in enumerate(communes)]
        )
        duties.extend(
            TargetAgency(
                target=target, organisation=org, responsibility=Responsibility.COORDINATING
            )
            for n, org, share in shares
            if (i + n) % share == 0
        )
    TargetAgency.objects.bulk_create(duties)
    return Province(province, coordinator, plan, [*departments, *districts, *communes])


def inputs_for(round_: Round) -> dict[int, dict[int, ItemInput]]:
    """What each agency types into its report: plausible, deterministic figures for every item."""
    from parindex.reporting.actions import ItemInput
    from parindex.reporting.models import Item, TargetStatus, Value

    values: dict[int, dict[int, tuple[Decimal | None, Decimal | None]]] = {}
    for value in Value.objects.filter(item__report__round=round_).select_related("quantity"):
        pair: tuple[Decimal | None, Decimal | None]
        if value.quantity.unit == "percent":
            total = 100 + (value.pk * 37) % 1400
            pair = (Decimal(total * (86 + value.pk % 15) // 100), Decimal(total))
        else:
            pair = (Decimal(value.pk % 4), None)
        values.setdefault(value.item_id, {})[value.pk] = pair
    statuses = [
        TargetStatus.ON_TRACK,
        TargetStatus.DONE,
        TargetStatus.ON_TRACK,
        TargetStatus.AT_RISK,
    ]
    result: dict[int, dict[int, ItemInput]] = {}
    for item_id, report_id in Item.objects.filter(report__round=round_).values_list(
        "pk", "report_id"
    ):
        result.setdefault(report_id, {})[item_id] = ItemInput(
            status=statuses[item_id % len(statuses)],
            description="Đã triển khai theo kế hoạch; kết quả như số liệu kèm theo.",
            values=values.get(item_id, {}),
        )
    return result


# --- measuring ---------------------------------------------------------------------------------


def measure(action: Callable[[], Any], *, repeat: int = 1, memory: bool = False) -> Figure:
    """Queries of one run; the best wall and CPU times of `repeat` runs; peak memory of an
    extra run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best, best_cpu = float("inf"), float("inf")
    queries = 0
    for attempt in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = perf_counter(), process_time()
            action()
            best = min(best, perf_counter() - start)
            best_cpu = min(best_cpu, process_time() - start_cpu)
        if attempt == 0:
            # Read now: a later request's reset_queries would empty the captured slice.
            queries = len(captured.captured_queries)
    peak = None
    if memory:
        tracemalloc.start()
        try:
            action()
            peak = tracemalloc.get_traced_memory()[1] / 1_000_000
        finally:
            tracemalloc.stop()
    return Figure(best, best_cpu, queries, peak)


def overview_page(setup: Province, round_: Round) -> Callable[[], int] | None:
    """A GET of the round's overview as the coordinator, if the web screen exists."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("round_overview", args=[round_.pk])
    except NoReverseMatch:
        return None
    client = Client()
    client.force_login(setup.coordinator)

    def get() -> int:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code}")
        return len(response.content)

    return get


def consolidated(fmt: str) -> Callable[[Province, Round], Callable[[], int] | None]:
    """The round's consolidated document in `fmt` through the exporter registry, if it is
    registered, read to its last chunk as a download is."""

    def make(setup: Province, round_: Round) -> Callable[[], int] | None:
        from parindex.exports import registry

        if "round-consolidated" not in {e.name for e in registry.exporters()}:
            return None

        params = {"round": str(round_.pk)}
        # An earlier version (measured as a baseline) has no streaming: its whole file.
        streaming = hasattr(registry, "stream")

        def render() -> int:
            if not streaming:
                rendered = registry.render(
                    "round-consolidated", fmt, user=setup.coordinator, params=params
                )
                return len(rendered.content)
            streamed = registry.stream(
                "round-consolidated", fmt, user=setup.coordinator, params=params
            )
            return sum(len(chunk) for chunk in streamed.chunks)

        return render

    return make


consolidated_docx = consolidated("docx")


def run(scale: Scale, code: str, *, repeat: int = 3) -> Run:
    """Build a province of `scale`, then measure every step of its round."""
    from django.utils import timezone

    from parindex.reporting import actions, overview
    from parindex.reporting.models import Item, Report, Round, Value

    setup = build(scale, code)
    result = Run(scale)
    opened: list[Round] = []
    result.figures["open"] = measure(
        lambda: opened.append(
            actions.open_round(
                setup.plan,
                by=setup.coordinator,
                kind="quarter",
                number=2,
                deadline=timezone.localdate(),
                notify=False,
            )
        )
    )
    round_ = opened[0]
    reports = list(Report.objects.filter(round=round_).order_by("pk"))
    result.sizes = {
        "reports": len(reports),
        "items": Item.objects.filter(report__round=round_).count(),
        "values": Value.objects.filter(item__report__round=round_).count(),
    }
    inputs = inputs_for(round_)

    def save_all() -> None:
        for report in reports:
            _saved, errors = actions.save_report(
                report,
                by=None,
                version=report.version,
                narrative="Báo cáo kết quả thực hiện trong kỳ.",
                items=inputs[report.pk],
            )
            if errors:
                raise RuntimeError(f"{report}: {errors}")

    def submit_all() -> None:
        for report in reports:
            actions.submit_report(report, by=None)

    result.figures["save"] = measure(save_all)
    result.figures["submit"] = measure(submit_all)
    today = timezone.localdate()

    def build_overview() -> int:
        view = overview.build(Round.objects.get(pk=round_.pk), today=today)
        return len(view.targets)

    result.figures["overview"] = measure(build_overview, repeat=repeat, memory=True)
    for key, make in (
        ("page", overview_page),
        ("docx", consolidated_docx),
        ("xlsx", consolidated("xlsx")),
    ):
        action = make(setup, round_)
        result.figures[key] = (
            None if action is None else measure(action, repeat=repeat, memory=True)
        )
    return result


# --- report ------------------------------------------------------------------------------------


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def table(baseline: Run, full: Run) -> str:
    """The figures side by side with full/baseline ratios, as an aligned Markdown table."""
    low_n, high_n = baseline.scale.agencies, full.scale.agencies
    rows = [
        [
            "step",
            f"wall ({low_n})",
            f"cpu ({low_n})",
            f"queries ({low_n})",
            f"wall ({high_n})",
            f"cpu ({high_n})",
            f"queries ({high_n})",
            "wall ×",
            "cpu ×",
            "queries ×",
            f"memory ({low_n})",
            f"memory ({high_n})",
        ]
    ]

    def ratio(high: float, low: float, places: int) -> str:
        return f"{high / low:.{places}f}" if low else "–"

    for key, label in STEPS:
        low, high = baseline.figures.get(key), full.figures.get(key)
        if low is None or high is None:
            rows.append([label, "skipped: not available", *[""] * 10])
            continue
        rows.append(
            [
                label,
                _seconds(low.seconds),
                _seconds(low.cpu),
                str(low.queries),
                _seconds(high.seconds),
                _seconds(high.cpu),
                str(high.queries),
                ratio(high.seconds, low.seconds, 1),
                ratio(high.cpu, low.cpu, 1),
                ratio(high.queries, low.queries, 2),
                f"{low.peak_mb:.1f} MB" if low.peak_mb is not None else "",
                f"{high.peak_mb:.1f} MB" if high.peak_mb is not None else "",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(cells: list[str]) -> str:
        padded = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths))
        + "|"
    )
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])


def describe(result: Run) -> str:
    sizes = ", ".join(f"{v:,} {k}" for k, v in result.sizes.items())
    return f"{result.scale.describe()}: {sizes}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reporting_round", description=__doc__)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each read step; the best time counts"
    )
    args = parser.parse_args(argv)
    with django_benchmark("Reporting round benchmark", test_environment=True):
        baseline = run(BASELINE, "bench-baseline", repeat=args.repeat)
        print(f"baseline: {describe(baseline)}", flush=True)
        full = run(FULL, "bench-full", repeat=args.repeat)
        print(f"full:     {describe(full)}\n", flush=True)
        print(table(baseline, full))
    return 0


if __name__ == "__main__":
    sys.exit(main())
