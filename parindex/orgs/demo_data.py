"""Read an organisations file (format ``parindex-orgs/1``): provinces, agencies, successions.

Pure: no Django. The shipped demo province lives in ``data/lao-cai.yaml`` (``bundled_path()``).

Validity follows ``orgs.models``: ``valid_from`` inclusive, ``valid_to`` exclusive. In the file an
agency without ``valid_to`` lasts as long as its province, and the loader fills that in; an agency
without ``valid_from`` stays ``None`` ("existed before the period covered"), since inventing a
founding date would be wrong. ``OrgsDocument.agencies_as_of`` also requires the province to exist.

A reference names a province (``lao-cai-1991``) or one of its agencies
(``lao-cai-1991/so-noi-vu``). Every problem in a file is collected and reported in one
``OrgsFileError``; nothing is returned from a file with any problem.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from parindex.lib.dates import parse_date
from parindex.lib.text import clean

FORMAT = "parindex-orgs/1"
AGENCY_KINDS = frozenset({"ppc", "department", "district", "commune", "other"})
SUCCESSION_KINDS = frozenset({"merged", "renamed", "split", "transferred"})

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Field lengths of orgs.models, so that whatever loads here also fits the database.
_CODE_MAX, _NAME_MAX, _SHORT_MAX, _SUCCESSION_NOTE_MAX = 64, 255, 64, 500

_TOP_KEYS = frozenset({"format", "provinces", "successions"})
_PROVINCE_KEYS = frozenset({"code", "name", "short_name", "valid_from", "valid_to", "note"})
_AGENCY_KEYS = frozenset(
    {"code", "kind", "name", "short_name", "parent", "valid_from", "valid_to", "email", "note"}
)
_SUCCESSION_KEYS = frozenset({"from", "to", "kind", "on", "note"})


class OrgsFileError(ValueError):
    """The file is malformed. ``problems`` lists each one; the message lists them all."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the organisations file:"
        super().__init__("\n".join([heading, *(f"- {p}" for p in self.problems)]))


@dataclass(frozen=True)
class AgencySpec:
    code: str
    kind: str
    name: str
    short_name: str = ""
    parent_code: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    email: str = ""
    note: str = ""

    def is_valid_on(self, day: date) -> bool:
        """The agency's own dates only; see ``OrgsDocument.agencies_as_of`` for the province's."""
        return _within(day, self.valid_from, self.valid_to)


@dataclass(frozen=True)
class ProvinceSpec:
    code: str
    name: str
    valid_from: date | None = None
    valid_to: date | None = None
    agencies: tuple[AgencySpec, ...] = ()
    short_name: str = ""
    note: str = ""

    def is_valid_on(self, day: date) -> bool:
        return _within(day, self.valid_from, self.valid_to)

    def agency(self, code: str) -> AgencySpec | None:
        return next((a for a in self.agencies if a.code == code), None)


@dataclass(frozen=True)
class SuccessionSpec:
    from_ref: str
    to_ref: str
    kind: str
    on: date
    note: str = ""


@dataclass(frozen=True)
class OrgsDocument:
    provinces: tuple[ProvinceSpec, ...]
    successions: tuple[SuccessionSpec, ...] = ()
    format: str = FORMAT

    def province(self, code: str) -> ProvinceSpec | None:
        return next((p for p in self.provinces if p.code == code), None)

    def resolve(self, ref: str) -> ProvinceSpec | AgencySpec | None:
        """The province or agency a reference names, or None."""
        province_code, _, agency_code = ref.partition("/")
        province = self.province(province_code)
        if province is None or not agency_code:
            return province
        return province.agency(agency_code)

    def exists_on(self, ref: str, day: date) -> bool:
        """Whether the province or agency a reference names existed on ``day``."""
        province = self.province(ref.partition("/")[0])
        target = self.resolve(ref)
        return (
            province is not None
            and target is not None
            and province.is_valid_on(day)
            and target.is_valid_on(day)
        )

    def provinces_as_of(self, day: date) -> list[ProvinceSpec]:
        return [p for p in self.provinces if p.is_valid_on(day)]

    def agencies_as_of(
        self, province_code: str, day: date, *, kinds: Iterable[str] | None = None
    ) -> list[AgencySpec]:
        """Agencies of the province that existed on ``day`` (none if the province did not)."""
        province = self.province(province_code)
        if province is None or not province.is_valid_on(day):
            return []
        wanted = None if kinds is None else frozenset(kinds)
        return [
            a
            for a in province.agencies
            if a.is_valid_on(day) and (wanted is None or a.kind in wanted)
        ]

    def successors_of(self, ref: str) -> list[SuccessionSpec]:
        return [s for s in self.successions if s.from_ref == ref]

    def predecessors_of(self, ref: str) -> list[SuccessionSpec]:
        return [s for s in self.successions if s.to_ref == ref]


