"""Free-text answers per agency, grouped by the keywords they share."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from parindex.orgs.models import User
from parindex.surveys import actions, words
from parindex.surveys.indices import free_text
from parindex.surveys.models import Survey
from tests.surveys.conftest import csv_bytes


def test_answers_sharing_a_two_syllable_keyword_are_grouped_marks_or_not() -> None:
    groups = words.group(
        [
            "Thái độ công chức chưa tốt",
            "Cần cải thiện thái độ phục vụ",
            "Thời gian chờ quá lâu",
            "Thoi gian tra ket qua cham",
            "Cảm ơn",
            "Thủ tục rườm rà",
        ]
    )
    assert [(g.keyword, g.count) for g in groups] == [("thái độ", 2), ("thời gian", 2), ("", 2)]
    assert groups[1].answers == ("Thời gian chờ quá lâu", "Thoi gian tra ket qua cham")
    assert groups[2].answers == ("Cảm ơn", "Thủ tục rườm rà")


@pytest.mark.parametrize(
    ("texts", "keywords"),
    [
        # A pair with a function word ("của", "rất") is no keyword.
        (["rất tốt", "rất tốt"], [("", 2)]),
        # Each answer goes to its most frequent keyword only.
        (
            ["hồ sơ trả chậm", "hồ sơ trả chậm", "hồ sơ đầy đủ"],
            [("hồ sơ", 3)],
        ),
        ([], []),
        (["   "], []),
    ],
)
def test_keywords_leave_out_function_words_and_each_answer_is_in_one_group(
    texts: list[str], keywords: list[tuple[str, int]]
) -> None:
    assert [(g.keyword, g.count) for g in words.group(texts)] == keywords


def test_each_agency_reads_its_own_comments_and_the_coordinator_all(
    survey: Survey, reporter: User, coordinator: User
) -> None:
    actions.import_responses(
        csv_bytes(
            [
                ("agency", "submitted_at", "suggestion"),
                ("so-tu-phap", "2020-02-01", "Thái độ công chức chưa tốt"),
                ("so-tu-phap", "2020-05-01", "Cần cải thiện thái độ"),
                ("so-noi-vu", "2020-05-02", "Ghế chờ ít quá"),
            ]
        ),
        "r.csv",
        survey=survey,
        by=None,
    )
    own = free_text(reporter, survey)
    assert list(own) == ["so-tu-phap"]
    assert [(g.keyword, g.count) for g in own["so-tu-phap"]] == [("thái độ", 2)]
    assert list(free_text(coordinator, survey)) == ["so-noi-vu", "so-tu-phap"]
    out = io.StringIO()
    call_command(
        "survey", "comments", "--survey", "sipas-2020", "--json", "--period", "2020Q2", stdout=out
    )
    assert json.loads(out.getvalue()) == {
        "so-noi-vu": [{"keyword": "", "count": 1, "answers": ["Ghế chờ ít quá"]}],
        "so-tu-phap": [{"keyword": "", "count": 1, "answers": ["Cần cải thiện thái độ"]}],
    }
