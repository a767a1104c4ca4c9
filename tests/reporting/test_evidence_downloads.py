"""Evidence comes down as what it is: named with the extension of the type judged at upload,
always as an attachment, never sniffed by the browser; the same from the screens and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.orgs import actions as org_actions
from parindex.orgs.models import User
from parindex.reporting import actions
from parindex.reporting.downloads import EXTENSIONS, content_disposition, download_name
from parindex.reporting.models import Evidence, Report
from tests.reporting.test_evidence import DOCX, JPEG, PDF, PNG, XLSX, zipped
from tests.web.reporting_data import SmallPlan, item_of

ClientFor = Callable[[User], Client]


def _upload(report: Report, plan: SmallPlan, reporter: User, name: str, data: bytes) -> Evidence:
    item = item_of(report, plan.on_time)
    return actions.add_evidence(item, by=reporter, upload=SimpleUploadedFile(name, data))


def _web(client_for: ClientFor, user: User, evidence: Evidence) -> Any:
    return client_for(user).get(f"/reports/evidence/{evidence.pk}/")


def _api(client_for: ClientFor, user: User, evidence: Evidence) -> Any:
    _token, key = org_actions.create_api_token(user, by=user, name="tải tài liệu")
    return Client().get(
        f"/api/reporting/evidence/{evidence.pk}", headers={"Authorization": f"Bearer {key}"}
    )


CHANNELS = {"web": _web, "api": _api}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("uploaded", "data", "downloaded", "content_type"),
    [
        ("x.bat", PDF, "x.pdf", "application/pdf"),
        ("ảnh hiện trường.exe", PNG, "ảnh hiện trường.png", "image/png"),
        ("scan.html", JPEG, "scan.jpg", "image/jpeg"),
        ("Biên bản.pdf.js", zipped("word/document.xml"), "Biên bản.pdf.docx", DOCX),
        ("số liệu", zipped("xl/workbook.xml"), "số liệu.xlsx", XLSX),
        ("Báo cáo quý IV.pdf", PDF, "Báo cáo quý IV.pdf", "application/pdf"),
    ],
    ids=["pdf-as-bat", "png-as-exe", "jpeg-as-html", "docx-as-js", "xlsx-unnamed", "pdf-as-pdf"],
)
def test_evidence_downloads_under_the_extension_of_its_detected_type(
    channel: str,
    uploaded: str,
    data: bytes,
    downloaded: str,
    content_type: str,
    client_for: ClientFor,
    reporter: User,
    leader: User,
    justice_report: Report,
    small_plan: SmallPlan,
    media: None,
) -> None:
    evidence = _upload(justice_report, small_plan, reporter, uploaded, data)
    response = CHANNELS[channel](client_for, leader, evidence)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    if downloaded.isascii():
        assert disposition == f'attachment; filename="{downloaded}"'
    else:
        encoded = disposition.split("filename*=utf-8''", 1)[1]
        assert unquote(encoded) == downloaded


def test_a_vietnamese_name_has_an_ascii_fallback_and_the_full_name_in_filename_star() -> None:
    assert content_disposition("Đánh giá quý II.pdf") == (
        'attachment; filename="Danh gia quy II.pdf"; '
        "filename*=utf-8''%C4%90%C3%A1nh%20gi%C3%A1%20qu%C3%BD%20II.pdf"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('bao "cao"\r\nSet-Cookie: x.pdf', "bao _cao_Set-Cookie_ x.pdf"),
        ("..\\..\\windows\\system32.bat", "system32.pdf"),
        ("chuông\x07.pdf", "chuông.pdf"),
        (".pdf", "pdf.pdf"),
        ("...", "evidence.pdf"),
    ],
    ids=["header-injection", "path", "control-character", "only-an-extension", "only-dots"],
)
def test_a_hostile_upload_name_cannot_reach_the_header_or_a_path(
    name: str,
    expected: str,
    reporter: User,
    justice_report: Report,
    small_plan: SmallPlan,
    media: None,
) -> None:
    evidence = _upload(justice_report, small_plan, reporter, "x.pdf", PDF)
    evidence.name = name  # as an older version may have stored it
    assert download_name(evidence) == expected
    header = content_disposition(download_name(evidence))
    assert "\r" not in header and "\n" not in header and header.count('"') == 2


def test_every_kind_judged_at_upload_has_its_download_extension() -> None:
    kinds = [actions.sniff(d[:16], d) for d in (PDF, PNG, JPEG, zipped("word/document.xml"))]
    kinds.append(actions.sniff(b"PK\x03\x04", zipped("xl/workbook.xml")))
    assert {kind for kind in kinds if kind} == set(EXTENSIONS.items())
