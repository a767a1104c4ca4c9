"""Vietnamese administrative documents (văn bản hành chính) laid out per Nghị định 30/2020/NĐ-CP.

The decree's Appendix I fixes the layout this module writes:

- A4 paper; margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm (the decree allows
  20–25 / 20–25 / 30–35 / 15–20); Times New Roman; body 14 pt (13–14), justified, first line
  indented 1,27 cm, at least 6 pt between paragraphs, line spacing between single and 1,5 lines;
  page numbers centred in the header from the second page.
- The header as a borderless two-column table: on the left the governing body in capitals
  (12–13 pt), the issuing body in bold capitals with a short rule below, and "Số: .../BC-..."
  under it; on the right the national motto "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (bold 12 pt)
  over "Độc lập - Tự do - Hạnh phúc" (bold 13 pt, with a rule as long as the line below it), and
  the place and date in italics.
- The kind of document ("BÁO CÁO") in bold capitals, centred, with its subject (trích yếu) in
  bold under it and a short rule.
- At the end, "Nơi nhận:" (bold italic 12 pt, recipients in 11 pt) on the left and the
  signer's authority and name in bold on the right.

The text is Vietnamese whatever the interface language: such a document is written in Vietnamese.
Every run of text is written through `exports.cells.docx_text` (NFC, no characters XML forbids).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from parindex.exports import cells
from parindex.orgs.models import Organisation, OrgKind

FONT = "Times New Roman"
BODY_PT = 14
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]
# The header and signature tables: the left column holds the issuer and the recipients.
LEFT_MM = 68
RIGHT_MM = TEXT_WIDTH_MM - LEFT_MM
CELL_PADDING_MM = 1.9  # Word's default left and right cell margins

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
PLACEHOLDER_NAME = "……………………………"

_COMMITTEE = re.compile(r"^\s*(?:UBND|[UỦ]Y BAN NHÂN DÂN|Uỷ ban nhân dân|Ủy ban nhân dân)\s+", re.I)
_LOCALITY = re.compile(
    r"^\s*(?:tỉnh|thành phố|thị xã|quận|huyện|phường|xã|thị trấn|đặc khu)\s+", re.IGNORECASE
)


# --- names, places and dates the way documents write them ---------------------------------------


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def upper(text: str) -> str:
    return nfc(text).upper()


def province_unit(province: Organisation) -> str:
    """The province as a unit in running text: "Tỉnh Lào Cai" → "tỉnh Lào Cai"; a bare
    "Lào Cai" is taken to be a province."""
    name = nfc(province.name).strip()
    if _LOCALITY.match(name):
        first, rest = name.split(" ", 1)
        if first.lower() == "thành":  # "Thành phố Hà Nội"
            second, rest = rest.split(" ", 1)
            return f"thành {second.lower()} {rest}"
        return f"{first.lower()} {rest}"
    return f"tỉnh {name}"


def committee_short(province: Organisation) -> str:
    """The province's People's Committee as a governing-body line: "UBND TỈNH LÀO CAI"."""
    return upper(f"UBND {province_unit(province)}")


def place_name(name: str) -> str:
    """The place of issue: the locality without its kind ("Tỉnh Lào Cai" → "Lào Cai")."""
    name = _COMMITTEE.sub("", nfc(name).strip())
    return _LOCALITY.sub("", name).strip()


def date_words(day: date) -> str:
    """The date in words, "ngày 11 tháng 6 năm 2020"; days below 10 and months 1 and 2 take a
    leading zero ("ngày 05 tháng 02 năm 2021"), as the decree requires."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def abbreviation(organisation: Organisation) -> str:
    """The issuer's letters in a document symbol: "BC-STP" for Sở Tư pháp, "BC-UBND" for a
    People's Committee."""
    if organisation.kind in (OrgKind.PPC, OrgKind.DISTRICT, OrgKind.COMMUNE):
        return "UBND"
    short = nfc(organisation.short_name).strip()
    if short and re.fullmatch(r"[A-ZĐ0-9&]{2,12}", short):
        return short
    letters = []
    for word in nfc(organisation.name).split():
        if word.lower() in {"và", "tỉnh", "thành", "phố"}:
            continue
        letters.append(word if word.isupper() else word[0].upper())
    return "".join(letters)[:12] or "CQ"


@dataclass
class Issuer:
    """Who issues the document: the header lines on the left, the symbol, the place, the signer."""

    lines: list[tuple[str, bool]]  # (text, bold); the rule goes under the last line
    abbreviation: str
    place: str
    signer_lines: list[str]  # e.g. ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"] or ["GIÁM ĐỐC"]


