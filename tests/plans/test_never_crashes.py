"""Whatever it is given, the parser returns a proposal and warnings with line numbers; it never raises."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parindex.plans.parsing import parse_document, parse_text
from parindex.plans.proposal import Proposal

SEED_LINES = (
    (Path(__file__).parent / "data" / "ke-hoach-165-KH-UBND-lao-cai-2020.txt")
    .read_text(encoding="utf-8")
    .splitlines()
)

# Pieces of plans: real lines, markers, separators, numbers in every notation the parser reads.
PIECES = [
    "I. ", "II. NHIỆM VỤ", "A. ", "1. ", "1.1. ", "a) ", "đ) ", "(1) ", "(2) ", "- ", "+ ",
    "Cơ quan chủ trì:", "Cơ quan phối hợp:", " | ", "STT | Nhiệm vụ | Cơ quan chủ trì |",
    "PHỤ LỤC", "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "KẾ HOẠCH", "Số: 1/KH-UBND",
    "ngày 31 tháng 2 năm 2020", "từ ", "trở lên", "%", "điểm", "xếp thứ 1/0", "tốp ",
    "so với năm 0000", "không có ", "định kỳ hàng quý", "“", "”", "(", ")", ":", ";",
    "\n", "\n\n", "\u00a0", "\u0301", "\r", "99999999999999999999", "0,0", "1.234,5",
]  # fmt: skip
PLAN_BITS = st.one_of(st.sampled_from(SEED_LINES), st.sampled_from(PIECES), st.text(max_size=20))


def _check(proposal: Proposal) -> None:
    assert isinstance(proposal, Proposal)
    data = json.loads(json.dumps(proposal.to_json()))
    assert isinstance(data["areas"], list)
    for w in proposal.warnings:
        assert isinstance(w.line, int) and w.line >= 1
        assert w.kind != "internal_error", w.params
    for area in proposal.areas:
        for target in area.targets:
            assert target.line >= 1
            for q in target.quantities:
                assert q.comparator in (">=", "<=", "=", ">", "<", "between")
                assert q.unit in ("percent", "count", "points", "rank", "amount")
                assert (q.value_high is not None) == (q.comparator == "between")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text(text: str) -> None:
    _check(parse_text(text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PLAN_BITS, max_size=60).map("".join))
def test_any_mix_of_plan_pieces(text: str) -> None:
    _check(parse_text(text))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(SEED_LINES), max_size=120).map("\n".join))
def test_any_order_of_the_seed_lines(text: str) -> None:
    _check(parse_text(text))


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=2000),
    st.sampled_from(["plan.docx", "plan.html", "plan.txt", "plan.pdf", "plan", "plan.doc", ""]),
)
def test_any_bytes_as_any_file(data: bytes, name: str) -> None:
    _check(parse_document(data, name))


@settings(max_examples=100, deadline=None)
@given(
    st.binary(max_size=500), st.sampled_from([b"PK\x03\x04", b"%PDF-1.7", b"<html>", b"\xff\xfe"])
)
def test_bytes_that_start_like_a_known_format(tail: bytes, head: bytes) -> None:
    _check(parse_document(head + tail, "download"))


XML_SAFE = st.characters(blacklist_categories=("Cs", "Cc"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(PLAN_BITS.filter(lambda s: "\r" not in s), st.text(XML_SAFE, max_size=30)),
        max_size=30,
    )
)
def test_any_word_document(paragraphs: list[str]) -> None:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph("".join(ch for ch in text if ch.isprintable() or ch == "\n"))
    if paragraphs:
        table = document.add_table(rows=2, cols=3)
        table.cell(0, 0).text = "Nhiệm vụ"
        table.cell(0, 1).text = "Cơ quan chủ trì"
        table.cell(1, 0).merge(table.cell(1, 2))
    out = io.BytesIO()
    document.save(out)
    _check(parse_document(out.getvalue(), "plan.docx"))


HTML_BITS = st.sampled_from(
    ["<p>", "</p>", "<br>", "<table>", "<tr>", "<td>", "</td>", "</table>", "<li>", "<ul>",
     "<script>", "&nbsp;", "&#0;", "<!--", "<meta charset='cp1258'>"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(PLAN_BITS, HTML_BITS), max_size=40).map("".join))
def test_any_web_page(html: str) -> None:
    _check(parse_document(html.encode("utf-8"), "plan.html"))


PATHOLOGICAL = {
    "nested parentheses": "- Cơ quan chủ trì: Sở " + "(" * 20000 + "x" + ")" * 20000,
    "one long clause of numbers": "- " + " ".join(f"từ {i}% trở lên" for i in range(3000)),
    "many reports": "III. TỔ CHỨC THỰC HIỆN\nSở Nội vụ định kỳ hàng quý " + "báo cáo " * 20000,
    "many parts of a score": "đạt 80 điểm, gồm: " + "; ".join(f"(a: {i} điểm" for i in range(5000)),
    "a run of fillers": "- " + "đạt " * 20000 + "x 5%",
    "many ranks": " ".join("xếp thứ 1/63" for _ in range(5000)),
    "many zeros": "- " + " ".join("không có gì" for _ in range(5000)),
}


@pytest.mark.parametrize("body", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_input_is_read_in_linear_time(body: str) -> None:
    """Each of these took tens of seconds before the scans were bounded (now well under one)."""
    text = 'KẾ HOẠCH\nThử năm 2020\n\nII. NHIỆM VỤ\n1. Chỉ số nội dung "A"\n' + body
    started = time.perf_counter()
    _check(parse_text(text))
    assert time.perf_counter() - started < 5
