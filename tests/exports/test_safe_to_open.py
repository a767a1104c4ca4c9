"""Exports are safe to open: stored text never becomes a live formula, nor breaks a file.

Every exporter in the registry, in every format it offers, is fed text that a spreadsheet would
take for a formula (`=1+1`, `+SUM(A1)`, `-2+3`, `@cmd`, and the same behind a tab or a carriage
return) and text holding characters XML forbids. The text goes in through the action functions,
as a reporter or a coordinator would type it, except the control characters: those are written
straight into the rows, as text stored before inputs were cleaned (or restored from an old
backup) would be, because an export must cope with whatever the database holds.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.utils.translation import gettext as _
from openpyxl import Workbook

from parindex.assessment import actions as assessment_actions
from parindex.dossiers import actions as dossier_actions
from parindex.exports import cells, registry
from parindex.exports.registry import Exporter, Sheet, render
from parindex.lib.text import xml_safe
from parindex.methodology.formats.xlsx import export_xlsx, parse_xlsx
from parindex.methodology.models import Node
from parindex.methodology.tree import FrameworkSpec, NodeSpec
from parindex.methodology.validation import normalise
from parindex.orgs import actions as org_actions
from parindex.orgs.access import AnyUser
from parindex.orgs.models import Organisation, OrgKind, User
from parindex.plans.models import Plan
from parindex.reporting import actions as reporting_actions
from parindex.reporting.models import Item, Report
from parindex.surveys import actions as survey_actions
from parindex.surveys.models import Answer
from tests.assessment.conftest import import_tree, small_tree
from tests.conftest import LaoCai
from tests.dossiers.support import HEADER, ROWS, csv_file, stored
from tests.exports.conftest import FilledRound, fill
from tests.exports.reading import docx, sheets, text
from tests.methodology.support import D, band, spec_of, without_lines

FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x"]
CONTROL = "Chuông\x07 báo\x0b động\x1f \x08hết\ufffe"
HOSTILE = [*FORMULAS, CONTROL]
HOSTILE_IDS = ["equals", "plus", "minus", "at", "tab", "carriage-return", "control-characters"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Planted:
    """Where a hostile text was put, and the text as stored (actions may tidy spacing)."""

    params: dict[str, str]
    stored: list[str]


def _store_raw(model: type[Any], pk: int, **fields: str) -> None:
    model.objects.filter(pk=pk).update(**fields)


def _plant(
    exporter: str, hostile: str, lao_cai: LaoCai, filled_round: FilledRound, coordinator: User
) -> Planted:
    raw = hostile == CONTROL
    if exporter == "organisations":
        org = org_actions.create_organisation(
            by=coordinator,
            province=lao_cai.province,
            kind=OrgKind.DEPARTMENT,
            name=hostile,
            code="hostile",
        )
        if raw:
            _store_raw(Organisation, org.pk, name=hostile)
        org.refresh_from_db()
        return Planted({}, [org.name])
    if exporter == "people":
        person = org_actions.create_person(
            by=coordinator,
            username="hostile",
            full_name=hostile,
            organisation=lao_cai.justice,
            email="hostile@laocai.gov.vn",
            position=hostile,
            password="Lao-Cai-2020!",
        )
        if raw:
            _store_raw(User, person.pk, full_name=hostile, position=hostile)
        person.refresh_from_db()
        return Planted({}, [person.full_name, person.position])
    # The reporting exporters: the city says what it did on the joint target, and sums up the
    # period, in hostile text.
    if exporter == "round-consolidated":
        # Submitted, so that the document gives its account too (drafts are only named).
        city = filled_round.city
        plan = filled_round.plan
        fill(
            city,
            by=None,
            items={
                plan.joint: ("on_track", hostile, {}),
                plan.on_time: (
                    "on_track",
                    "Phối hợp tiếp nhận hồ sơ.",
                    {plan.on_time_rate: (4, 5)},
                ),
            },
        )
        reporting_actions.submit_report(Report.objects.get(pk=city.pk), by=None)
        joint = Item.objects.get(report=city, target=filled_round.plan.joint)
        if raw:
            _store_raw(Item, joint.pk, description=hostile)
        joint.refresh_from_db()
        return Planted({"round": str(filled_round.round.pk)}, [joint.description])
    if exporter in ("assessment-unit", "assessment-ranking"):
        return _plant_assessment(exporter, hostile, lao_cai, coordinator)
    if exporter == "forecast":
        return _plant_forecast(hostile, lao_cai, filled_round)
    if exporter == "survey":
        return _plant_survey(hostile, lao_cai, coordinator)
    if exporter == "dossier-form":
        return _plant_dossiers(hostile, lao_cai, coordinator)
    if exporter == "dossier-list":
        return _plant_dossier_codes(hostile, lao_cai, coordinator)
    assert exporter == "agency-report", f"no hostile data for the exporter {exporter!r}"
    city = filled_round.city
    fill(
        city,
        by=None,
        narrative=hostile,
        items={filled_round.plan.joint: ("on_track", hostile, {})},
    )
    joint = Item.objects.get(report=city, target=filled_round.plan.joint)
    if raw:
        _store_raw(Report, city.pk, narrative=hostile)
        _store_raw(Item, joint.pk, description=hostile)
    city.refresh_from_db()
    joint.refresh_from_db()
    return Planted({"report": str(city.pk)}, [city.narrative, joint.description])


def _plant_assessment(exporter: str, hostile: str, lao_cai: LaoCai, coordinator: User) -> Planted:
    """A sub-criterion named in hostile text (a unit's scores), or a department so named (the
    ranking), in a 2020 assessment of the departments."""
    raw = hostile == CONTROL
    spec = small_tree()
    if exporter == "assessment-unit":
        spec.nodes = [
            dataclasses.replace(n, name=hostile) if n.code == "1.1" else n for n in spec.nodes
        ]
    else:
        org = org_actions.create_organisation(
            by=coordinator,
            province=lao_cai.province,
            kind=OrgKind.DEPARTMENT,
            name=hostile,
            code="hostile",
        )
    framework = import_tree(lao_cai.province, spec)
    assessment = assessment_actions.open_assessment(
        lao_cai.province,
        by=coordinator,
        framework=framework,
        year=2020,
        scope="departments",
        deadline=date(2021, 1, 15),
    )
    if exporter == "assessment-unit":
        node = Node.objects.get(framework=framework, code="1.1")
        if raw:
            _store_raw(Node, node.pk, name=hostile)
        node.refresh_from_db()
        unit = assessment.units.get(organisation=lao_cai.justice)
        return Planted({"unit": str(unit.pk)}, [node.name])
    if raw:
        _store_raw(Organisation, org.pk, name=hostile)
    org.refresh_from_db()
    return Planted({"assessment": str(assessment.pk)}, [org.name])


def _plant_forecast(hostile: str, lao_cai: LaoCai, filled_round: FilledRound) -> Planted:
    """A sub-criterion named in hostile text, in the tree the year's plan is matched to: it has
    no figure yet, so it is among the points at stake."""
    spec = small_tree()
    spec.nodes = [
        dataclasses.replace(n, name=hostile) if n.code == "1.1" else n for n in spec.nodes
    ]
    framework = import_tree(lao_cai.province, spec)
    plan = filled_round.plan.plan
    Plan.objects.filter(pk=plan.pk).update(framework=framework)
    node = Node.objects.get(framework=framework, code="1.1")
    if hostile == CONTROL:
        _store_raw(Node, node.pk, name=hostile)
    node.refresh_from_db()
    params = {"province": str(lao_cai.province.pk), "year": str(plan.year), "part": "stakes"}
    return Planted(params, [node.name])


def _plant_survey(hostile: str, lao_cai: LaoCai, coordinator: User) -> Planted:
    """A department named in hostile text whose citizen wrote hostile text as a suggestion: both
    are cells of the free-text answers' download."""
    org = org_actions.create_organisation(
        by=coordinator,
        province=lao_cai.province,
        kind=OrgKind.DEPARTMENT,
        name=hostile,
        code="hostile",
    )
    survey = survey_actions.create_survey(
        by=coordinator,
        code="sipas-2020",
        questionnaire=survey_actions.load_default_questionnaire(),
        province=lao_cai.province,
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 12, 31),
    )
    response = survey_actions.add_response(
        survey,
        by=coordinator,
        agency=org,
        submitted_at=datetime(2020, 4, 15, 10),
        answers={"sat_staff": "5", "suggestion": hostile},
    )
    answer = Answer.objects.get(response=response, question__code="suggestion")
    if hostile == CONTROL:
        _store_raw(Organisation, org.pk, name=hostile)
        _store_raw(Answer, answer.pk, text=hostile)
    org.refresh_from_db()
    answer.refresh_from_db()
    return Planted({"survey": str(survey.pk), "part": "comments"}, [org.name, answer.text])


