"""Vietnam's administrative units as they are since 1 July 2025, and where the old ones went.

Pure: no Django. The data come from the ``vietnamadminunits`` package (MIT; data set by Trần
Ngọc Minh Hiếu, https://github.com/tranngocminhhieu/vietnamadminunits):

- the 34 provinces and centrally governed cities and their 3 321 communes, wards and special
  zones, with the official codes of Quyết định 19/2025/QĐ-TTg (Bảng danh mục và mã số các đơn
  vị hành chính Việt Nam), in force 01/07/2025;
- the 63 provinces of before, with their districts and communes and their codes;
- which old provinces formed each new one (Nghị quyết 202/2025/QH15, 12/06/2025), and which new
  commune or communes took over each old one (the Nghị quyết of Ủy ban Thường vụ Quốc hội on
  each province's commune arrangement, as the package maps them).

Only the package's data files are read (its SQLite data set and its conversion table); its
Python modules are never imported, because they load a geocoding client and geometry libraries
this product has no use for. Everything is read once and kept.

Codes are strings with their leading zeros: province "15", commune "02647".
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from parindex.lib.text import clean, fold

PACKAGE = "vietnamadminunits"
# The day the 34 provinces and the two-level local government came into being.
REORGANISED_ON = date(2025, 7, 1)

_PREFIXES = ("thanh pho ", "tinh ")
_UNIT_PREFIXES = ("uy ban nhan dan ", "ubnd ")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


class AdminUnitsUnavailable(RuntimeError):
    """The package or its data files are missing or not in the expected shape."""


@dataclass(frozen=True)
class Province:
    code: str  # "15"
    name: str  # "Tỉnh Lào Cai", "Thành phố Hà Nội"
    short_name: str  # "Lào Cai"

    @property
    def slug(self) -> str:
        return slug(self.short_name)


@dataclass(frozen=True)
class Commune:
    """A commune (xã), ward (phường) or special zone (đặc khu) of the two-level government."""

    code: str  # "02647"
    name: str  # "Phường Lào Cai"
    type: str  # "Xã", "Phường" or "Đặc khu"
    province_code: str


@dataclass(frozen=True)
class OldCommune:
    """A commune, ward or township of before 1 July 2025, under its district and province."""

    code: str
    name: str  # "Phường Cốc Lếu"
    district: str  # "Thành phố Lào Cai"
    district_code: str
    province: str  # "Tỉnh Lào Cai"
    province_code: str


@dataclass(frozen=True)
class CommuneSuccession:
    """Where an old commune went: merged whole into one new commune, or split among several."""

    old: OldCommune
    successors: tuple[Commune, ...]

    @property
    def split(self) -> bool:
        return len(self.successors) > 1


def key(text: str) -> str:
    """The matching key of a unit's name: folded, without spaces or punctuation."""
    return _NOT_ALNUM.sub("", fold(text))


def slug(text: str) -> str:
    return _NOT_ALNUM.sub("-", fold(text)).strip("-")


def unit_key(name: str) -> str:
    """The key of a unit named as its People's Committee ("UBND phường Cốc Lếu")."""
    folded = fold(name)
    for prefix in _UNIT_PREFIXES:
        if folded.startswith(prefix):
            folded = folded[len(prefix) :]
    return key(folded)


def _short_key(name: str) -> str:
    folded = fold(name)
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            folded = folded[len(prefix) :]
    return key(folded)


# --- reading the package's data ----------------------------------------------------------------


