"""The pure reader of organisations files: what it accepts, and how it words what it refuses."""

from __future__ import annotations

from datetime import date

import pytest

from parindex.orgs.demo_data import OrgsFileError, load_orgs

VALID = """\
format: parindex-orgs/1
provinces:
  - code: old
    name: "Tỉnh Cũ"
    valid_from: 1991-10-01
    valid_to: 2025-07-01
    agencies:
      - {code: ubnd, kind: ppc, name: "UBND  tỉnh Cũ"}
      - {code: snv, kind: department, name: "Sở Nội vụ", valid_to: 01/03/2025}
      - {code: snv-2025, kind: department, name: "Sở Nội vụ", valid_from: 2025-03-01}
      - {code: huyen, kind: district, name: "UBND huyện A", valid_to: 2025-07-01}
      - {code: xa, kind: commune, name: "UBND xã B", parent: huyen, email: "xa@example.vn"}
  - code: new
    name: "Tỉnh Mới"
    valid_from: 2025-07-01
    agencies:
      - {code: ubnd, kind: ppc, name: "UBND tỉnh Mới"}
successions:
  - {from: old/snv, to: old/snv-2025, kind: merged, on: 2025-03-01}
  - {from: old, to: new, kind: merged, on: 2025-07-01, note: "hợp nhất"}
"""


def test_a_valid_file_loads_with_normalised_text_and_inherited_end_dates():
    doc = load_orgs(VALID.encode("utf-8"))
    old = doc.province("old")
    assert old is not None
    ubnd, snv, xa = old.agency("ubnd"), old.agency("snv"), old.agency("xa")
    assert ubnd is not None and snv is not None and xa is not None
    assert ubnd.name == "UBND tỉnh Cũ"  # spaces folded by text.clean
    assert snv.valid_to == date(2025, 3, 1)  # dd/mm/yyyy read by parse_date
    assert ubnd.valid_to == date(2025, 7, 1)  # an agency ends with its province
    assert ubnd.valid_from is None  # founding date not invented
    assert xa.parent_code == "huyen"
    assert [s.on for s in doc.successions] == [date(2025, 3, 1), date(2025, 7, 1)]
    assert doc.successions[1].note == "hợp nhất"


def test_as_of_queries_respect_both_agency_and_province_dates():
    doc = load_orgs(VALID)
    assert [a.code for a in doc.agencies_as_of("old", date(2025, 3, 1))] == [
        "ubnd",
        "snv-2025",
        "huyen",
        "xa",
    ]
    assert doc.agencies_as_of("old", date(2025, 7, 1)) == []
    assert doc.agencies_as_of("new", date(2020, 1, 1)) == []
    assert [s.to_ref for s in doc.successors_of("old")] == ["new"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'kind: department, name: "Sở Nội vụ"',
            'kind: dept, name: "Sở Nội vụ"',
            "agency snv: kind 'dept' is not one of",
        ),
        ("code: snv-2025,", "code: snv,", "agency snv: code is used by another agency"),
        ("parent: huyen", "parent: nowhere", "agency xa: parent 'nowhere' is not an agency"),
        (
            "valid_from: 2025-03-01}",
            "valid_from: 2025-08-01}",
            "agency snv-2025: valid_from 2025-08-01 is after its province ends",
        ),
        (
            "valid_to: 01/03/2025}",
            "valid_to: 1990-01-01}",
            "agency snv: valid_to 1990-01-01 is not after its province begins (1991-10-01)",
        ),
        (
            "valid_to: 01/03/2025}",
            "valid_to: 31/02/2025}",
            "agency snv: valid_to: '31/02/2025' is not a valid date",
        ),
        (
            "valid_to: 01/03/2025}",
            "valid_to: 2026-01-01}",
            "agency snv: valid_to 2026-01-01 is after its province ends",
        ),
        ("to: old/snv-2025,", "to: old/nothing,", "to names an unknown agency 'nothing' of old"),
        ("from: old, to: new", "from: gone, to: new", "from names an unknown province 'gone'"),
        (
            "on: 2025-03-01}",
            "on: 2025-03-02}",
            "on 2025-03-02 differs from the predecessor's valid_to 2025-03-01",
        ),
        (
            "kind: merged, on: 2025-07-01",
            "kind: swallowed, on: 2025-07-01",
            "kind 'swallowed' is not one of",
        ),
        ('email: "xa@example.vn"', 'email: "not-an-address"', "agency xa: email 'not-an-address'"),
        (
            '- {code: ubnd, kind: ppc, name: "UBND tỉnh Mới"}',
            '- {code: ubnd, kind: ppc, name: "UBND tỉnh Mới", valid_to: 2025-07-01}',
            "agency ubnd: valid_to 2025-07-01 is not after its province begins",
        ),
        ("code: huyen, kind: district,", "code: Huyện A, kind: district,", "must be a slug"),
        ('name: "UBND xã B"', 'nme: "UBND xã B"', "agency xa: unknown field nme"),
        (
            "format: parindex-orgs/1",
            "format: parindex-orgs/2",
            "format: expected 'parindex-orgs/1'",
        ),
    ],
)
def test_a_malformed_entry_is_named_with_what_is_wrong(old, new, expected):
    assert old in VALID, old
    with pytest.raises(OrgsFileError) as caught:
        load_orgs(VALID.replace(old, new, 1))
    assert expected in str(caught.value)


def test_successions_must_start_where_the_predecessor_ends_and_the_successor_exists():
    text = VALID.replace("{from: old/snv, to: old/snv-2025", "{from: old/huyen, to: old/snv-2025")
    with pytest.raises(OrgsFileError) as caught:
        load_orgs(text)
    assert "succession old/huyen → old/snv-2025: on 2025-03-01 differs" in str(caught.value)

    text = VALID.replace("to: old/snv-2025, kind: merged", "to: new/ubnd, kind: merged")
    with pytest.raises(OrgsFileError) as caught:
        load_orgs(text)
    assert "the successor does not exist on 2025-03-01" in str(caught.value)


def test_every_problem_is_reported_at_once():
    text = VALID.replace('kind: ppc, name: "UBND  tỉnh Cũ"', 'kind: king, name: ""').replace(
        "parent: huyen", "parent: xa"
    )
    with pytest.raises(OrgsFileError) as caught:
        load_orgs(text)
    problems = caught.value.problems
    assert any("agency ubnd: kind 'king'" in p for p in problems)
    assert any("agency ubnd: name is empty" in p for p in problems)
    assert any("agency xa: an agency cannot be its own parent" in p for p in problems)
    assert str(caught.value).startswith(f"{len(problems)} problems in the organisations file:")


def test_parent_cycles_are_refused():
    text = VALID.replace(
        '{code: huyen, kind: district, name: "UBND huyện A",',
        '{code: huyen, kind: district, name: "UBND huyện A", parent: xa,',
    )
    with pytest.raises(OrgsFileError, match="parents form a cycle"):
        load_orgs(text)


def test_a_key_written_twice_is_refused_rather_than_silently_overwritten():
    text = VALID.replace("valid_to: 01/03/2025}", "valid_to: 01/03/2025, valid_to: 2025-07-01}")
    with pytest.raises(OrgsFileError, match="key 'valid_to' is written twice"):
        load_orgs(text)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("provinces: [", "not valid YAML"),
        ("- just a list", "the file must be a mapping"),
        (b"\xff\xfe", "not UTF-8"),
        ("format: parindex-orgs/1\nprovinces: []\n", "provinces: expected a non-empty list"),
    ],
)
def test_unreadable_input_is_refused(data, expected):
    with pytest.raises(OrgsFileError, match=expected):
        load_orgs(data)
