"""The official form (Biểu số 06/VPCP/KSTT) as a person may read it: the KPI engine's rows over
the province's store, restricted to the agency codes the person reads, with each code's match
to an organisation. What the command line, the API, the exporter and the pages show."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from parindex.dossiers import kpis, reading
from parindex.dossiers.kpis import KpiSettings, compute_forms, shared_connection
from parindex.dossiers.periods import Period, parse_period
from parindex.orgs import access
from parindex.orgs.access import AnyUser
from parindex.orgs.models import Organisation, OrgKind

# The counts of a row, in the form's order, as the JSON names them.
COUNTS: tuple[str, ...] = (
    "tong_so",
    "nhan_truc_tuyen",
    "nhan_truc_tiep_bcci",
    "tu_ky_truoc",
    "da_gq",
    "da_gq_truoc_han",
    "da_gq_dung_han",
    "da_gq_qua_han",
    "dang_gq",
    "dang_gq_trong_han",
    "dang_gq_qua_han",
    "tra_kq_bcci",
    "so_tthc_phat_sinh",
    "so_tthc_tt34_bcci",
)
RATES: tuple[str, ...] = (
    "ty_le_dung_han",
    "ty_le_dung_han_ca_dang_qua_han",
    "ty_le_truc_tuyen",
    "ty_le_nhan_bcci",
    "ty_le_tra_bcci",
    "ty_le_tthc_tt34_bcci",
)
PLACES = Decimal("0.0001")
# Group rows are named so that no agency code of the records can be mistaken for one.
GROUP_PREFIX = "group:"
PROVINCE_GROUP = GROUP_PREFIX + "province"
DEPARTMENTS_GROUP = GROUP_PREFIX + "departments"


class FormError(ValueError):
    """A bad period or agency; the message says which."""


@dataclass(frozen=True)
class FormRow:
    agency: str
    period: Period
    organisation: Organisation | None
    counts: dict[str, int]  # every count of the engine (`kpis.FORM_COUNTS`)
    rates: dict[str, tuple[int, int] | None]  # numerator, denominator
    group: bool = False  # a group of codes (`groups_of`), not one code

    @property
    def matched(self) -> bool:
        return self.group or self.organisation is not None

    def fraction(self, name: str) -> float | None:
        """A rate as a fraction rounded half-up to four places (0.9532), None without a
        denominator."""
        rate = self.rates[name]
        if rate is None:
            return None
        numerator, denominator = rate
        return float((Decimal(numerator) / Decimal(denominator)).quantize(PLACES, ROUND_HALF_UP))

    def as_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "period": self.period.code,
            **{name: self.counts[name] for name in COUNTS},
            **{name: self.fraction(name) for name in RATES},
            "matched": self.matched,
        }


def engine_settings(province: Organisation) -> KpiSettings:
    saved = reading.kpi_setting(province)
    return KpiSettings(
        carried_over_from_start_day=saved.carried_over_from_start_day,
        on_time_rate="due" if saved.on_time_rate == "due" else "resolved",
    )


def groups_of(province: Organisation, matches: dict[str, reading.Match]) -> dict[str, list[str]]:
    """The province's groups of agency codes: the whole province (every code, matched or not),
    its departments, and each district with its communes (`group:<district code>`)."""
    groups: dict[str, list[str]] = {PROVINCE_GROUP: sorted(matches), DEPARTMENTS_GROUP: []}
    districts = {
        o.pk: o.code for o in Organisation.objects.filter(province=province, kind=OrgKind.DISTRICT)
    }
    for code in districts.values():
        groups[GROUP_PREFIX + code] = []
    for code, match in sorted(matches.items()):
        org = match.organisation
        if org is None:
            continue
        if org.kind == OrgKind.DEPARTMENT:
            groups[DEPARTMENTS_GROUP].append(code)
        district = org.pk if org.kind == OrgKind.DISTRICT else org.parent_id
        if org.kind in (OrgKind.DISTRICT, OrgKind.COMMUNE) and district in districts:
            groups[GROUP_PREFIX + districts[district]].append(code)
    return groups


def form_rows(
    user: AnyUser,
    province: Organisation,
    period: str,
    agency: str | None = None,
    *,
    groups: bool = False,
) -> list[FormRow]:
    """One row per agency code the person reads (all of the province's for its coordinators
    and leaders; the codes matched to their own agency for an agency's people), for `period`
    (2024Q2, 2024H1, 2024, or 2024-01-15..2024-03-31). `agency` keeps one code. `groups` adds,
    for those who read the whole province, a row per group of `groups_of`, computed from its
    members' dossiers (never summed: distinct procedures do not add up)."""
    try:
        chosen = parse_period(period)
    except ValueError as error:
        raise FormError(str(error)) from None
    matches = reading.matches(province)
    readable = access.dossier_organisations_for(user, province.pk)
    codes = [
        code
        for code, match in matches.items()
        if readable is None
        or (match.organisation is not None and match.organisation.pk in readable)
    ]
    if agency is not None:
        if agency not in codes:
            raise FormError(f"agency {agency}: not found")
        codes = [agency]
    if not codes:
        return []
    grouped = groups_of(province, matches) if groups and readable is None else {}
    store = reading.store_for(province)
    relation = store.relation(chosen.start, chosen.end)
    with shared_connection() as con:
        computed = compute_forms(
            con,
            relation,
            [chosen],
            agencies=None if readable is None and agency is None else codes,
            groups=grouped or None,
            settings=engine_settings(province),
            summary=store.summary(chosen.start),
        )
    rows = []
    for row in computed:
        match = matches.get(row.agency)
        rows.append(
            FormRow(
                agency=row.agency,
                period=chosen,
                organisation=match.organisation if match else None,
                counts={name: int(value) for name, value in row.counts.items()},
                rates={name: row.rate(name) for name in RATES},
                group=row.agency in grouped,
            )
        )
    return rows


def identity_problems(province: Organisation, rows: list[FormRow]) -> list[str]:
    """The form's identities that do not hold in `rows` (received = resolved + pending, and
    the others of `kpis.check_identities`): none, unless the records contradict themselves."""
    return kpis.check_identities(
        [kpis.FormRow(r.agency, r.period.code, r.counts) for r in rows],
        settings=engine_settings(province),
    )
