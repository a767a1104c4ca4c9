"""Every page of the demo province and of a 179-agency province, as Home Affairs' coordinator.

    .venv/bin/python -m bench.pages [--repeat 3] [--scale full|baseline|tiny]

Loads the demo province (`web.demo.load_demo`, as `parindex demo` does) and builds the reporting
round benchmark's province (its People's Committee, 20 departments, 9 districts, 150 communes
and a plan of 60 targets: `bench.reporting_round.build`), whose quarterly round is opened, filled
and submitted by every agency through the actions. Then, signed in as each province's
coordinator, it GETs every route of the web URL configuration that answers a GET, with the
largest object of each kind (the province, the framework and plan with most lines, the round
and report with most agencies and items, ...) and the consolidated downloads, through Django's
test client: server time without the network. Each page runs `--repeat` times, the best time
counting; it prints wall and CPU time, queries and size, and the ratio to a trivial page measured
in the same run (`/account/`: the product's frame around a few lines about the person). Routes
that only take a POST are listed as such; a route the bench does not know is printed as not
measured, so that a new page cannot hide. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import perf_counter, process_time
from typing import TYPE_CHECKING, Any

from bench.harness import django_benchmark

if TYPE_CHECKING:
    from django.test import Client

    from parindex.orgs.models import Organisation, User

# The goal for a page's server time (docs/benchmarks.md).
GOAL_MS = 300.0
TRIVIAL = "account/"

# Routes that only take a POST (a GET answers 405 or redirects): nothing to render.
POST_ONLY = {
    "logout/",
    "account/tokens/<int:pk>/revoke/",
    "roles/<int:pk>/remove/",
    "people/<int:pk>/roles/",
    "people/<int:pk>/password/",
    "assessments/<int:pk>/edit/",
    "assessments/<int:pk>/survey/",
    "criteria/<int:pk>/version/",
    "criteria/<int:pk>/delete/",
    "criteria/nodes/<int:pk>/delete/",
    "plans/imports/<int:pk>/discard/",
    "reports/<int:pk>/items/<int:item_id>/review/",
    "reports/<int:pk>/items/<int:item_id>/reopen/",
    "reports/<int:pk>/items/<int:item_id>/evidence/",
    "reports/<int:pk>/accept-pending/",
    "reports/<int:pk>/finish-review/",
    "reports/evidence/<int:pk>/remove/",
    "assessments/<int:pk>/close/",
    "assessments/<int:pk>/publish/",
    "assessments/units/<int:pk>/documents/",
    "assessments/units/<int:pk>/answer/<str:code>/",
    "assessments/units/<int:pk>/appraiser/",
    "assessments/units/<int:pk>/appraise/<str:code>/",
    "assessments/units/<int:pk>/finish/",
    "forecast/<int:province>/<int:year>/what-if/run/",
    "forecast/<int:province>/<int:year>/scenarios/",
    "forecast/scenarios/<int:pk>/delete/",
    "forecast/actions/<int:pk>/status/",
    "reports/<int:pk>/actions/<int:line_id>/",
}
# Routes that send the coordinator on to another page (measured, answering 302).
REDIRECTS = {"start/", "forecast/"}
# Pages for someone not signed in (the coordinator is sent on), and an administrator's page.
NOT_THE_COORDINATORS = {
    "login/",
    "orgs/load/",
    # The public survey form, for the citizens an agency served.
    "s/<slug:survey_code>/<slug:agency_code>/",
    "s/<slug:survey_code>/<slug:agency_code>/cam-on/",
}


@dataclass
class World:
    """The largest object of each kind in one province, for the routes' parameters."""

    name: str
    coordinator: User
    province: Organisation
    ids: dict[str, Any]


@dataclass
class Page:
    route: str
    url: str
    status: int
    seconds: float
    cpu: float
    queries: int
    size: int


def _largest(query: Any, count: str) -> Any:
    from django.db.models import Count

    return query.annotate(n=Count(count)).order_by("-n", "pk").first()


