"""Matching a plan's words to agencies and criteria (the pure core, no database)."""

from __future__ import annotations

import pytest

from parindex.plans.matching import Candidate, best_match, propose_nodes, resolve_agency

PPC, NV, TP, VP, TTTT, KHCN, KHDT, LDTBXH, CITY, BAT_XAT, COC_LEU, ETHNIC = range(1, 13)

# The cast province as the matcher sees it: ids, names as the province registers them.
AGENCIES = [
    Candidate(PPC, "UBND tỉnh Lào Cai", "UBND tỉnh", "ppc"),
    Candidate(NV, "Sở Nội vụ", "SNV", "department"),
    Candidate(TP, "Sở Tư pháp", "", "department"),
    Candidate(VP, "Văn phòng UBND tỉnh", "VP UBND", "department"),
    Candidate(TTTT, "Sở Thông tin và Truyền thông", "", "department"),
    Candidate(KHCN, "Sở Khoa học và Công nghệ", "Sở KH&CN", "department"),
    Candidate(KHDT, "Sở Kế hoạch và Đầu tư", "", "department"),
    Candidate(LDTBXH, "Sở Lao động - Thương binh và Xã hội", "", "department"),
    Candidate(CITY, "UBND thành phố Lào Cai", "TP Lào Cai", "district"),
    Candidate(BAT_XAT, "UBND huyện Bát Xát", "", "district"),
    Candidate(COC_LEU, "UBND phường Cốc Lếu", "", "commune"),
    Candidate(ETHNIC, "Ban Dân tộc", "", "other"),
]
DEPARTMENTS = (NV, TP, VP, TTTT, KHCN, KHDT, LDTBXH)


@pytest.mark.parametrize(
    ("written", "agency"),
    [
        ("Sở Nội vụ", NV),
        ("SỞ NỘI VỤ", NV),
        ("So Noi vu", NV),
        ("Sở TT&TT", TTTT),
        ("Sở KH&ĐT", KHDT),
        ("Sở KHCN", KHCN),
        ("Sở KH&CN", KHCN),
        ("Sở LĐ-TB&XH", LDTBXH),
        ("VP UBND tỉnh", VP),
        ("Văn phòng UBND tỉnh", VP),
        ("UBND tỉnh", PPC),
        ("Ủy ban nhân dân tỉnh", PPC),
        ("UBND TP Lào Cai", CITY),
    ],
)  # fmt: skip
def test_an_agency_name_resolves_to_one_agency_whatever_the_abbreviation_or_accents(
    written: str, agency: int
) -> None:
    match = resolve_agency(written, AGENCIES)
    assert (match.ids, match.group, match.resolved, match.text) == ((agency,), "", True, written)


@pytest.mark.parametrize(
    ("written", "group", "ids"),
    [
        ("Các sở, ban, ngành", "department", DEPARTMENTS),
        ("Các cơ quan chuyên môn, ban, ngành", "department", DEPARTMENTS),
        ("UBND cấp huyện", "district", (CITY, BAT_XAT)),
        ("UBND các huyện, thị xã, thành phố", "district", (CITY, BAT_XAT)),
        ("UBND cấp xã", "commune", (COC_LEU,)),
        ("các cơ quan, đơn vị", "all", tuple(a.id for a in AGENCIES)),
    ],
)  # fmt: skip
def test_a_group_phrase_expands_to_every_agency_of_its_kind(
    written: str, group: str, ids: tuple[int, ...]
) -> None:
    match = resolve_agency(written, AGENCIES)
    assert (match.group, sorted(match.ids)) == (group, sorted(ids))


def test_the_departments_group_leaves_out_the_peoples_committee_and_the_districts() -> None:
    ids = set(resolve_agency("Các sở, ban, ngành", AGENCIES).ids)
    assert ids.isdisjoint({PPC, CITY, BAT_XAT, COC_LEU, ETHNIC})


@pytest.mark.parametrize(
    "written",
    ["Sở Tài chính", "Sở Y tế", "Bưu điện tỉnh", "Công an tỉnh", ""],
    ids=["a department the province lacks", "another one", "a post office", "the police", "empty"],
)
def test_a_name_of_no_agency_of_the_province_stays_unresolved(written: str) -> None:
    match = resolve_agency(written, AGENCIES)
    assert (match.ids, match.group, match.resolved) == ((), "", False)


def test_a_group_of_a_kind_the_province_has_none_of_resolves_to_nothing() -> None:
    no_communes = [a for a in AGENCIES if a.kind != "commune"]
    match = resolve_agency("UBND cấp xã", no_communes)
    assert (match.group, match.ids, match.resolved) == ("commune", (), False)