def _plant_dossiers(hostile: str, lao_cai: LaoCai, coordinator: User) -> Planted:
    """An agency named in hostile text, whose code the dossiers of spring 2024 carry."""
    org = org_actions.create_organisation(
        by=coordinator,
        province=lao_cai.province,
        kind=OrgKind.DEPARTMENT,
        name=hostile,
        code="hostile",
    )
    if hostile == CONTROL:
        _store_raw(Organisation, org.pk, name=hostile)
    org.refresh_from_db()
    rows = [("HS-1", "hostile", *ROWS[0][2:])]
    with tempfile.TemporaryDirectory() as folder:
        path = csv_file(Path(folder) / "hs.csv", rows)
        dossier_actions.import_dossiers(lao_cai.province, path, by=coordinator)
    return Planted({"province": lao_cai.province.code, "period": "2024Q2"}, [org.name])


def _plant_dossier_codes(hostile: str, lao_cai: LaoCai, coordinator: User) -> Planted:
    """A dossier whose own code and procedure code are hostile text, listed as they were
    stored (the import takes control characters out)."""
    row = (hostile, "so-tu-phap", hostile, *ROWS[0][3:])
    with tempfile.TemporaryDirectory() as folder:
        # Parquet holds the text as given: a CSV line would end at the carriage return, and a
        # workbook would take "=1+1" for a formula.
        path = Path(folder) / "hs.parquet"
        with duckdb.connect() as con:
            con.execute(f"CREATE TABLE t ({', '.join(f'{c} VARCHAR' for c in HEADER)})")
            con.execute(f"INSERT INTO t VALUES ({', '.join('?' * len(HEADER))})", list(row))
            con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
        dossier_actions.import_dossiers(lao_cai.province, path, by=coordinator)
    [kept] = stored(lao_cai.province).values()
    return Planted(
        {"province": lao_cai.province.code, "period": "2024Q2"},
        [kept["ma_ho_so"], kept["ma_tthc"]],
    )