def world_of(name: str, province: Organisation, coordinator: User) -> World:
    """Pick, in `province`, what each route's parameters name."""
    from parindex.assessment.models import AssessedUnit, Assessment, Document
    from parindex.forecasting import gather
    from parindex.forecasting import reading as forecast_reading
    from parindex.forecasting.models import GapAction
    from parindex.methodology.models import Framework, Node
    from parindex.orgs.models import Organisation
    from parindex.plans.models import Plan, PlanImport, Target
    from parindex.reporting.models import Evidence, Report, Round
    from parindex.surveys.models import Survey

    ids: dict[str, Any] = {"org": province.pk, "person": coordinator.pk}
    framework = _largest(Framework.objects.filter(province=province), "nodes")
    if framework is not None:
        ids["framework"] = framework.pk
        node = _largest(Node.objects.filter(framework=framework, parent=None), "children")
        ids["node"] = node.pk if node else None
    plan = _largest(Plan.objects.filter(province=province), "targets")
    ids["plan"] = plan.pk if plan else None
    staged = PlanImport.objects.filter(province=province).order_by("-pk").first()
    ids["plan_import"] = staged.pk if staged else None
    round_ = _largest(Round.objects.filter(plan__province=province), "reports")
    if round_ is not None:
        ids["round"] = round_.pk
        target = _largest(Target.objects.filter(plan=round_.plan), "report_items")
        ids["target"] = target.pk if target else None
        report = _largest(Report.objects.filter(round=round_), "items")
        ids["report"] = report.pk if report else None
    evidence = Evidence.objects.filter(item__report__round__plan__province=province).first()
    ids["evidence"] = evidence.pk if evidence else None
    assessment = _largest(Assessment.objects.filter(province=province), "units")
    if assessment is not None:
        ids["assessment"] = assessment.pk
        unit = _largest(AssessedUnit.objects.filter(assessment=assessment), "entries")
        ids["unit"] = unit.pk if unit else None
        leaf = (
            Node.objects.filter(framework=assessment.framework, children=None)
            .order_by("pk")
            .first()
        )
        ids["code"] = leaf.code if leaf else None
    document = Document.objects.filter(unit__assessment__province=province).first()
    ids["document"] = document.pk if document else None
    survey = Survey.objects.filter(province=province).order_by("-pk").first()
    ids["survey"] = survey.pk if survey else None
    ids["questionnaire"] = survey.questionnaire_id if survey else None
    action = _largest(GapAction.objects.filter(province=province), "lines")
    ids["gap_action"] = action.pk if action else None
    # The year the forecast page opens on, as its start page chooses it.
    forecasts = forecast_reading.choices(Organisation.objects.filter(pk=province.pk))
    if forecasts:
        ids["forecast_province"], ids["forecast_year"] = (
            forecasts[0].province.pk,
            forecasts[0].year,
        )
        try:
            gather.build(forecasts[0].province, forecasts[0].year)
        except gather.NoForecast:
            ids["forecast_ready"] = None  # the page says why; its export has nothing to give
        else:
            ids["forecast_ready"] = forecasts[0].province.pk
    from parindex.dossiers.models import DossierImport
    from parindex.web import dossier_jobs

    run = DossierImport.objects.filter(province=province).order_by("-pk").first()
    ids["dossier_import"] = run.pk if run else None
    # An import under way, as its page shows it while it polls.
    ids["dossier_token"] = "b" * 32
    dossier_jobs.write_state(ids["dossier_token"], {"user": coordinator.pk, "phase": "writing"})
    return World(name, coordinator, province, ids)


def _path(world: World, *keys: str) -> Callable[[str], str | None]:
    """A route's path with its parameters filled from `world`, None when one is missing."""

    def fill(route: str) -> str | None:
        path = route
        for key, placeholder in zip(keys, _placeholders(route), strict=True):
            value = world.ids.get(key)
            if value is None:
                return None
            path = path.replace(placeholder, str(value), 1)
        return "/" + path

    return fill