def data_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise AdminUnitsUnavailable(f"the {PACKAGE} package is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not (folder / "dataset.db").is_file() or not (folder / "converter_2025.json").is_file():
        raise AdminUnitsUnavailable(f"the data files of {PACKAGE} are missing in {folder}")
    return folder


@dataclass(frozen=True)
class _Data:
    provinces: tuple[Province, ...]
    communes: dict[str, tuple[Commune, ...]]  # by province code
    # province code → names of the provinces it was formed from (Nghị quyết 202/2025/QH15)
    formed_from: dict[str, tuple[str, ...]]
    # old province's short key → district key → commune key → where the commune went
    successions: dict[str, dict[str, dict[str, CommuneSuccession]]]


@cache
def _data() -> _Data:
    folder = data_dir()
    try:
        with sqlite3.connect(f"file:{folder / 'dataset.db'}?mode=ro", uri=True) as db:
            new_rows = db.execute(
                "SELECT provinceCode, province, provinceShort, provinceKey,"
                " wardCode, ward, wardType, wardKey FROM admin_units"
            ).fetchall()
            old_rows = db.execute(
                "SELECT provinceCode, province, provinceKey, districtCode, district, districtKey,"
                " wardCode, ward, wardKey FROM admin_units_legacy WHERE wardKey <> ''"
            ).fetchall()
        conversion = json.loads((folder / "converter_2025.json").read_text(encoding="utf-8"))
        return _build(new_rows, old_rows, conversion)
    except (sqlite3.Error, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AdminUnitsUnavailable(f"the data of {PACKAGE} cannot be read: {exc}") from exc


def _build(
    new_rows: list[tuple[str, ...]],
    old_rows: list[tuple[str, ...]],
    conversion: dict[str, Any],
) -> _Data:
    provinces: dict[str, Province] = {}
    province_by_key: dict[str, str] = {}
    communes: dict[str, list[Commune]] = defaultdict(list)
    commune_by_key: dict[tuple[str, str], Commune] = {}
    for p_code, p_name, p_short, p_key, w_code, w_name, w_type, w_key in new_rows:
        province = provinces.setdefault(p_code, Province(p_code, clean(p_name), clean(p_short)))
        province_by_key[p_key] = province.code
        commune = Commune(w_code, clean(w_name), clean(w_type), province.code)
        communes[province.code].append(commune)
        commune_by_key[(p_key, w_key)] = commune

    old_by_key: dict[str, OldCommune] = {}
    old_province_names: dict[str, str] = {}
    for p_code, p_name, p_key, d_code, d_name, d_key, w_code, w_name, w_key in old_rows:
        old_by_key[f"{p_key}_{d_key}_{w_key}"] = OldCommune(
            w_code, clean(w_name), clean(d_name), d_code, clean(p_name), p_code
        )
        old_province_names[p_key] = clean(p_name)

    raw_provinces = conversion["DICT_PROVINCE"]
    formed_from = {
        province_by_key[new_key]: tuple(old_province_names[k] for k in old_keys)
        for new_key, old_keys in raw_provinces.items()
    }

    targets: dict[str, list[Commune]] = defaultdict(list)
    whole = conversion["DICT_PROVINCE_WARD_NO_DIVIDED"]
    for p_key, wards in whole.items():
        for w_key, old_keys in wards.items():
            for old_key in old_keys:
                targets[old_key].append(commune_by_key[(p_key, w_key)])
    divided = conversion["DICT_PROVINCE_WARD_DIVIDED"]
    for p_key, olds in divided.items():
        for old_key, parts in olds.items():
            for part in parts:
                commune = commune_by_key[(p_key, part["newWardKey"])]
                if commune not in targets[old_key]:
                    targets[old_key].append(commune)

    successions: dict[str, dict[str, dict[str, CommuneSuccession]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for old_key, new_communes in targets.items():
        old = old_by_key.get(old_key)
        if old is None:  # island districts without communes
            continue
        successions[_short_key(old.province)][key(old.district)][key(old.name)] = CommuneSuccession(
            old, tuple(new_communes)
        )
    return _Data(
        provinces=tuple(sorted(provinces.values(), key=lambda p: p.code)),
        communes={code: tuple(units) for code, units in communes.items()},
        formed_from=formed_from,
        successions={p: dict(d) for p, d in successions.items()},
    )


# --- questions --------------------------------------------------------------------------------


def provinces() -> tuple[Province, ...]:
    """The 34 provinces and centrally governed cities, by official code."""
    return _data().provinces


def communes_of(province: Province) -> tuple[Commune, ...]:
    """The province's communes, wards and special zones, by official code."""
    return tuple(sorted(_data().communes.get(province.code, ()), key=lambda c: c.code))


def find_province(query: str) -> Province | None:
    """The province named by its official code ("15"), or its name with or without diacritics
    and with or without "Tỉnh" / "Thành phố" ("Lào Cai", "lao cai", "Tỉnh Lào Cai")."""
    wanted = clean(query)
    if wanted.isdigit():
        return next((p for p in provinces() if int(p.code) == int(wanted)), None)
    wanted_key = _short_key(wanted)
    return next((p for p in provinces() if _short_key(p.name) == wanted_key), None)


def close_matches(query: str, limit: int = 5) -> list[Province]:
    """Provinces whose names come near an unknown name, for a helpful message."""
    by_key = {_short_key(p.name): p for p in provinces()}
    found = difflib.get_close_matches(_short_key(query), list(by_key), n=limit, cutoff=0.5)
    if not found:
        wanted = _short_key(query)
        found = [k for k in by_key if wanted and (wanted in k or k in wanted)][:limit]
    return [by_key[k] for k in found]


def formed_from(province: Province) -> tuple[str, ...]:
    """Names of the provinces of before 1 July 2025 that formed this one (including itself if it
    kept its name), per Nghị quyết 202/2025/QH15: "Tỉnh Lào Cai", "Tỉnh Yên Bái"."""
    return _data().formed_from.get(province.code, ())


def was_merged_into(old_province_name: str) -> Province | None:
    """The province an old province became part of on 1 July 2025."""
    wanted = _short_key(old_province_name)
    for province in provinces():
        if any(_short_key(name) == wanted for name in formed_from(province)):
            return province
    return None


def successors_of_commune(
    old_province: str, old_district: str, old_commune: str
) -> CommuneSuccession | None:
    """Where an old commune went, named as the database names it: "Tỉnh Lào Cai",
    "UBND thành phố Lào Cai", "UBND phường Cốc Lếu". None if the package does not know it."""
    districts = _data().successions.get(_short_key(old_province), {})
    communes = districts.get(unit_key(old_district), {})
    return communes.get(unit_key(old_commune))


def successors_of_district(old_province: str, old_district: str) -> tuple[Commune, ...]:
    """The new communes that took over the communes of an old district (the district level
    ended on 1 July 2025, so its territory went to these)."""
    districts = _data().successions.get(_short_key(old_province), {})
    found: list[Commune] = []
    for succession in districts.get(unit_key(old_district), {}).values():
        for commune in succession.successors:
            if commune not in found:
                found.append(commune)
    return tuple(sorted(found, key=lambda c: c.code))