def _words(value: str) -> str:
    return " ".join(value.split())


def _all_cells(content: bytes) -> list[Any]:
    return [cell for ws in sheets(content).worksheets for row in ws.iter_rows() for cell in row]


def test_every_exporter_is_fed_hostile_text_here() -> None:
    """A new exporter needs its place in `_plant`, so that it is held to the same rules."""
    assert {e.name for e in registry.exporters()} == {
        "organisations",
        "people",
        "round-consolidated",
        "agency-report",
        "assessment-unit",
        "assessment-ranking",
        "forecast",
        "survey",
        "dossier-form",
        "dossier-list",
    }


@pytest.mark.parametrize("exporter", [e.name for e in registry.exporters()])
@pytest.mark.parametrize("hostile", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_text_is_exported_as_inert_text_in_every_format(
    exporter: str,
    hostile: str,
    lao_cai: LaoCai,
    filled_round: FilledRound,
    coordinator: User,
) -> None:
    planted = _plant(exporter, hostile, lao_cai, filled_round, coordinator)
    assert planted.stored and all(planted.stored)
    written = [xml_safe(s) for s in planted.stored]
    for fmt in registry.get(exporter).formats:
        content = render(exporter, fmt, user=coordinator, params=planted.params).content
        if fmt == "xlsx":
            found = _all_cells(content)
            assert not [c.coordinate for c in found if c.data_type == "f"], "a live formula"
            for value in written:
                matching = [c for c in found if c.value == value]
                assert matching, f"{value!r} is not a cell of the {exporter} workbook"
                for cell in matching:
                    assert cell.data_type == "s"
                    # Excel's quote prefix keeps it text when someone edits the cell.
                    assert cell.quotePrefix == value.startswith(FORMULA_START)
        elif fmt == "csv":
            table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
            fields = [field for row in table for field in row]
            assert not [f for f in fields if f.startswith(FORMULA_START)], fields
            for value in written:
                neutral = "'" + value if value.startswith(FORMULA_START) else value
                assert neutral in fields, f"{neutral!r} not among {fields}"
        else:
            body = _words(text(docx(content)))  # it opens: the XML is well formed
            for value in written:
                assert _words(value) in body, f"{_words(value)!r} not in the {exporter} document"
            assert xml_safe(body) == body


def test_characters_xml_forbids_never_reach_a_file(
    lao_cai: LaoCai, filled_round: FilledRound, coordinator: User
) -> None:
    planted = _plant("agency-report", CONTROL, lao_cai, filled_round, coordinator)
    for fmt in ("docx", "xlsx"):
        content = render("agency-report", fmt, user=coordinator, params=planted.params).content
        document = docx(content) if fmt == "docx" else None
        shown = text(document) if document else " ".join(str(c.value) for c in _all_cells(content))
        assert "Chuông báo động hết" in _words(shown)
        assert not set(shown) & {"\x07", "\x0b", "\x1f", "\x08", "\ufffe"}


def _typed_records(ws: Any) -> list[dict[str, Any]]:
    """Rows below the heading row as heading → cell, so that types can be checked."""
    header, *body = list(ws.iter_rows())
    return [{h.value: c for h, c in zip(header, row, strict=True)} for row in body]


@pytest.mark.parametrize("exporter", ["agency-report", "round-consolidated"])
def test_numbers_and_dates_stay_numbers_and_dates_beside_hostile_text(
    exporter: str, lao_cai: LaoCai, filled_round: FilledRound, coordinator: User
) -> None:
    planted = _plant(exporter, "=1+1", lao_cai, filled_round, coordinator)
    book = sheets(render(exporter, "xlsx", user=coordinator, params=planted.params).content)
    items = book.worksheets[1] if exporter == "agency-report" else book.worksheets[0]
    (joint,) = [r for r in _typed_records(items) if r[_("What was done")].value == "=1+1"]
    assert joint[_("What was done")].data_type == "s"
    assert (joint[_("Numerator")].value, joint[_("Numerator")].data_type) == (4, "n")
    if exporter == "agency-report":
        assert (joint[_("Target value")].value, joint[_("Target value")].data_type) == (10, "n")
        facts = {r[0].value: r[1] for r in book.worksheets[0].iter_rows(min_row=2)}
        assert facts[_("Deadline")].data_type == "d"
        assert facts[_("Deadline")].value.date() == filled_round.round.deadline


def _sample_rows(user: AnyUser, params: dict[str, str]) -> list[Sheet]:
    return [
        Sheet(
            "Mẫu",
            ["Chữ", "Số nguyên", "Số thập phân", "Ngày"],
            [
                ['=HYPERLINK("http://x")', -3, Decimal("-2.5"), date(2020, 6, 11)],
                ["-2+3", 0, Decimal("1234.5"), datetime(2020, 6, 11, 8, 30)],
            ],
        )
    ]


@pytest.fixture
def sample(monkeypatch: pytest.MonkeyPatch) -> Exporter:
    exporter = Exporter("sample", lambda: "Mẫu", _sample_rows)
    monkeypatch.setitem(registry._registry, exporter.name, exporter)
    return exporter


def test_csv_prefixes_text_only_and_a_negative_number_stays_a_number(
    sample: Exporter, coordinator: User
) -> None:
    content = render("sample", "csv", user=coordinator).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(content)))[1:] == [
        ['\'=HYPERLINK("http://x")', "-3", "-2,5", "11/06/2020"],
        ["'-2+3", "0", "1.234,5", "11/06/2020 08:30"],
    ]


