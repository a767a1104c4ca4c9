"""Reads around the dossier store: where a province's store is, which organisation each agency
code stands for, how many dossiers each code has, and the province's KPI settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from parindex.dossiers.kpis import shared_connection
from parindex.dossiers.models import AgencyCode, KpiSetting
from parindex.dossiers.store import Store
from parindex.orgs.models import Organisation, OrgKind


def store_for(province: Organisation) -> Store:
    return Store(Path(settings.PARINDEX_DOSSIER_STORE) / province.code)


@dataclass(frozen=True)
class Match:
    code: str  # as the records give it
    organisation: Organisation | None
    how: str  # "set" (the mapping table), "same code" (an organisation's own code) or ""
    dossiers: int = 0

    @property
    def matched(self) -> bool:
        return self.organisation is not None


def code_counts(province: Organisation) -> dict[str, int]:
    """Each agency code of the store with its dossiers (counted from the monthly summaries
    when the store has them, a fraction of the rows)."""
    store = store_for(province)
    if not store.manifest().data:
        return {}
    summary = store.summary()
    if summary is not None:
        sql = f"SELECT co_quan, sum(so_ho_so) FROM {summary.counts} GROUP BY co_quan"
    else:
        sql = f"SELECT co_quan, count(*) FROM {store.relation()} GROUP BY co_quan"
    with shared_connection() as con:
        rows = con.execute(sql).fetchall()
    return {str(code): int(count) for code, count in rows}


def matches(province: Organisation, codes: dict[str, int] | None = None) -> dict[str, Match]:
    """Every agency code of the store (and of the mapping table) with its organisation: the
    one the table sets, else the province's organisation whose code is the same."""
    counts = code_counts(province) if codes is None else codes
    organisations = {
        o.code: o
        for o in Organisation.objects.filter(province=province).exclude(kind=OrgKind.PROVINCE)
    }
    found: dict[str, Match] = {}
    for row in AgencyCode.objects.filter(province=province).select_related("organisation"):
        found[row.code] = Match(row.code, row.organisation, "set", counts.get(row.code, 0))
    for code, count in counts.items():
        if code in found:
            continue
        same = organisations.get(code)
        found[code] = Match(code, same, "same code" if same else "", count)
    return dict(sorted(found.items()))


def kpi_setting(province: Organisation) -> KpiSetting:
    """The province's settings; the reference definitions when none are saved."""
    saved = KpiSetting.objects.filter(province=province).first()
    return saved if saved is not None else KpiSetting(province=province)
