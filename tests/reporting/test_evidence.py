"""Evidence files: their kind is judged by content, not by name, and their size is limited."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import Settings

from parindex.orgs.models import AuditEntry, User
from parindex.reporting import actions
from parindex.reporting.models import Evidence, Item, Round
from tests.conftest import LaoCai
from tests.reporting.conftest import SmallPlan, report_of

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, ("application/pdf", ".pdf")),
        (PNG, ("image/png", ".png")),
        (JPEG, ("image/jpeg", ".jpg")),
        (zipped("[Content_Types].xml", "word/document.xml"), (DOCX, ".docx")),
        (zipped("[Content_Types].xml", "xl/workbook.xml"), (XLSX, ".xlsx")),
        (zipped("notes.txt"), None),  # a zip, but not an office document
        (b"PK\x03\x04 not really a zip", None),
        ("Biên bản kiểm tra".encode(), None),  # plain text
        (b"<html><body>%PDF-</body></html>", None),  # the magic must come first
        (b"", None),
    ],
)
def test_the_kind_of_a_file_is_judged_by_its_content(
    data: bytes, expected: tuple[str, str] | None
) -> None:
    assert actions.sniff(data[:16], data) == expected


def test_a_zip_is_not_opened_without_its_data() -> None:
    assert actions.sniff(zipped("word/document.xml")[:16]) is None


@pytest.fixture
def item(round_: Round, lao_cai: LaoCai, small_plan: SmallPlan) -> Item:
    return Item.objects.get(report=report_of(round_, lao_cai.justice), target=small_plan.on_time)


def evidence_entries() -> int:
    return AuditEntry.objects.filter(action="reporting.evidence.add").count()


def test_a_pdf_is_attached_and_recorded(item: Item, reporter: User) -> None:
    evidence = actions.add_evidence(
        item, by=reporter, upload=SimpleUploadedFile("Báo cáo quý II.pdf", PDF)
    )
    assert (evidence.name, evidence.content_type, evidence.size, evidence.uploaded_by) == (
        "Báo cáo quý II.pdf",
        "application/pdf",
        len(PDF),
        reporter,
    )
    assert evidence.file.name.endswith(".pdf")
    with evidence.file.open("rb") as stored:
        assert stored.read() == PDF
    [entry] = AuditEntry.objects.filter(action="reporting.evidence.add")
    assert entry.actor == reporter and "Báo cáo quý II.pdf" in entry.changes["evidence"][1]


def test_a_text_file_named_pdf_is_refused(item: Item, reporter: User) -> None:
    upload = SimpleUploadedFile("bien-ban.pdf", "Biên bản kiểm tra".encode())
    with pytest.raises(ValidationError) as refusal:
        actions.add_evidence(item, by=reporter, upload=upload)
    assert "bien-ban.pdf" in refusal.value.messages[0]
    assert not Evidence.objects.exists()
    assert evidence_entries() == 0


def test_an_image_named_pdf_is_stored_as_the_image_it_is(item: Item, reporter: User) -> None:
    evidence = actions.add_evidence(
        item, by=reporter, upload=SimpleUploadedFile("anh-hien-truong.pdf", PNG)
    )
    assert evidence.content_type == "image/png"
    assert evidence.file.name.endswith(".png")


def test_a_file_over_the_limit_is_refused(item: Item, reporter: User, settings: Settings) -> None:
    settings.PARINDEX_MAX_EVIDENCE_BYTES = 1_000_000
    large = PDF + b"0" * 1_000_000
    with pytest.raises(ValidationError) as refusal:
        actions.add_evidence(item, by=reporter, upload=SimpleUploadedFile("lon.pdf", large))
    assert "lon.pdf" in refusal.value.messages[0]
    assert not Evidence.objects.exists()
    assert evidence_entries() == 0
    # At the limit it is accepted.
    exact = PDF + b"0" * (1_000_000 - len(PDF))
    actions.add_evidence(item, by=reporter, upload=SimpleUploadedFile("vua.pdf", exact))
    assert Evidence.objects.get().size == 1_000_000


def test_evidence_is_added_only_to_an_editable_report_of_ones_own_agency(
    item: Item, other_reporter: User, coordinator: User
) -> None:
    for person in (other_reporter, coordinator):
        with pytest.raises(PermissionDenied):
            actions.add_evidence(item, by=person, upload=SimpleUploadedFile("a.pdf", PDF))
    assert not Evidence.objects.exists()


def test_removing_evidence_deletes_the_file_and_is_recorded(item: Item, reporter: User) -> None:
    evidence = actions.add_evidence(item, by=reporter, upload=SimpleUploadedFile("a.pdf", PDF))
    storage, name = evidence.file.storage, evidence.file.name
    actions.remove_evidence(evidence, by=reporter)
    assert not Evidence.objects.exists()
    assert not storage.exists(name)
    assert AuditEntry.objects.filter(action="reporting.evidence.remove", actor=reporter).exists()
