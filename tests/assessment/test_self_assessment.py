"""Self-assessment: what a unit enters, how it is checked and scored, who may enter it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parindex.assessment import actions
from parindex.assessment.actions import EntryInput
from parindex.assessment.models import AssessedUnit, Entry
from parindex.orgs import access
from parindex.orgs.models import AuditEntry, User
from tests.assessment.conftest import Open2020, complete, fresh, save

D = Decimal


def entry(unit: AssessedUnit, code: str) -> Entry:
    return Entry.objects.get(unit=unit, node__code=code)


def errors_of(unit: AssessedUnit, by: User, **entries: EntryInput) -> dict[str, str]:
    current = fresh(unit)
    _saved, errors = actions.save_entries(
        current,
        by=by,
        version=current.version,
        entries={code.lstrip("_").replace("_", "."): data for code, data in entries.items()},
    )
    return errors


def test_a_save_rescores_every_level_of_the_units_tree(open_2020: Open2020, reporter: User) -> None:
    unit = complete(open_2020.justice, reporter)
    assert unit.self_total == D("5.9")
    assert unit.final_total == D("5.9")
    assert unit.appraised_total is None
    assert unit.scores["self"]["1"] == "4.90"
    assert unit.scores["self"]["2"] == "1.00"
    assert unit.scores["missing"] == ["2.2"]
    assert entry(unit, "1.2").self_points == D(1)
    assert entry(unit, "1.2").self_band == "Từ 70% đến dưới 90%"
    assert "80/100" in unit.scores["traces"]["1.2"]


def test_changing_one_value_moves_the_totals(open_2020: Open2020, reporter: User) -> None:
    complete(open_2020.justice, reporter)
    unit = save(open_2020.justice, reporter, _1_2=EntryInput(numerator="95", denominator="100"))
    assert unit.self_total == D("6.9")
    assert entry(unit, "1.2").self_band == "Từ 90% trở lên"


def test_a_proportional_leaf_keeps_its_points_exact_in_the_cache(
    open_2020: Open2020, reporter: User
) -> None:
    unit = save(open_2020.justice, reporter, _1_3=EntryInput(numerator="91", denominator="97"))
    # 2 × 91 / 97 = 1.876288659793814432989690722...: the JSON keeps it, the column six places.
    assert unit.scores["self"]["1.3"].startswith("1.876288659793814")
    assert entry(unit, "1.3").self_points == D("1.876289")


def test_a_band_label_is_matched_without_tone_marks_and_stored_as_written_in_the_tree(
    open_2020: Open2020, reporter: User
) -> None:
    unit = save(open_2020.justice, reporter, _1_1=EntryInput(band="BAN HANH KIP THOI"))
    assert entry(unit, "1.1").band == "Ban hành kịp thời"


@pytest.mark.parametrize(
    ("given", "key", "says"),
    [
        ({"_1_1": EntryInput(band="Ban hành rất sớm")}, "1.1-band", "no band"),
        ({"_1_1": EntryInput(value="2")}, "1.1-value", "choosing a band"),
        ({"_1_2": EntryInput(band="Dưới 70%")}, "1.2-band", "not a band"),
        ({"_1_2": EntryInput(numerator="120", denominator="100")}, "1.2-numerator", "larger"),
        ({"_1_2": EntryInput(numerator="12", denominator="0")}, "1.2-denominator", "0"),
        ({"_1_2": EntryInput(numerator="12")}, "1.2-denominator", "total"),
        ({"_1_2": EntryInput(value="101")}, "1.2-value", "100"),
        ({"_2_1": EntryInput(value="-1")}, "2.1-value", "negative"),
        ({"_2_1": EntryInput(value="mười")}, "2.1-value", "number"),
        ({"_2_1": EntryInput(value="1" * 13)}, "2.1-value", "too large"),
        ({"_2_1": EntryInput(value="0,00001")}, "2.1-value", "after the decimal point"),
        ({"_2_1": EntryInput(value="1,5")}, "2.1-value", "whole number"),
        ({"_2_2": EntryInput(value="90")}, "2.2-value", "survey"),
        ({"_1_1": EntryInput(explanation="x" * 5_001)}, "1.1-explanation", "5,000"),
    ],
)
def test_bad_input_is_refused_naming_the_leaf_and_nothing_is_saved(
    open_2020: Open2020, reporter: User, given: dict[str, EntryInput], key: str, says: str
) -> None:
    errors = errors_of(open_2020.justice, reporter, _1_3=EntryInput(value="50"), **given)
    assert key in errors, errors
    assert says in errors[key]
    assert entry(open_2020.justice, "1.3").value is None
    assert fresh(open_2020.justice).version == 1


def test_text_is_stored_in_nfc_without_control_characters(
    open_2020: Open2020, reporter: User
) -> None:
    decomposed = "Gia\u0309i trình\x00\x07 có\tlý do"
    unit = save(open_2020.justice, reporter, _1_1=EntryInput(explanation=decomposed))
    assert entry(unit, "1.1").explanation == "Giải trình có\tlý do"


def test_a_save_carrying_an_old_version_is_refused_with_what_changed(
    open_2020: Open2020, reporter: User, head: User
) -> None:
    opened = fresh(open_2020.justice)
    save(open_2020.justice, head, _2_1=EntryInput(value="3"))
    with pytest.raises(actions.StaleUnit) as stale:
        actions.save_entries(
            opened, by=reporter, version=opened.version, entries={"2.1": EntryInput(value="1")}
        )
    assert any("2.1" in change for change in stale.value.changes)
    assert entry(open_2020.justice, "2.1").value == D(3)


@pytest.mark.parametrize(
    "who",
    [
        "other_reporter",
        "district_head",
        "coordinator",
        "leader",
        "appraiser",
        "outsider",
        "citizen",
    ],
)
def test_only_the_units_own_people_enter_its_self_assessment(
    open_2020: Open2020, who: str, request: pytest.FixtureRequest
) -> None:
    person: User = request.getfixturevalue(who)
    unit = fresh(open_2020.justice)
    with pytest.raises(PermissionDenied):
        actions.save_entries(
            unit, by=person, version=unit.version, entries={"2.1": EntryInput(value="3")}
        )


def test_the_reporter_and_the_head_both_enter(
    open_2020: Open2020, reporter: User, head: User
) -> None:
    save(open_2020.justice, reporter, _2_1=EntryInput(value="1"))
    unit = save(open_2020.justice, head, _2_1=EntryInput(value="3"))
    assert Decimal(unit.scores["self"]["2.1"]) == 2


def test_every_save_is_in_the_units_history(open_2020: Open2020, reporter: User) -> None:
    save(open_2020.justice, reporter, _2_1=EntryInput(value="3", explanation="Ba sáng kiến"))
    history = AuditEntry.objects.get(
        action="assessment.unit.save", object_id=str(open_2020.justice.pk)
    )
    assert history.actor == reporter
    assert history.changes["2.1"] == ["—", "3 · Ba sáng kiến"]


def test_a_save_costs_the_same_queries_for_one_entry_or_all_of_them(
    open_2020: Open2020, reporter: User
) -> None:
    access.access_for(reporter)  # the person's roles, read once per request
    complete(open_2020.justice, reporter)

    def queries(**entries: EntryInput) -> int:
        unit = fresh(open_2020.justice)
        with CaptureQueriesContext(connection) as captured:
            _saved, errors = actions.save_entries(
                unit,
                by=reporter,
                version=unit.version,
                entries={c.lstrip("_").replace("_", "."): d for c, d in entries.items()},
            )
        assert errors == {}
        return len(captured.captured_queries)

    one = queries(_2_1=EntryInput(value="3"))
    every = queries(
        _1_1=EntryInput(band="Không ban hành"),
        _1_2=EntryInput(numerator="50", denominator="100"),
        _1_3=EntryInput(value="60"),
        _2_1=EntryInput(value="0"),
    )
    assert one == every
    # lock the unit, the tree's nodes and bands, the entries, one bulk update of the entries,
    # the unit, the audit entry, and the savepoint around it all.
    assert one == 9
