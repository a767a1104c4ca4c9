"""The province's one-stop-shop dossier rates, fed to the sub-criteria of a criteria tree they
measure: for the forecast of the year (`computed_leaves`) and into an assessment's entries
(`fill_from_dossiers`, through `assessment.actions.enter_dossier_results`).

Which rate measures which sub-criterion is data, per criteria tree code and version
(`data/dossier-feeds.yaml`, read by the pure `scoring.dossier_feeds`); docs/dossiers.md,
"Feeding targets and criteria", explains the mapping and the choices made.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import duckdb
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from parindex.assessment import actions as assessment_actions
from parindex.assessment.models import Assessment
from parindex.dossiers import reading
from parindex.dossiers.kpis import KpiSettings, Summary, compute_forms, shared_connection
from parindex.dossiers.models import KpiSetting
from parindex.dossiers.periods import Period, parse_period
from parindex.dossiers.store import MANIFEST, Store, quote
from parindex.lib.numbers import format_decimal
from parindex.methodology.models import Framework
from parindex.methodology.tree import Method, Unit
from parindex.orgs import access
from parindex.orgs.models import Organisation, User
from parindex.scoring import dossier_feeds as core

FEEDS = Path(__file__).resolve().parent / "data" / "dossier-feeds.yaml"
# How long the province's figures of a year are kept for a store's contents (a new import
# changes the key anyway).
CACHE_SECONDS = 24 * 3600
_NOTHING = "none"
# The one row of the province's figures: a name no agency code of the records can have.
_PROVINCE = "\x00province"


@lru_cache(maxsize=1)
def shipped_feeds() -> dict[tuple[str, int], tuple[core.Feed, ...]]:
    return core.read_feeds(FEEDS.read_text(encoding="utf-8"))


def feeds_of(framework: Framework, rate_leaves: set[str] | None = None) -> tuple[core.Feed, ...]:
    """The dossier-fed sub-criteria of a criteria tree version: those of the mapping that are
    self-assessed rate leaves of this tree (`rate_leaves` when the caller has the tree at hand),
    never a survey-based one."""
    mapped = core.feeds_for(shipped_feeds(), framework.code, framework.version)
    if not mapped:
        return ()
    if rate_leaves is None:
        rate_leaves = set(
            framework.nodes.filter(children__isnull=True, unit=Unit.PERCENT)
            .exclude(method=Method.SURVEY)
            .values_list("code", flat=True)
        )
    return tuple(f for f in mapped if f.code in rate_leaves)


def engine_settings(setting: KpiSetting) -> KpiSettings:
    return KpiSettings(
        carried_over_from_start_day=setting.carried_over_from_start_day,
        on_time_rate="due" if setting.on_time_rate == "due" else "resolved",
    )


@dataclass(frozen=True)
class Coverage:
    """The days the figures cover and the dossiers they rest on (the form's total (3): carried
    over and received in those days)."""

    start: date
    end: date
    dossiers: int


def source_text(coverage: Coverage) -> str:
    """ "tính từ 61.234 hồ sơ của hệ thống một cửa (01/01–30/06/2020)"."""
    return _("computed from %(n)s dossiers of the one-stop-shop system (%(start)s–%(end)s)") % {
        "n": format_decimal(Decimal(coverage.dossiers), places=0),
        "start": coverage.start.strftime("%d/%m")
        if coverage.start.year == coverage.end.year
        else coverage.start.strftime("%d/%m/%Y"),
        "end": coverage.end.strftime("%d/%m/%Y"),
    }


def _has_dossiers(store: Store, start: date, end: date) -> bool:
    """Whether the store holds dossiers received within [start, end], from its manifest alone
    (the key files are per month received): no engine call for a province without records."""
    first, last = f"{start.year:04d}-{start.month:02d}", f"{end.year:04d}-{end.month:02d}"
    return any(first <= month <= last for month in store.manifest().keys)


def _covered(
    con: duckdb.DuckDBPyConnection, store: Store, start: date, end: date
) -> tuple[date, date] | None:
    """[start, end] cut at the latest dossier date in it, unless the records go past `end`."""
    last = quote(end.isoformat())
    row = con.execute(
        f"""SELECT max(ngay_tiep_nhan) FILTER (WHERE ngay_tiep_nhan <= DATE {last}),
                   max(ngay_ket_thuc_xu_ly) FILTER (WHERE ngay_ket_thuc_xu_ly <= DATE {last}),
                   coalesce(bool_or(ngay_tiep_nhan > DATE {last}
                                    OR ngay_ket_thuc_xu_ly > DATE {last}), false)
            FROM {store.relation(start)}"""
    ).fetchone()
    assert row is not None
    dates = [d for d in row[:2] if d is not None]
    return core.so_far(start, end, max(dates) if dates else None, bool(row[2]))


@dataclass(frozen=True)
class Figures:
    """One group's figures over the days covered: its total (3) and its rates."""

    dossiers: int
    rates: dict[str, tuple[int, int] | None]


def _forms(
    store: Store,
    start: date,
    end: date,
    setting: KpiSetting,
    groups: dict[str, list[str]] | None,
) -> tuple[tuple[date, date], dict[str, Figures]] | None:
    """The figures of the province (groups None) or of each group of agency codes over the days
    of [start, end] the records cover, in one engine pass; None without dossiers there."""
    if not _has_dossiers(store, start, end):
        return None
    with shared_connection() as con:
        covered = _covered(con, store, start, end)
        if covered is None:
            return None
        first, last = covered
        period = Period(f"{first.isoformat()}..{last.isoformat()}", first, last)
        relation = store.relation(first, last)
        summary = store.summary(first)
        agencies: list[str]
        if groups is None:
            # Every code as one: the province's figures, distinct procedures counted once.
            def as_province(rows: str) -> str:
                return f"(SELECT * REPLACE ({quote(_PROVINCE)} AS co_quan) FROM {rows})"

            relation = as_province(relation)
            if summary is not None:
                summary = Summary(as_province(summary.counts), as_province(summary.procedures))
            agencies = [_PROVINCE]
        else:
            agencies = []
        rows = compute_forms(
            con,
            relation,
            [period],
            agencies=agencies,
            groups=groups,
            settings=engine_settings(setting),
            summary=summary,
        )
    return covered, {
        row.agency: Figures(row.counts["tong_so"], {name: row.rate(name) for name in core.RATES})
        for row in rows
    }