def _placeholders(route: str) -> list[str]:
    import re

    return re.findall(r"<[^>]+>", route)


# Which of the world's objects each route's parameters name, in order.
PARAMETERS: dict[str, tuple[str, ...]] = {
    "orgs/<int:pk>/": ("org",),
    "orgs/<int:pk>/edit/": ("org",),
    "orgs/<int:pk>/close/": ("org",),
    "people/<int:pk>/": ("person",),
    "people/<int:pk>/edit/": ("person",),
    "people/<int:pk>/roles/": ("person",),
    "people/<int:pk>/password/": ("person",),
    "criteria/<int:pk>/": ("framework",),
    "criteria/<int:pk>/edit/": ("framework",),
    "criteria/<int:pk>/nodes/new/": ("framework",),
    "criteria/nodes/<int:pk>/edit/": ("node",),
    "criteria/nodes/<int:pk>/bands/": ("node",),
    "plans/imports/<int:pk>/": ("plan_import",),
    "plans/<int:pk>/": ("plan",),
    "reports/rounds/<int:pk>/": ("round",),
    "reports/rounds/<int:pk>/targets/<int:target_id>/": ("round", "target"),
    "reports/<int:pk>/": ("report",),
    "reports/evidence/<int:pk>/": ("evidence",),
    "assessments/<int:pk>/": ("assessment",),
    "assessments/<int:pk>/edit/": ("assessment",),
    "assessments/<int:pk>/survey/": ("assessment",),
    "assessments/<int:pk>/results/": ("assessment",),
    "assessments/units/<int:pk>/": ("unit",),
    "assessments/units/<int:pk>/points/<str:code>/": ("unit", "code"),
    "assessments/units/<int:pk>/appraisal/": ("unit",),
    "assessments/documents/<int:pk>/": ("document",),
    "forecast/<int:province>/<int:year>/": ("forecast_province", "forecast_year"),
    "forecast/<int:province>/<int:year>/stakes/": ("forecast_province", "forecast_year"),
    "forecast/<int:province>/<int:year>/what-if/": ("forecast_province", "forecast_year"),
    "forecast/<int:province_id>/<int:year>/actions/": ("forecast_province", "forecast_year"),
    # A new action needs a forecast to aim at (without one, the page sends the person back).
    "forecast/<int:province_id>/<int:year>/actions/new/": ("forecast_ready", "forecast_year"),
    "forecast/actions/<int:pk>/": ("gap_action",),
    "surveys/<int:pk>/links/": ("survey",),
    "surveys/<int:pk>/": ("survey",),
    "surveys/<int:pk>/indices/": ("survey",),
    "surveys/<int:pk>/comments/": ("survey",),
    "surveys/<int:pk>/responses/new/": ("survey",),
    "surveys/<int:pk>/import/": ("survey",),
    "surveys/<int:pk>/mappings/": ("survey",),
    "surveys/<int:pk>/volumes/": ("survey",),
    "surveys/questionnaires/<int:pk>/": ("questionnaire",),
    "surveys/questionnaires/<int:pk>/xlsform.xlsx": ("questionnaire",),
    "forecast/actions/<int:pk>/edit/": ("gap_action",),
    "dossiers/import/<str:token>/": ("dossier_token",),
    "dossiers/imports/<int:pk>/": ("dossier_import",),
}


def urls_for(world: World, route: str) -> list[str] | None:
    """The URLs measured for `route` (several for a route of many formats); None: not a page
    this bench knows."""
    if route == "criteria/<int:pk>/export.<str:fmt>":
        framework = world.ids.get("framework")
        return (
            [f"/criteria/{framework}/export.{fmt}" for fmt in ("yaml", "xlsx")] if framework else []
        )
    if route == "exports/<slug:name>.<str:fmt>":
        return _exports(world)
    if "<" not in route:
        return ["/" + route]
    keys = PARAMETERS.get(route)
    if keys is None:
        return None
    path = _path(world, *keys)(route)
    return [path] if path else []


