"""Plans as PDF files with a text layer, read through pypdf; damaged PDFs warn, never crash.

The PDFs are written by hand here (one page, Helvetica, a content stream of text lines), so the
test needs no PDF writer. The text is typed without accents, the way such files often come.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
import pytest

from parindex.plans.parsing import parse_document

PLAN_LINES = [
    "UY BAN NHAN DAN",
    "TINH LAO CAI",
    "So: 12/KH-UBND",
    "Lao Cai, ngay 10 thang 3 nam 2021",
    "KE HOACH",
    "Cai cach hanh chinh nam 2021",
    "I. MUC TIEU",
    "Phan dau Chi so CCHC cua tinh nam 2021 dat tu 85 diem tro len.",
    "II. NHIEM VU",
    '1. Chi so noi dung "Cai cach thu tuc hanh chinh"',
    "- Dat tu 95% tro len ho so giai quyet dung han.",
    "- Cong khai 100% TTHC.",
    "Co quan chu tri: Van phong UBND tinh.",
    "III. TO CHUC THUC HIEN",
    "So Noi vu dinh ky hang quy, 6 thang, nam bao cao UBND tinh.",
]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def one_page_pdf(lines: list[str]) -> bytes:
    """A minimal valid PDF: one page showing `lines` (ASCII) in Helvetica 12, one under another."""
    operators = ["BT", "/F1 12 Tf", "72 720 Td"]
    for index, line in enumerate(lines):
        if index:
            operators.append("0 -16 Td")
        operators.append(f"({_escape(line)}) Tj")
    operators.append("ET")
    stream = "\n".join(operators).encode("ascii") if lines else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
        b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n" % (len(objects) + 1)
    pdf += b"0000000000 65535 f \n"
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    pdf += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(pdf)


def test_the_hand_written_pdf_is_valid_with_its_text_layer() -> None:
    reader = pypdf.PdfReader(io.BytesIO(one_page_pdf(PLAN_LINES)), strict=True)
    assert len(reader.pages) == 1
    assert reader.pages[0].extract_text().splitlines() == PLAN_LINES


def test_a_plan_in_a_pdf_is_read_from_its_text_layer() -> None:
    proposal = parse_document(one_page_pdf(PLAN_LINES), "plan.pdf")
    assert (proposal.number, proposal.year, proposal.title) == (
        "12/KH-UBND",
        2021,
        "Cai cach hanh chinh nam 2021",
    )
    assert proposal.date is not None and proposal.date.isoformat() == "2021-03-10"
    assert proposal.source_text.splitlines()[2] == "So: 12/KH-UBND"
    (area,) = proposal.areas
    assert (area.title, area.lead) == ("Cai cach thu tuc hanh chinh", ["Van phong UBND tinh"])
    on_time, public = area.targets
    assert on_time.text == "Dat tu 95% tro len ho so giai quyet dung han."
    assert [(q.comparator, q.value, q.unit) for q in on_time.quantities] == [
        (">=", Decimal(95), "percent")
    ]
    assert [(q.comparator, q.value, q.unit) for q in public.quantities] == [
        ("=", Decimal(100), "percent")
    ]
    # Line numbers refer to the text read from the PDF.
    assert proposal.source_text.splitlines()[on_time.line - 1] == PLAN_LINES[10]
    assert [(g.quantity.comparator, g.quantity.value) for g in proposal.goals] == [
        (">=", Decimal(85))
    ]
    assert [w.kind for w in proposal.warnings] == ["missing"]  # no signer on this page


def test_the_pdf_is_recognised_by_its_first_bytes_without_an_extension() -> None:
    assert parse_document(one_page_pdf(PLAN_LINES), "download").number == "12/KH-UBND"


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4 this is not really a pdf", b"\x00\x01\x02 garbage", b"", one_page_pdf(PLAN_LINES)[:300]],
    ids=["a PDF header and garbage", "garbage", "empty", "a truncated PDF"],
)  # fmt: skip
def test_a_damaged_pdf_gives_a_warning_not_a_crash(data: bytes) -> None:
    proposal = parse_document(data, "ke-hoach.pdf")
    assert proposal.is_empty and not proposal.targets()
    first = proposal.warnings[0]
    assert (first.kind, first.param("format")) == ("unreadable_file", "PDF")
    assert first.param("detail")
    assert "not_a_plan" in [w.kind for w in proposal.warnings]


def test_a_pdf_without_text_a_scan_asks_for_a_text_layer() -> None:
    proposal = parse_document(one_page_pdf([]), "scan.pdf")
    assert proposal.is_empty
    assert next((w.kind, w.param("detail")) for w in proposal.warnings) == (
        "pdf_needs_text_layer",
        "the PDF has no text layer (a scan)",
    )
