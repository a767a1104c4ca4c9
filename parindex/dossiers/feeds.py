"""What the one-stop-shop records say of a reporting round's dossier targets, beside what the
agencies typed: each organisation's rates over the round's period, computed from the dossiers
of the agency codes matched to it (docs/dossiers.md, "Feeding the reporting rounds").

A target is fed when its quantity's wording names a dossier rate (`matching.rate_for`); the
on-time one is the rate the province's settings choose. Organisations are read through
`access.dossier_organisations_for`, so a person sees the computed figure of an agency only
when they may read that agency's dossiers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.cache import caches

from parindex.dossiers import matching, reading
from parindex.dossiers.forms import engine_settings
from parindex.dossiers.kpis import FormRow, compute_forms, shared_connection
from parindex.dossiers.models import AgencyCode
from parindex.dossiers.periods import Period, parse_period
from parindex.dossiers.store import MANIFEST
from parindex.orgs import access
from parindex.orgs.access import AnyUser
from parindex.orgs.models import Organisation

# A typed rate further than this from the computed one (in percentage points) is flagged: the
# two are rounded differently, and a report is often written a few days before the export.
TOLERANCE = Decimal("0.5")
PROVINCE = 0  # the key of the province's own figures among the organisations'


@dataclass(frozen=True)
class ComputedRate:
    rate: str  # the reference name, ty_le_dung_han …
    numerator: int
    denominator: int
    dossiers: int  # the dossiers the figure is computed from (received or carried over)
    period: Period

    @property
    def percent(self) -> Decimal:
        return Decimal(self.numerator) * 100 / Decimal(self.denominator)

    def disagrees_with(self, typed: Decimal | None) -> bool:
        return typed is not None and abs(typed - self.percent) > TOLERANCE


def rate_of(subject: str, unit: str, *, on_time: str, context: str = "") -> str | None:
    """The rate a quantity is fed by; `on_time` is the on-time rate the province chose,
    `context` the target's text (it completes a subject the plan reader shortened)."""
    rate = matching.rate_for(subject, unit, context)
    return on_time if rate == matching.ON_TIME else rate


def on_time_rate(province: Organisation) -> str:
    chosen = reading.kpi_setting(province).on_time_rate
    return "ty_le_dung_han_ca_dang_qua_han" if chosen == "due" else "ty_le_dung_han"


def _codes_of(
    province: Organisation, organisations: Iterable[Organisation]
) -> dict[int, list[str]]:
    """Each organisation's agency codes: those the mapping table sets to it, and its own code
    unless the table sets that code to another organisation."""
    table = dict(
        AgencyCode.objects.filter(province=province).values_list("code", "organisation_id")
    )
    codes: dict[int, list[str]] = {}
    for organisation in organisations:
        own = [code for code, org_id in table.items() if org_id == organisation.pk]
        if organisation.code and table.get(organisation.code, organisation.pk) == organisation.pk:
            own.append(organisation.code)
        codes[organisation.pk] = sorted(set(own))
    return codes


def computed_rates(
    user: AnyUser,
    province: Organisation,
    start: date,
    end: date,
    organisations: Iterable[Organisation],
    *,
    with_province: bool = False,
) -> dict[int, dict[str, ComputedRate]]:
    """Per organisation id (and `PROVINCE` for the whole province, when asked and readable),
    each dossier rate with a denominator over start–end. Empty when the province has no
    dossiers, or none the person may read."""
    store = reading.store_for(province)
    manifest = store.manifest()
    if not manifest.data:
        return {}
    readable = access.dossier_organisations_for(user, province.pk)
    chosen = [o for o in organisations if readable is None or o.pk in readable]
    groups = {f"org:{pk}": codes for pk, codes in _codes_of(province, chosen).items() if codes}
    if with_province and readable is None:
        groups["province"] = sorted(reading.code_counts(province))
    if not groups:
        return {}
    period = parse_period(f"{start.isoformat()}..{end.isoformat()}")
    settings = engine_settings(province)
    # Kept in each process while the store's generation (a new one per import), the settings
    # and the codes asked for are the same: a page shows them without reading the records.
    # The manifest's own change time too: a store removed and begun again restarts its count.
    written = (store.root / MANIFEST).stat().st_mtime_ns
    asked = repr(
        (province.pk, manifest.generation, written, period.code, settings, sorted(groups.items()))
    )
    kept = "dossier-rates:" + hashlib.blake2b(asked.encode(), digest_size=16).hexdigest()
    rows: list[FormRow] | None = caches["pages"].get(kept)
    if rows is None:
        with shared_connection() as con:
            rows = compute_forms(
                con,
                store.relation(period.start, period.end),
                [period],
                agencies=[],
                groups=groups,
                settings=settings,
                summary=store.summary(period.start),
            )
        caches["pages"].set(kept, rows)
    found: dict[int, dict[str, ComputedRate]] = {}
    for row in rows:
        key = PROVINCE if row.agency == "province" else int(row.agency.removeprefix("org:"))
        rates: dict[str, ComputedRate] = {}
        for name in (*matching.MATCHED_RATES, "ty_le_dung_han_ca_dang_qua_han"):
            pair = row.rate(name)
            if pair is not None:
                rates[name] = ComputedRate(name, pair[0], pair[1], row.counts["tong_so"], period)
        found[key] = rates
    return found