def _exports(world: World) -> list[str]:
    from parindex.exports.registry import exporters

    params = {
        "round-consolidated": ("round", world.ids.get("round")),
        "agency-report": ("report", world.ids.get("report")),
        "assessment-unit": ("unit", world.ids.get("unit")),
        "assessment-ranking": ("assessment", world.ids.get("assessment")),
        "survey": ("survey", world.ids.get("survey")),
        "dossier-form": ("province", f"{world.province.code}&period=2024Q2"),
        "dossier-list": ("province", f"{world.province.code}&period=2024Q2&kind=late"),
    }
    if world.ids.get("forecast_ready"):
        params["forecast"] = (
            "part=scores&province",
            f"{world.ids['forecast_province']}&year={world.ids['forecast_year']}",
        )
    else:
        params["forecast"] = ("province", None)
    urls: list[str] = []
    for exporter in exporters():
        key, value = params.get(exporter.name, ("", ""))
        if key and value is None:
            continue
        query = f"?{key}={value}" if key else ""
        urls.extend(f"/exports/{exporter.name}.{fmt}{query}" for fmt in exporter.formats)
    return urls


def web_routes() -> list[str]:
    from django.urls import URLPattern

    from parindex.web import urls

    # The web URL configuration alone: not Django's admin, the API or the language switch.
    return [str(p.pattern) for p in urls.urlpatterns if isinstance(p, URLPattern)]


def measure(client: Client, route: str, url: str, repeat: int) -> Page:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best, best_cpu, queries, size, status = float("inf"), float("inf"), 0, 0, 0
    for attempt in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = perf_counter(), process_time()
            response = client.get(url)
            content = b"".join(response) if response.streaming else response.content
            best = min(best, perf_counter() - start)
            best_cpu = min(best_cpu, process_time() - start_cpu)
        if attempt == 0:
            queries, size, status = (
                len(captured.captured_queries),
                len(content),
                response.status_code,
            )
    return Page(route, url, status, best, best_cpu, queries, size)


def prepare_bench_province(scale_name: str) -> tuple[Organisation, User]:
    """The reporting round benchmark's province with its round filled and submitted."""
    from django.utils import timezone

    from bench import reporting_round
    from parindex.reporting import actions
    from parindex.reporting.models import Report

    scale = {
        "full": reporting_round.FULL,
        "baseline": reporting_round.BASELINE,
        "tiny": reporting_round.TINY,
    }[scale_name]
    setup = reporting_round.build(scale, f"bench-{scale_name}")
    round_ = actions.open_round(
        setup.plan,
        by=setup.coordinator,
        kind="quarter",
        number=2,
        deadline=timezone.localdate(),
        notify=False,
    )
    inputs = reporting_round.inputs_for(round_)
    for report in Report.objects.filter(round=round_).order_by("pk"):
        _saved, errors = actions.save_report(
            report, by=None, version=report.version, narrative="Báo cáo.", items=inputs[report.pk]
        )
        if errors:
            raise RuntimeError(f"{report}: {errors}")
        actions.submit_report(report, by=None)
    return setup.province, setup.coordinator


def prepare_demo() -> tuple[Organisation, User]:
    from parindex.orgs.models import Organisation, User
    from parindex.web.demo import DEMO_PROVINCE, load_demo

    load_demo()
    return (
        Organisation.objects.get(code=DEMO_PROVINCE, province__isnull=True),
        User.objects.get(username="noivu"),
    )