def test_xlsx_keeps_numbers_numeric_and_dates_dated_and_text_text(
    sample: Exporter, coordinator: User
) -> None:
    ws = sheets(render("sample", "xlsx", user=coordinator).content).worksheets[0]
    first, second = ws[2], ws[3]
    assert [c.data_type for c in first] == ["s", "n", "n", "d"]
    assert [c.value for c in first] == ['=HYPERLINK("http://x")', -3, -2.5, datetime(2020, 6, 11)]
    assert [c.value for c in second] == ["-2+3", 0, 1234.5, datetime(2020, 6, 11, 8, 30)]


@pytest.mark.parametrize("write_only", [False, True], ids=["normal", "write-only"])
def test_a_workbook_written_row_by_row_keeps_text_as_text(write_only: bool) -> None:
    """Large exports may stream rows through a write-only sheet: the same cells come out."""
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("Dữ liệu") if write_only else book.active
    cells.append(sheet, ["=1+1", "#N/A", "a\x07b", -3, Decimal("2.5"), date(2020, 6, 11)])
    out = io.BytesIO()
    book.save(out)
    written = [(c.value, c.data_type) for c in _all_cells(out.getvalue())]
    assert written == [
        ("=1+1", "s"),
        ("#N/A", "s"),  # text, not Excel's error value
        ("ab", "s"),
        (-3, "n"),
        (2.5, "n"),
        (datetime(2020, 6, 11), "d"),
    ]


def test_a_number_excel_cannot_hold_is_written_as_text_not_as_a_damaged_file() -> None:
    book = Workbook()
    for value in (Decimal("NaN"), Decimal("-Infinity"), float("inf")):
        cells.append(book.active, [value])
    out = io.BytesIO()
    book.save(out)
    written = [c.value for c in _all_cells(out.getvalue())]
    assert written == ["NaN", "-Infinity", "inf"]


def test_a_criteria_tree_with_formula_like_text_exports_as_text_and_reads_back_the_same() -> None:
    spec = normalise(
        FrameworkSpec(
            name='=HYPERLINK("http://x")',
            code="cong-thuc",
            description="+SUM(A1)",
            nodes=[
                NodeSpec("1", "=1+1", D("1"), note="@cmd", bands=[band("-2+3", 1), band("@x", 0)])
            ],
        )
    )
    content = export_xlsx(spec)
    found = _all_cells(content)
    assert not [c.coordinate for c in found if c.data_type == "f"]
    texts = {c.value for c in found if c.data_type == "s"}
    assert {'=HYPERLINK("http://x")', "+SUM(A1)", "=1+1", "@cmd", "-2+3", "@x"} <= texts
    result = parse_xlsx(content)
    assert not result.warnings
    assert without_lines(spec_of(result)) == without_lines(spec)