def issuer_for(agency: Organisation) -> Issuer:
    """A department under the province's People's Committee, or a People's Committee itself
    (which, by the decree, names no governing body above it)."""
    province = agency.province or agency
    if agency.kind in (OrgKind.PPC, OrgKind.DISTRICT, OrgKind.COMMUNE):
        unit = _COMMITTEE.sub("", nfc(agency.name).strip())
        if agency.kind == OrgKind.PPC and not _LOCALITY.match(unit):
            unit = province_unit(province)
        return Issuer(
            [("ỦY BAN NHÂN DÂN", True), (upper(unit), True)],
            "UBND",
            place_name(unit) or place_name(province.name),
            ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
        )
    return Issuer(
        [(committee_short(province), False), (upper(agency.name), True)],
        abbreviation(agency),
        place_name(province.name),
        [head_title(agency)],
    )


def head_title(agency: Organisation) -> str:
    name = nfc(agency.name).lower()
    for prefix, title in (
        ("văn phòng", "CHÁNH VĂN PHÒNG"),
        ("thanh tra", "CHÁNH THANH TRA"),
        ("ban ", "TRƯỞNG BAN"),
        ("sở ", "GIÁM ĐỐC"),
    ):
        if name.startswith(prefix):
            return title
    return "THỦ TRƯỞNG CƠ QUAN"


# --- the document ---------------------------------------------------------------------------------


@dataclass
class AdministrativeDocument:
    """Build a report: the header is written at once, then body paragraphs, then `closing`;
    `to_bytes` gives the DOCX."""

    issuer: Issuer
    day: date
    kind: str = "BÁO CÁO"
    subject: Sequence[str] = ()
    recipients: Sequence[str] = ()
    doc: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.doc = Document()
        self._page()
        self._styles()
        self._header()

    def _page(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width = Mm(PAGE_WIDTH_MM)
        section.page_height = Mm(PAGE_HEIGHT_MM)
        section.top_margin = Mm(MARGINS_MM["top"])
        section.bottom_margin = Mm(MARGINS_MM["bottom"])
        section.left_margin = Mm(MARGINS_MM["left"])
        section.right_margin = Mm(MARGINS_MM["right"])
        section.header_distance = Mm(10)
        section.footer_distance = Mm(10)
        # Page numbers from the second page on, centred in the header.
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _page_number(paragraph, size=13)

    def _styles(self) -> None:
        for name in ("Normal", "Header", "Footer"):
            style = self.doc.styles[name]
            style.font.name = FONT
            fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
            for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(attribute), FONT)
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(BODY_PT)
        form = normal.paragraph_format
        form.space_before = Pt(0)
        form.space_after = Pt(6)
        form.line_spacing = 1.15

    def _header(self) -> None:
        table = _layout_table(self.doc, rows=2)
        left, right = table.rows[0].cells
        for index, (text, bold) in enumerate(self.issuer.lines):
            paragraph = left.paragraphs[0] if index == 0 else left.add_paragraph()
            _line(paragraph, text, size=13, bold=bold)
        _rule(left.add_paragraph(), length_mm=22, width_mm=LEFT_MM - 2 * CELL_PADDING_MM)
        _line(right.paragraphs[0], MOTTO, size=12, bold=True)
        _line(right.add_paragraph(), MOTTO_2, size=13, bold=True)
        _rule(right.add_paragraph(), length_mm=62, width_mm=RIGHT_MM - 2 * CELL_PADDING_MM)
        number, place = table.rows[1].cells
        # The number is given when the document is registered (by the văn thư): left blank.
        _line(number.paragraphs[0], f"Số:      /BC-{self.issuer.abbreviation}", size=13)
        _line(place.paragraphs[0], f"{self.issuer.place}, {date_words(self.day)}", italic=True)
        for cell in (number, place):
            cell.paragraphs[0].paragraph_format.space_before = Pt(6)
        kind = self.doc.add_paragraph()
        kind.paragraph_format.space_before = Pt(18)
        _line(kind, self.kind, size=14, bold=True)
        for text in self.subject:
            _line(self.doc.add_paragraph(), text, size=14, bold=True)
        _rule(self.doc.add_paragraph(), length_mm=45, width_mm=TEXT_WIDTH_MM)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)

    # the body

    def heading(self, text: str) -> None:
        """A section heading ("I. ...", "1. ..."): bold, indented as the body is."""
        paragraph = self._body_paragraph()
        paragraph.add_run(cells.docx_text(text)).bold = True
        paragraph.paragraph_format.keep_with_next = True

    def paragraph(self, text: str = "", *, label: str = "", italic: bool = False) -> None:
        """A body paragraph; `label` is written in bold before the text."""
        paragraph = self._body_paragraph()
        if label:
            paragraph.add_run(cells.docx_text(label)).bold = True
        if text:
            paragraph.add_run(cells.docx_text(text)).italic = italic or None

    def _body_paragraph(self) -> Any:
        paragraph = self.doc.add_paragraph()
        form = paragraph.paragraph_format
        form.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        form.first_line_indent = Cm(1.27)
        form.space_after = Pt(6)
        return paragraph

    def closing(self, signer_name: str = "") -> None:
        """The recipients ("Nơi nhận") on the left, the signer's authority and name on the
        right, on the same page as the last paragraph."""
        if self.doc.paragraphs:
            self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        table = _layout_table(self.doc, rows=1)
        left, right = table.rows[0].cells
        first = left.paragraphs[0]
        first.paragraph_format.space_before = Pt(12)
        first.paragraph_format.space_after = Pt(0)
        run = first.add_run("Nơi nhận:")
        run.bold, run.italic, run.font.size = True, True, Pt(12)
        for recipient in self.recipients:
            paragraph = left.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.line_spacing = 1.0
            paragraph.add_run(cells.docx_text(recipient)).font.size = Pt(11)
        for index, text in enumerate(self.issuer.signer_lines):
            paragraph = right.paragraphs[0] if index == 0 else right.add_paragraph()
            _line(paragraph, text, size=14, bold=True)
        right.paragraphs[0].paragraph_format.space_before = Pt(12)
        for _ in range(4):  # room for the signature and the seal
            _line(right.add_paragraph(), "", size=14)
        _line(right.add_paragraph(), signer_name or PLACEHOLDER_NAME, size=14, bold=True)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