def _stamp(store: Store) -> str | None:
    """What identifies the store's contents: its manifest's generation and modification time
    (a store folder made anew starts its generations again); None without a manifest."""
    path = store.root / MANIFEST
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    return f"{store.manifest().generation}:{stamp}"


def _province_forms(
    store: Store, year: int, setting: KpiSetting
) -> tuple[tuple[date, date], dict[str, Figures]] | None:
    """`_forms` of the province for the year, kept in the cache until the next import writes a
    new manifest: an engine pass over a province's year takes about half a second, the
    dashboard is read far more often than dossiers are imported."""
    stamp = _stamp(store)
    if stamp is None:
        return None
    settings = engine_settings(setting)
    key = (
        "dossier-feed:"
        + hashlib.sha256(f"{store.root.resolve()}|{stamp}|{year}|{settings}".encode()).hexdigest()
    )
    cached = caches["default"].get(key)
    if cached is not None:
        return cached if cached != _NOTHING else None
    found = _forms(store, date(year, 1, 1), date(year, 12, 31), setting, None)
    caches["default"].set(key, found if found is not None else _NOTHING, CACHE_SECONDS)
    return found


def computed_leaves(
    framework: Framework,
    province: Organisation,
    year: int,
    setting: KpiSetting,
    *,
    rate_leaves: set[str] | None = None,
) -> tuple[Coverage | None, dict[str, core.Computed]]:
    """The year so far and the rate the province's dossiers give each mapped sub-criterion:
    one engine pass for all of them, and none when the store holds no dossier received in the
    year. The caller has checked that the person reads the province's forecast."""
    feeds = feeds_of(framework, rate_leaves)
    if not feeds:
        return None, {}
    found = _province_forms(reading.store_for(province), year, setting)
    if found is None:
        return None, {}
    (first, last), figures = found
    mine = figures.get(_PROVINCE)
    if mine is None:
        return None, {}
    on_time = engine_settings(setting).on_time_rate_name
    computed: dict[str, core.Computed] = {}
    for feed in feeds:
        result = core.measure(feed, mine.rates, on_time)
        if result is not None:
            computed[feed.code] = result
    if not computed:
        return None, {}
    return Coverage(first, last, mine.dossiers), computed


def fill_from_dossiers(assessment: Assessment, *, by: User | None, period: str = "") -> int:
    """Enter the assessment's dossier-fed sub-criteria from the province's dossier records,
    through `enter_dossier_results` (its checks, rescoring and audit): the province itself gets
    the province's rates (every agency code), an agency assessed as a unit the rates of the
    codes matched to it. The period is the assessment's year unless given (2020, 2020H1,
    2020Q3, a range), cut at the latest dossier date in it. Units without dossiers are left
    as they are. Returns the entries written; a ValidationError says why none could be."""
    if by is not None and not access.can_manage_assessment(by, assessment.province_id):
        raise PermissionDenied(_("You may not enter results computed from dossiers here."))
    feeds = feeds_of(assessment.framework)
    if not feeds:
        raise ValidationError(
            _("No sub-criterion of the criteria tree “%(tree)s” is mapped to dossier rates.")
            % {"tree": assessment.framework.name}
        )
    try:
        chosen = parse_period(period or str(assessment.year))
    except ValueError as error:
        raise ValidationError(str(error)) from None
    province = assessment.province
    matches = reading.matches(province)
    units = list(assessment.units.select_related("organisation"))
    groups: dict[str, list[str]] = {}
    for unit in units:
        organisation = unit.organisation
        if organisation.pk == province.pk:
            codes = sorted(matches)
        else:
            codes = sorted(
                code
                for code, match in matches.items()
                if match.organisation is not None and match.organisation.pk == organisation.pk
            )
        if codes:
            groups[f"\x00unit:{organisation.pk}"] = codes
    found = (
        _forms(
            reading.store_for(province),
            chosen.start,
            chosen.end,
            reading.kpi_setting(province),
            groups,
        )
        if groups
        else None
    )
    if found is None:
        raise ValidationError(
            _("The dossier store holds no dossiers of %(period)s for the units of this assessment.")
            % {"period": chosen.code}
        )
    (first, last), figures = found
    on_time = engine_settings(reading.kpi_setting(province)).on_time_rate_name
    results: list[assessment_actions.DossierResult] = []
    for unit in units:
        own = figures.get(f"\x00unit:{unit.organisation.pk}")
        if own is None:
            continue
        source = source_text(Coverage(first, last, own.dossiers))
        for feed in feeds:
            measured = core.measure(feed, own.rates, on_time)
            if measured is None:
                continue
            results.append(
                assessment_actions.DossierResult(
                    unit.organisation.pk,
                    feed.code,
                    numerator=Decimal(measured.numerator),
                    denominator=Decimal(measured.denominator),
                    source=source,
                )
            )
    if not results:
        raise ValidationError(
            _("The dossiers of %(period)s give no rate for the units of this assessment.")
            % {"period": chosen.code}
        )
    return assessment_actions.enter_dossier_results(assessment, by=by, results=results)