# The eight domains of the provincial PAR INDEX (Quyết định 2948/QĐ-BNV), as a tree names them.
DOMAINS = [
    (1, "Công tác chỉ đạo, điều hành cải cách hành chính"),
    (2, "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật tại tỉnh"),
    (3, "Cải cách thủ tục hành chính"),
    (4, "Cải cách tổ chức bộ máy hành chính nhà nước"),
    (5, "Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức"),
    (6, "Cải cách tài chính công"),
    (7, "Hiện đại hóa hành chính"),
    (8, "Tác động của cải cách hành chính đến người dân, tổ chức và phát triển kinh tế - xã hội của tỉnh"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("title", "domain"),
    [
        ("Công tác chỉ đạo, điều hành CCHC", 1),
        ("Cong tac chi dao, dieu hanh CCHC", 1),
        ("Xây dựng và tổ chức thực hiện văn bản QPPL tại tỉnh", 2),
        ("Cải cách TTHC", 3),
        ("Cải cách tổ chức bộ máy hành chính", 4),
        ("Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức", 5),
        ("Cải cách tài chính công", 6),
        ("Hiện đại hóa hành chính", 7),
        ("Tác động của CCHC đến người dân, tổ chức và phát triển KT-XH của tỉnh", 8),
    ],
)  # fmt: skip
def test_an_area_title_finds_its_domain_through_the_abbreviations(title: str, domain: int) -> None:
    found, score = best_match(title, DOMAINS)
    assert found == domain
    assert 0.3 <= score <= 1


def test_the_abbreviated_title_of_domain_2_matches_its_full_name_exactly() -> None:
    assert best_match("Xây dựng và tổ chức thực hiện văn bản QPPL tại tỉnh", DOMAINS) == (2, 1.0)


@pytest.mark.parametrize(
    "title", ["Thi đua, khen thưởng", "", "Kế hoạch"], ids=["unrelated", "empty", "too vague"]
)
def test_a_title_like_no_domain_finds_none(title: str) -> None:
    found, score = best_match(title, DOMAINS)
    assert found is None and score < 0.3


def test_the_threshold_decides_whether_a_weak_likeness_counts() -> None:
    # "Cải cách tổ chức bộ máy hành chính" shares 8 of domain 4's 10 keywords.
    assert best_match("Cải cách tổ chức bộ máy hành chính", DOMAINS, threshold=0.9) == (None, 0.8)
    assert best_match("Cải cách tổ chức bộ máy hành chính", DOMAINS, threshold=0.8) == (4, 0.8)


# Sub-criteria of domain 7 ("Hiện đại hóa hành chính") of the illustrative tree.
LEAVES = [
    (711, "Mức độ hoàn thành Kế hoạch ứng dụng CNTT năm"),
    (712, "Tỷ lệ văn bản trao đổi giữa các cơ quan hành chính nhà nước dưới dạng điện tử"),
    (713, "Tỷ lệ sở, ngành, huyện, xã được kết nối Hệ thống thông tin một cửa điện tử của tỉnh"),
    (721, "Tỷ lệ TTHC cung cấp trực tuyến mức độ 3, 4 có phát sinh hồ sơ trong năm"),
    (722, "Tỷ lệ hồ sơ giải quyết trực tuyến trên tổng số hồ sơ giải quyết TTHC"),
    (723, "Tỷ lệ dịch vụ công trực tuyến mức độ 3, 4 tích hợp với Cổng Dịch vụ công quốc gia"),
    (731, "Tỷ lệ TTHC đã triển khai có phát sinh hồ sơ tiếp nhận hoặc trả kết quả qua dịch vụ bưu chính công ích"),
    (732, "Tỷ lệ hồ sơ TTHC được tiếp nhận qua dịch vụ bưu chính công ích"),
    (741, "Tỷ lệ cơ quan chuyên môn cấp tỉnh, đơn vị hành chính cấp huyện, cấp xã công bố ISO 9001:2015"),
    (742, "Duy trì, cải tiến Hệ thống quản lý chất lượng ISO 9001:2015 theo quy định"),
]  # fmt: skip

ONLINE = (
    "Tối thiểu 30% dịch vụ công trực tuyến thực hiện ở mức độ 4; tỷ lệ hồ sơ giải quyết trực "
    "tuyến trên tổng số hồ sơ giải quyết thủ tục hành chính đạt từ 20% trở lên; tích hợp 30% các "
    "dịch vụ công trực tuyến mức độ 3, 4 của các bộ, ngành, địa phương với Cổng Dịch vụ công "
    "quốc gia."
)


@pytest.mark.parametrize(
    ("target", "proposed"),
    [
        ("Hoàn thành 100% Kế hoạch ứng dụng CNTT.", [711]),
        (
            "Tỷ lệ văn bản trao đổi giữa các cơ quan hành chính nhà nước dưới dạng điện tử đạt "
            "từ 90% trở lên.",
            [712],
        ),
        # BCCI is "bưu chính công ích": the exact sub-criterion first, then the nearest ones.
        ("Tỷ lệ hồ sơ TTHC được tiếp nhận qua dịch vụ BCCI đạt từ 10% trở lên", [732, 731, 722]),
        (ONLINE, [722, 723, 721]),
        ("Tổ chức hội nghị tập huấn nghiệp vụ", []),
        ("", []),
    ],
    ids=["plan of IT use", "electronic documents", "postal service", "online services", "none", "empty"],
)  # fmt: skip
def test_a_target_proposes_the_sub_criteria_whose_words_it_contains_best_first(
    target: str, proposed: list[int]
) -> None:
    found = propose_nodes(target, LEAVES)
    assert [node for node, _score in found] == proposed
    scores = [score for _node, score in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0.5 <= score <= 1 for score in scores)


def test_proposals_are_limited_in_number_and_by_likeness() -> None:
    assert [node for node, _s in propose_nodes(ONLINE, LEAVES, limit=1)] == [722]
    assert [node for node, _s in propose_nodes(ONLINE, LEAVES, threshold=0.9)] == [722, 723]
    assert propose_nodes(ONLINE, []) == []