# --- python-docx details --------------------------------------------------------------------------

# What follows w:pBdr in a paragraph's properties, and w:tblBorders in a table's (the schema
# fixes the order; Word refuses a file that breaks it).
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
_AFTER_TBLBORDERS = (
    "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
    "w:tblPrChange",
)  # fmt: skip


def _line(
    paragraph: Any, text: str, *, size: int = BODY_PT, bold: bool = False, italic: bool = False
) -> None:
    """A centred line of the header or of the signature block."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    form = paragraph.paragraph_format
    form.space_after = Pt(0)
    form.line_spacing = 1.0
    run = paragraph.add_run(cells.docx_text(text))
    run.font.size = Pt(size)
    run.bold = bold or None
    run.italic = italic or None


def _rule(paragraph: Any, *, length_mm: float, width_mm: float) -> None:
    """A centred horizontal rule `length_mm` long: an empty paragraph with a bottom border,
    narrowed by equal indents within the `width_mm` it would otherwise span."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.insert_element_before(borders, *_AFTER_PBDR)
    form = paragraph.paragraph_format
    side = Mm(max((width_mm - length_mm) / 2, 0))
    form.left_indent = side
    form.right_indent = side
    form.space_before = Pt(0)
    form.space_after = Pt(0)
    form.line_spacing = Pt(2)
    # The paragraph mark's size sets the height of an empty paragraph: 1 pt.
    mark = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    mark.append(size)
    p_pr.insert_element_before(mark, "w:sectPr", "w:pPrChange")


def _layout_table(document: Any, *, rows: int) -> Any:
    """A borderless two-column table of fixed widths (LEFT_MM, RIGHT_MM)."""
    table = document.add_table(rows=rows, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # a fixed layout: Word keeps the widths given
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.insert_element_before(borders, *_AFTER_TBLBORDERS)
    for row in table.rows:  # a header or a signature block is never split across pages
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for index, width in enumerate((Mm(LEFT_MM), Mm(RIGHT_MM))):
        table.columns[index].width = width
        for cell in table.columns[index].cells:
            cell.width = width
    return table


def _page_number(paragraph: Any, *, size: int) -> None:
    """The PAGE field, filled in by the word processor."""

    def run_with(element: Any) -> None:
        run = paragraph.add_run()
        run.font.size = Pt(size)
        run._r.append(element)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run_with(instruction)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run("1").font.size = Pt(size)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)
