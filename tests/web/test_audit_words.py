"""The audit log and every history speak Vietnamese: actions as sentences, fields by their
names, statuses and kinds by their labels; never `reporting.report.save`, `valid_to` or
`pending → returned`."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

import parindex
from parindex.orgs import actions as org_actions
from parindex.orgs.models import AuditEntry, Role, User
from parindex.reporting import actions
from parindex.reporting.models import Report
from parindex.web.audit_words import ACTION_LABELS
from tests.conftest import LaoCai
from tests.web.pages import parse
from tests.web.reporting_data import fill

ClientFor = Callable[[User], Client]

CODE = re.compile(r"^[a-z]+(\.[a-z_]+)+$")
SOURCE = Path(parindex.__file__).parent


def written_action_codes() -> dict[str, str]:
    """Every action code the code base writes: a literal given to `record` or `_transition`, or
    as `action=` (directly or through a module constant), with where it is."""
    found: dict[str, str] = {}
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            given = [k.value for k in node.keywords if k.arg == "action"]
            if name in ("record", "_transition"):
                given += node.args
            for arg in given:
                value = arg.value if isinstance(arg, ast.Constant) else None
                if isinstance(arg, ast.Name):
                    value = constants.get(arg.id)
                if isinstance(value, str) and CODE.match(value):
                    found.setdefault(value, f"{path.relative_to(SOURCE.parent)}:{node.lineno}")
    return found


def test_every_action_code_written_in_the_code_base_has_a_label() -> None:
    written = written_action_codes()
    assert "reporting.report.save" in written and "exports.export.all" in written
    missing = {code: where for code, where in written.items() if code not in ACTION_LABELS}
    assert not missing, f"action codes without a label in parindex/web/audit_words.py: {missing}"


def visible_text(response: object) -> str:
    assert response.status_code == 200  # type: ignore[attr-defined]
    return parse(response.content).text  # type: ignore[attr-defined]


RAW = re.compile(
    r"\b(valid_to|valid_from|short_name|full_name|is_active|revoked_at|pending|returned|"
    r"accepted|submitted|on_track|at_risk|not_started|merged|department|reporter|coordinator)\b"
)


def assert_no_raw_codes(text: str) -> None:
    codes = [code for code in ACTION_LABELS if code in text]
    assert not codes, codes
    raw = RAW.findall(text)
    assert not raw, raw


@pytest.fixture
def eventful(
    lao_cai: LaoCai, coordinator: User, reporter: User, head: User, justice_report: Report
) -> Report:
    """An organisation edited and closed into a successor, an account given a role, and a
    report saved, submitted, a target returned and the report returned."""
    org_actions.update_organisation(
        lao_cai.bat_xat, by=coordinator, short_name="Huyện Bát Xát", valid_from=date(2004, 1, 1)
    )
    org_actions.close_organisation(
        lao_cai.bat_xat,
        by=coordinator,
        on=date(2025, 7, 1),
        successors=[org_actions.SuccessorLink(lao_cai.city, "merged", "")],
    )
    org_actions.assign_role(reporter, by=coordinator, role=Role.HEAD, organisation=lao_cai.justice)
    fill(justice_report, reporter, counts={})
    actions.submit_report(justice_report, by=head)
    item = justice_report.items.first()
    assert item is not None
    actions.review_item(item, by=coordinator, accept=False, comment="Thiếu số liệu quý IV")
    actions.finish_review(justice_report, by=coordinator, notify=False)
    return justice_report


def test_audit_log_shows_actions_fields_and_statuses_in_vietnamese(
    eventful: Report, coordinator: User, client_for: ClientFor
) -> None:
    text = visible_text(client_for(coordinator).get("/audit/"))
    assert_no_raw_codes(text)
    assert "Lưu báo cáo" in text
    assert "Chờ rà soát → Đã trả lại Thiếu số liệu quý IV" in text
    assert "Trả lại báo cáo để chỉnh sửa" in text
    assert "Chấm dứt hoạt động cơ quan, đơn vị" in text
    assert "Đã gửi → Đã trả lại" in text or "Đã nộp → Đã trả lại" in text


def test_organisation_history_names_fields_and_dates_in_vietnamese(
    eventful: Report, lao_cai: LaoCai, coordinator: User, client_for: ClientFor
) -> None:
    text = visible_text(client_for(coordinator).get(f"/orgs/{lao_cai.bat_xat.pk}/"))
    assert_no_raw_codes(text)
    assert "2025-07-01" not in text and "01/07/2025" in text


def test_person_history_names_roles_by_their_labels(
    eventful: Report, reporter: User, coordinator: User, client_for: ClientFor
) -> None:
    text = visible_text(client_for(coordinator).get(f"/people/{reporter.pk}/"))
    assert_no_raw_codes(text)


def test_report_history_shows_review_statuses_by_their_labels(
    eventful: Report, coordinator: User, client_for: ClientFor
) -> None:
    text = visible_text(client_for(coordinator).get(f"/reports/{eventful.pk}/"))
    history = text[text.index("Lịch sử") :]
    assert_no_raw_codes(history)


def test_an_entry_recorded_by_an_older_version_still_renders(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    # Benchmark imports recorded plain values, not before/after pairs.
    AuditEntry.objects.create(
        action="results.imported",
        channel="cli",
        object_type="benchmark.resultyear",
        object_id="1",
        object_repr="2024",
        province=lao_cai.province,
        changes={"year": 2024, "rows": 34, "replaced": False},
    )
    text = visible_text(client_for(coordinator).get("/audit/"))
    assert "Nhập kết quả công bố" in text
    assert "Số dòng: — → 34" in text
