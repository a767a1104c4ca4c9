"""Import problems read in Vietnamese by default."""

from __future__ import annotations

from datetime import date

from django.utils import translation

from parindex.surveys.flat import Problem
from parindex.surveys.messages import describe_problem
from parindex.surveys.models import Factor


def test_import_problems_are_worded_in_vietnamese() -> None:
    with translation.override("vi"):
        assert describe_problem(Problem(4, "unknown_agency", {"agency": "so-y-te"})) == (
            "Dòng 4: không có cơ quan nào của tỉnh mang mã “so-y-te”."
        )
        assert describe_problem(
            Problem(
                6,
                "date_outside",
                {"value": "2021-01-01", "from": date(2020, 1, 1), "to": date(2020, 12, 31)},
            )
        ) == (
            "Dòng 6: submitted_at 2021-01-01 nằm ngoài thời gian khảo sát "
            "(từ 01/01/2020 đến 31/12/2020)."
        )
        assert str(Factor.STAFF.label) == "Công chức trực tiếp giải quyết công việc"
