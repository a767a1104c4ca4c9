"""Compressed uploads that expand too far are refused before any reader opens them, with a
message that says so: plan documents, criteria tables and evidence, on the web and the API.
Who may upload is settled before the file is read."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.lib import archives
from parindex.methodology.importing import read_tree
from parindex.orgs import actions as org_actions
from parindex.orgs.models import User
from parindex.plans.document import read_document
from parindex.plans.models import PlanImport
from parindex.reporting.models import Evidence, Report
from tests.web.reporting_data import SmallPlan, item_of

EXPANDED = archives.MAX_EXPANDED + 1_000_000


def bomb(kind: str) -> bytes:
    """An office file of a few hundred KB whose main part expands past the limit."""
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(main, "w", force_zip64=True) as member:
            chunk = b"<w:t>" + b" " * 1_000_000
            for _ in range(EXPANDED // len(chunk) + 1):
                member.write(chunk)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    return bomb("docx")


@pytest.fixture(scope="module")
def xlsx_bomb() -> bytes:
    return bomb("xlsx")


def api(user: User) -> Client:
    _token, key = org_actions.create_api_token(user, by=user, name="tích hợp")
    return Client(raise_request_exception=False, headers={"Authorization": f"Bearer {key}"})


def web(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# --- the guard -----------------------------------------------------------------------------------


def test_the_guard_reads_the_directory_and_refuses_by_expanded_size(docx_bomb: bytes) -> None:
    assert len(docx_bomb) < 1_000_000
    with pytest.raises(archives.ArchiveRefused) as refused:
        archives.check_zip(docx_bomb)
    assert refused.value.expanded > archives.MAX_EXPANDED


def test_the_guard_refuses_a_packing_ratio_no_office_file_has() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\x00" * 5_000_000)
    with pytest.raises(archives.ArchiveRefused) as refused:
        archives.check_zip(buffer.getvalue())
    assert refused.value.reason == "ratio"


def test_an_ordinary_archive_passes_the_guard() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:t>Kế hoạch</w:t>" * 1000)
    assert archives.check_zip(buffer.getvalue()).namelist() == ["word/document.xml"]


def test_a_reader_still_busy_after_its_time_is_stopped() -> None:
    with pytest.raises(archives.ReadTooLong), archives.time_limit(0.05):
        while True:
            pass


# --- the readers ---------------------------------------------------------------------------------


def test_the_plan_reader_refuses_a_bomb_with_a_warning_and_no_text(docx_bomb: bytes) -> None:
    text, warnings = read_document(docx_bomb, "ke-hoach.docx")
    assert text == ""
    assert [w.kind for w in warnings] == ["file_too_large"]


def test_the_criteria_reader_refuses_a_bomb_naming_the_file(xlsx_bomb: bytes) -> None:
    result = read_tree(xlsx_bomb, "bo-chi-so.xlsx")
    assert result.spec is None
    assert [p.kind for p in result.problems] == ["file_too_large"]


def test_a_plan_bomb_uploaded_on_the_web_is_refused_with_the_reason(
    coordinator: User, docx_bomb: bytes
) -> None:
    response = web(coordinator).post(
        "/plans/import/", {"file": SimpleUploadedFile("ke-hoach.docx", docx_bomb)}
    )
    assert response.status_code == 200
    assert "MB" in response.content.decode()
    assert not PlanImport.objects.exists()


def test_a_criteria_bomb_through_the_api_is_a_422_with_the_reason(
    coordinator: User, xlsx_bomb: bytes
) -> None:
    answer = api(coordinator).post(
        "/api/criteria/import", {"file": SimpleUploadedFile("bo-chi-so.xlsx", xlsx_bomb)}
    )
    assert answer.status_code == 422
    assert "MB" in str(answer.json()["problems"])


@pytest.mark.parametrize("channel", ["web", "api"])
def test_an_evidence_bomb_is_refused_with_a_message(
    channel: str,
    reporter: User,
    justice_report: Report,
    small_plan: SmallPlan,
    docx_bomb: bytes,
    media: None,
) -> None:
    item = item_of(justice_report, small_plan.on_time)
    upload = SimpleUploadedFile("bien-ban.docx", docx_bomb)
    if channel == "api":
        answer = api(reporter).post(
            f"/api/reporting/reports/{justice_report.pk}/items/{item.pk}/evidence",
            {"file": upload},
        )
        assert answer.status_code == 422
        text = str(answer.json())
    else:
        answer = web(reporter).post(
            f"/reports/{justice_report.pk}/items/{item.pk}/evidence/", {"file": upload}, follow=True
        )
        assert answer.status_code == 200
        text = answer.content.decode()
    assert "bien-ban.docx" in text and "MB" in text
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.post("/api/plans/parse", {"file": SimpleUploadedFile("k.docx", b"PK")}),
        lambda c: c.post("/api/plans/import", {"file": SimpleUploadedFile("k.docx", b"PK")}),
        lambda c: c.post("/api/criteria/import", {"file": SimpleUploadedFile("t.xlsx", b"PK")}),
        lambda c: c.post("/plans/import/", {"file": SimpleUploadedFile("k.docx", b"PK")}),
        lambda c: c.post("/criteria/import/", {"file": SimpleUploadedFile("t.xlsx", b"PK")}),
    ],
    ids=["api-plan-parse", "api-plan-import", "api-criteria", "web-plan", "web-criteria"],
)
def test_a_reporter_is_refused_before_an_upload_is_read(
    reporter: User, send: Callable[[Client], object], monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[bytes] = []

    def spy(data: bytes) -> bool:
        read.append(data)
        return False

    monkeypatch.setattr(archives, "is_zip", spy)
    key = org_actions.create_api_token(reporter, by=reporter, name="t")[1]
    client = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {key}"})
    client.force_login(reporter)
    response = send(client)
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert read == []


def test_a_plan_whose_text_is_past_its_limit_is_refused_on_the_web_with_the_reason(
    coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parindex.orgs import inputs

    monkeypatch.setattr(inputs, "DOCUMENT_TEXT_LIMIT", 1_000)
    text = "Kế hoạch số 9/KH-UBND về cải cách hành chính. " * 100
    response = web(coordinator).post("/plans/import/", {"text": text})
    assert response.status_code == 200
    assert "1.000" in response.content.decode()
    assert not PlanImport.objects.exists()