def run(worlds: list[World], repeat: int) -> tuple[dict[str, list[Page]], list[str], list[str]]:
    """Every page of every world; returns the pages per world, the POST-only and the unknown
    routes."""
    from django.test import Client

    routes = web_routes()
    posts = sorted(r for r in routes if r in POST_ONLY)
    unknown: list[str] = []
    pages: dict[str, list[Page]] = {}
    for world in worlds:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(world.coordinator)
        found: list[Page] = []
        for route in routes:
            if route in POST_ONLY or route in NOT_THE_COORDINATORS:
                continue
            urls = urls_for(world, route)
            if urls is None:
                if route not in unknown:
                    unknown.append(route)
                continue
            found.extend(measure(client, route, url, repeat) for url in urls)
        pages[world.name] = found
    return pages, posts, unknown


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def table(pages: list[Page], limit: int | None = None) -> str:
    trivial = next(p for p in pages if p.route == TRIVIAL)
    rows = [["page", "status", "wall ms", "cpu ms", "× trivial (cpu)", "queries", "KB"]]
    for page in sorted(pages, key=lambda p: -p.cpu)[:limit]:
        rows.append(
            [
                page.url,
                str(page.status),
                _ms(page.seconds),
                _ms(page.cpu),
                f"{page.cpu / trivial.cpu:.1f}" if trivial.cpu else "–",
                str(page.queries),
                f"{page.size / 1024:.0f}",
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]

    def line(cells: list[str]) -> str:
        return (
            "| "
            + " | ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )

    rule = (
        "|"
        + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths))
        + "|"
    )
    return "\n".join([line(rows[0]), rule, *(line(r) for r in rows[1:])])


def is_download(page: Page) -> bool:
    """A file rather than a page: exports, evidence and documents."""
    return page.url.startswith(("/exports/", "/reports/evidence/", "/assessments/documents/")) or (
        "/export." in page.url
    )


def summary(name: str, pages: list[Page]) -> str:
    trivial = next(p for p in pages if p.route == TRIVIAL)
    measured = [p for p in pages if p.status == 200]
    failed = [
        f"{p.url} ({p.status})" for p in pages if p.status != (302 if p.route in REDIRECTS else 200)
    ]
    parts = [
        f"{name}: {len(measured)} pages and downloads answered 200; trivial page /{TRIVIAL} "
        f"{_ms(trivial.seconds)} ms wall / {_ms(trivial.cpu)} ms cpu"
    ]
    for kind, group in (
        ("page", [p for p in measured if not is_download(p)]),
        ("download", [p for p in measured if is_download(p)]),
    ):
        if not group:
            continue
        slowest = max(group, key=lambda p: p.seconds)
        over = [p.url for p in group if p.seconds * 1000 > GOAL_MS]
        parts.append(
            f"slowest {kind} {slowest.url} {_ms(slowest.seconds)} ms wall / "
            f"{_ms(slowest.cpu)} ms cpu ({slowest.seconds / trivial.seconds:.1f}× the trivial "
            f"page); {kind}s over {GOAL_MS:.0f} ms: {', '.join(over) or 'none'}"
        )
    if failed:
        parts.append(f"not 200: {', '.join(failed)}")
    return "; ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each page; the best counts")
    parser.add_argument(
        "--scale",
        choices=("full", "baseline", "tiny"),
        default="full",
        help="the benchmark province's size (full: 179 agencies)",
    )
    parser.add_argument("--rows", type=int, default=15, help="slowest pages listed per province")
    args = parser.parse_args(argv)
    with django_benchmark("Page benchmark"):
        from django.conf import settings

        # Not the test environment (it instruments every template render): only its mailbox.
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        start = perf_counter()
        demo = world_of("demo province", *prepare_demo())
        bench = world_of(f"benchmark province ({args.scale})", *prepare_bench_province(args.scale))
        print(f"prepared in {perf_counter() - start:.0f} s", flush=True)
        pages, posts, unknown = run([demo, bench], args.repeat)
        for name, found in pages.items():
            print(f"\n{summary(name, found)}\n")
            print(table(found, args.rows))
        print(f"\nPOST only, not measured: {len(posts)} routes")
        if unknown:
            print(f"NOT MEASURED (unknown to this bench): {', '.join(unknown)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