def bundled_path() -> Path:
    """The demo province shipped with the product (Lào Cai, 2020 and its 2025 successors)."""
    return Path(__file__).resolve().parent / "data" / "lao-cai.yaml"


def load_bundled() -> OrgsDocument:
    return load_orgs(bundled_path().read_bytes())


def load_orgs(data: bytes | str) -> OrgsDocument:
    """Parse and check an organisations file; raise ``OrgsFileError`` listing every problem."""
    problems: list[str] = []
    raw = _parse_yaml(data)
    if not isinstance(raw, Mapping):
        raise OrgsFileError(["the file must be a mapping with format, provinces and successions"])
    _unknown_keys(raw, _TOP_KEYS, "the file", problems)
    fmt = raw.get("format")
    if fmt != FORMAT:
        problems.append(f"format: expected {FORMAT!r}, found {fmt!r}")

    provinces = _read_provinces(raw.get("provinces"), problems)
    document = OrgsDocument(provinces=tuple(provinces), format=FORMAT)
    successions = _read_successions(raw.get("successions", []), document, problems)
    if problems:
        raise OrgsFileError(problems)
    return replace(document, successions=tuple(successions))


# --- reading ------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key written twice in one mapping (the last would silently win)
    and reads only true/false as booleans (YAML 1.2), so a succession's ``on:`` stays a key
    instead of turning into ``True`` as YAML 1.1 would have it."""


_BOOL_TAG = "tag:yaml.org,2002:bool"
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Hashable] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, Hashable) and key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is written twice", key_node.start_mark
            )
        if isinstance(key, Hashable):
            seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def _parse_yaml(data: bytes | str) -> object:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise OrgsFileError([f"the file is not UTF-8 text: {exc}"]) from exc
    try:
        # A SafeLoader subclass: builds plain data only, never arbitrary objects.
        return yaml.load(data, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise OrgsFileError([f"not valid YAML: {exc}"]) from exc


def _read_provinces(value: object, problems: list[str]) -> list[ProvinceSpec]:
    if not isinstance(value, list) or not value:
        problems.append("provinces: expected a non-empty list of provinces")
        return []
    provinces: list[ProvinceSpec] = []
    seen: set[str] = set()
    for index, entry in enumerate(value):
        where = f"province #{index + 1}"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected a mapping, found {_kind_of(entry)}")
            continue
        code = _code(entry.get("code"), where, problems)
        where = f"province {code}" if code else where
        _unknown_keys(entry, _PROVINCE_KEYS | {"agencies"}, where, problems)
        if code and code in seen:
            problems.append(f"{where}: code is used by another province")
        seen.add(code)
        valid_from = _date(entry.get("valid_from"), where, "valid_from", problems)
        valid_to = _date(entry.get("valid_to"), where, "valid_to", problems)
        _ordered(valid_from, valid_to, where, problems)
        province = ProvinceSpec(
            code=code,
            name=_text(entry.get("name"), where, "name", problems, required=True, limit=_NAME_MAX),
            short_name=_text(entry.get("short_name"), where, "short_name", problems, _SHORT_MAX),
            valid_from=valid_from,
            valid_to=valid_to,
            note=_text(entry.get("note"), where, "note", problems),
        )
        agencies = _read_agencies(entry.get("agencies", []), province, where, problems)
        provinces.append(replace(province, agencies=tuple(agencies)))
    return provinces


def _read_agencies(
    value: object, province: ProvinceSpec, province_where: str, problems: list[str]
) -> list[AgencySpec]:
    if not isinstance(value, list):
        problems.append(f"{province_where}: agencies must be a list")
        return []
    agencies: list[AgencySpec] = []
    seen: set[str] = set()
    for index, entry in enumerate(value):
        where = f"{province_where}, agency #{index + 1}"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected a mapping, found {_kind_of(entry)}")
            continue
        code = _code(entry.get("code"), where, problems)
        where = f"{province_where}, agency {code}" if code else where
        _unknown_keys(entry, _AGENCY_KEYS, where, problems)
        if code and code in seen:
            problems.append(f"{where}: code is used by another agency of this province")
        seen.add(code)
        kind = entry.get("kind")
        if kind not in AGENCY_KINDS:
            problems.append(
                f"{where}: kind {kind!r} is not one of {', '.join(sorted(AGENCY_KINDS))}"
            )
        parent = entry.get("parent")
        if parent is not None and not isinstance(parent, str):
            problems.append(f"{where}: parent must be an agency code, found {_kind_of(parent)}")
            parent = None
        email = _text(entry.get("email"), where, "email", problems, limit=254)
        if email and not _EMAIL.match(email):
            problems.append(f"{where}: email {email!r} is not an e-mail address")
        valid_from = _date(entry.get("valid_from"), where, "valid_from", problems)
        valid_to = _date(entry.get("valid_to"), where, "valid_to", problems)
        _ordered(valid_from, valid_to, where, problems)
        problems.extend(
            _inside(
                valid_from, valid_to, province.valid_from, province.valid_to, where, "its province"
            )
        )
        agencies.append(
            AgencySpec(
                code=code,
                kind=str(kind),
                name=_text(
                    entry.get("name"), where, "name", problems, required=True, limit=_NAME_MAX
                ),
                short_name=_text(
                    entry.get("short_name"), where, "short_name", problems, _SHORT_MAX
                ),
                parent_code=clean(parent) if parent else None,
                valid_from=valid_from,
                # An agency cannot outlive its province: an open end is the province's end.
                valid_to=valid_to if valid_to is not None else province.valid_to,
                email=email,
                note=_text(entry.get("note"), where, "note", problems),
            )
        )
    _check_parents(agencies, province_where, problems)
    return agencies


def _check_parents(agencies: list[AgencySpec], province_where: str, problems: list[str]) -> None:
    by_code = {a.code: a for a in agencies}
    for agency in agencies:
        if agency.parent_code is None:
            continue
        where = f"{province_where}, agency {agency.code}"
        parent = by_code.get(agency.parent_code)
        if parent is None:
            problems.append(
                f"{where}: parent {agency.parent_code!r} is not an agency of this province"
            )
            continue
        if parent is agency:
            problems.append(f"{where}: an agency cannot be its own parent")
            continue
        problems.extend(
            _inside(
                agency.valid_from,
                agency.valid_to,
                parent.valid_from,
                parent.valid_to,
                where,
                f"its parent {parent.code}",
            )
        )
    # A chain of parents that comes back to where it started never reaches a top.
    for agency in agencies:
        if agency.parent_code is None or agency.parent_code == agency.code:
            continue
        chain = [agency.code]
        current = by_code.get(agency.parent_code)
        while current is not None and current is not agency and current.code not in chain:
            chain.append(current.code)
            current = by_code.get(current.parent_code) if current.parent_code else None
        if current is agency:
            problems.append(
                f"{province_where}, agency {agency.code}: parents form a cycle "
                f"({' → '.join([*chain, agency.code])})"
            )


def _read_successions(
    value: object, document: OrgsDocument, problems: list[str]
) -> list[SuccessionSpec]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append("successions: expected a list")
        return []
    successions: list[SuccessionSpec] = []
    pairs: set[tuple[str, str]] = set()
    for index, entry in enumerate(value):
        where = f"succession #{index + 1}"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected a mapping, found {_kind_of(entry)}")
            continue
        from_ref, to_ref = entry.get("from"), entry.get("to")
        if isinstance(from_ref, str) and isinstance(to_ref, str):
            from_ref, to_ref = clean(from_ref), clean(to_ref)
            where = f"succession {from_ref} → {to_ref}"
        _unknown_keys(entry, _SUCCESSION_KEYS, where, problems)
        kind = entry.get("kind")
        if kind not in SUCCESSION_KINDS:
            problems.append(
                f"{where}: kind {kind!r} is not one of {', '.join(sorted(SUCCESSION_KINDS))}"
            )
        on = _date(entry.get("on"), where, "on", problems)
        if entry.get("on") is None:
            problems.append(f"{where}: on (the date of the change) is missing")
        note = _text(entry.get("note"), where, "note", problems, limit=_SUCCESSION_NOTE_MAX)
        predecessor = _reference(from_ref, where, "from", document, problems)
        successor = _reference(to_ref, where, "to", document, problems)
        if not (isinstance(from_ref, str) and isinstance(to_ref, str)):
            continue
        if from_ref == to_ref:
            problems.append(f"{where}: an organisation cannot succeed itself")
        if (from_ref, to_ref) in pairs:
            problems.append(f"{where}: listed twice")
        pairs.add((from_ref, to_ref))
        if predecessor is not None and successor is not None:
            if isinstance(predecessor, ProvinceSpec) != isinstance(successor, ProvinceSpec):
                problems.append(
                    f"{where}: a province can only succeed or be succeeded by a province"
                )
            if on is not None:
                _check_dates(predecessor, document.exists_on(to_ref, on), on, where, problems)
        if on is not None and kind in SUCCESSION_KINDS:
            successions.append(SuccessionSpec(from_ref, to_ref, str(kind), on, note))
    return successions


def _check_dates(
    predecessor: ProvinceSpec | AgencySpec,
    successor_exists: bool,
    on: date,
    where: str,
    problems: list[str],
) -> None:
    if predecessor.valid_to is None:
        problems.append(
            f"{where}: the predecessor has no valid_to, so it cannot have been succeeded on {on}"
        )
    elif predecessor.valid_to != on:
        problems.append(
            f"{where}: on {on} differs from the predecessor's valid_to {predecessor.valid_to}"
        )
    if not successor_exists:
        problems.append(f"{where}: the successor does not exist on {on}")


def _reference(
    ref: object, where: str, field: str, document: OrgsDocument, problems: list[str]
) -> ProvinceSpec | AgencySpec | None:
    if not isinstance(ref, str) or not ref.strip():
        problems.append(f"{where}: {field} must be 'province' or 'province/agency'")
        return None
    ref = clean(ref)
    province_code, slash, agency_code = ref.partition("/")
    if slash and (not agency_code or "/" in agency_code):
        problems.append(f"{where}: {field} {ref!r} must be 'province' or 'province/agency'")
        return None
    target = document.resolve(ref)
    if target is None:
        if document.province(province_code) is None:
            problems.append(f"{where}: {field} names an unknown province {province_code!r}")
        else:
            problems.append(
                f"{where}: {field} names an unknown agency {agency_code!r} of {province_code}"
            )
    return target


# --- small checks -------------------------------------------------------------------------------


def _within(day: date, valid_from: date | None, valid_to: date | None) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_to is None or day < valid_to)


def _ordered(
    valid_from: date | None, valid_to: date | None, where: str, problems: list[str]
) -> None:
    if valid_from is not None and valid_to is not None and valid_from >= valid_to:
        problems.append(f"{where}: valid_from {valid_from} must be before valid_to {valid_to}")


def _inside(
    valid_from: date | None,
    valid_to: date | None,
    outer_from: date | None,
    outer_to: date | None,
    where: str,
    outer: str,
) -> list[str]:
    """Problems if an explicit period reaches outside the one of what contains it."""
    found: list[str] = []
    if valid_from is not None and outer_from is not None and valid_from < outer_from:
        found.append(f"{where}: valid_from {valid_from} is before {outer} begins ({outer_from})")
    if valid_from is not None and outer_to is not None and valid_from >= outer_to:
        found.append(f"{where}: valid_from {valid_from} is after {outer} ends ({outer_to})")
    if valid_to is not None and outer_to is not None and valid_to > outer_to:
        found.append(f"{where}: valid_to {valid_to} is after {outer} ends ({outer_to})")
    if valid_to is not None and outer_from is not None and valid_to <= outer_from:
        found.append(f"{where}: valid_to {valid_to} is not after {outer} begins ({outer_from})")
    return found


def _unknown_keys(
    entry: Mapping[Any, Any], allowed: frozenset[str], where: str, problems: list[str]
) -> None:
    unknown = sorted(str(k) for k in entry if k not in allowed)
    if unknown:
        problems.append(
            f"{where}: unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )


def _code(value: object, where: str, problems: list[str]) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: code is missing")
        return ""
    code = value.strip()
    if not _SLUG.match(code) or len(code) > _CODE_MAX:
        problems.append(
            f"{where}: code {code!r} must be a slug of lower-case letters, digits and hyphens "
            f"(at most {_CODE_MAX} characters)"
        )
    return code


def _text(
    value: object,
    where: str,
    field: str,
    problems: list[str],
    limit: int | None = None,
    *,
    required: bool = False,
) -> str:
    if value is None:
        if required:
            problems.append(f"{where}: {field} is missing")
        return ""
    if not isinstance(value, str):
        problems.append(f"{where}: {field} must be text, found {_kind_of(value)}")
        return ""
    text = clean(value)
    if required and not text:
        problems.append(f"{where}: {field} is empty")
    if limit is not None and len(text) > limit:
        problems.append(f"{where}: {field} is longer than {limit} characters")
    return text


def _date(value: object, where: str, field: str, problems: list[str]) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        problems.append(f"{where}: {field} must be a date without a time, found {value}")
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError as exc:
            problems.append(f"{where}: {field}: {exc}")
            return None
    problems.append(f"{where}: {field} must be a date (yyyy-mm-dd), found {_kind_of(value)}")
    return None


def _kind_of(value: object) -> str:
    return f"{type(value).__name__} {value!r}"[:80]
