"""Finding a ranked province from what a person types or from the installation's organisation,
and a province's history across the 2025 merger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from parindex.benchmark import table
from parindex.benchmark.models import Province, ProvinceResult
from parindex.lib.collation import sort_key, vi_sorted
from parindex.orgs.models import Organisation, OrgKind


class UnknownProvince(LookupError):
    """No ranked province answers to the name; `suggestions` are close names."""

    def __init__(self, text: str, suggestions: list[str]) -> None:
        super().__init__(text)
        self.text = text
        self.suggestions = suggestions


def known(province: Province) -> table.KnownProvince:
    return table.KnownProvince(
        code=province.code,
        name=province.name,
        short_name=province.short_name,
        official_code=province.official_code,
        aliases=tuple(province.aliases or ()),
    )


def for_organisation(org: Organisation) -> Province | None:
    """The ranked province an organisation of kind province is: same name, and in existence on
    the organisation's first day (or its last, or today, when a date is missing)."""
    wanted = table.key(org.short_name or org.name)
    if org.valid_from is not None:
        day = org.valid_from
    elif org.valid_to is not None:
        day = org.valid_to - timedelta(days=1)
    else:
        day = date.today()
    candidates = [p for p in Province.objects.all() if _names(p) & {wanted}]
    on_day = [p for p in candidates if p.is_valid_on(day)]
    if on_day:
        return on_day[0]
    return candidates[0] if len(candidates) == 1 else None


def _names(province: Province) -> set[str]:
    return {table.key(n) for n in (province.name, province.short_name, *(province.aliases or ()))}


def find(text: str, *, year: int | None = None) -> Province:
    """A ranked province by its code, the code of an organisation of kind province (as the demo
    names Lào Cai `lao-cai-1991`), its official code or its name, without accents or not. A name
    shared by a province before and after 2025 is read as the one of `year`."""
    wanted = text.strip()
    by_code = Province.objects.filter(code=wanted.lower()).first()
    if by_code is not None:
        return by_code
    org = Organisation.objects.filter(kind=OrgKind.PROVINCE, code=wanted).first()
    if org is not None:
        found = for_organisation(org)
        if found is not None:
            return found
    provinces = list(Province.objects.all())
    pool = [p for p in provinces if year is None or p.existed_in(year)] or provinces
    if year is None:
        # Today's province first, then those of before.
        pool.sort(key=lambda p: (p.valid_to is not None, p.code))
    match = table.matcher([known(p) for p in pool])(wanted)
    if match is not None:
        return next(p for p in pool if p.code == match.code)
    raise UnknownProvince(wanted, table.close_names(wanted, [known(p) for p in provinces]))


def predecessors(province: Province) -> list[Province]:
    return vi_sorted(province.predecessors.order_by("code"), key=lambda p: p.short_name)


@dataclass(frozen=True)
class HistoryLine:
    """A year's published figures of the province, or of one of the provinces it was formed
    from (`via`)."""

    year: int
    result: ProvinceResult
    via: Province | None
    of: int
    partial: bool


def history(province: Province) -> list[HistoryLine]:
    """The province's results year by year; a province formed by a merger shows the history of
    each province it was formed from (and a renamed one, of its former name)."""
    members = [province, *_ancestors(province)]
    found = (
        ProvinceResult.objects.filter(province__in=members)
        .select_related("year", "province", "source")
        .prefetch_related("domains")
        .order_by("year__year", "province__code")
    )
    results = sorted(found, key=lambda r: (r.year.year, sort_key(r.province.short_name)))
    return [
        HistoryLine(
            year=r.year.year,
            result=r,
            via=None if r.province_id == province.pk else r.province,
            of=r.year.province_count,
            partial=r.year.partial,
        )
        for r in results
    ]


def _ancestors(province: Province) -> list[Province]:
    found: list[Province] = []
    frontier = [province]
    while frontier:
        current = frontier.pop()
        for p in current.predecessors.all():
            if p not in found and p != province:
                found.append(p)
                frontier.append(p)
    return found
