"""A 2020 survey of Lào Cai on the shipped questionnaire, and a writer of flat response files."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation
from openpyxl import Workbook

from parindex.orgs.models import User
from parindex.surveys import actions
from parindex.surveys.models import Survey
from tests.conftest import LaoCai


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English; test_wording checks the Vietnamese."""
    with translation.override("en"):
        yield


@pytest.fixture
def survey(lao_cai: LaoCai, coordinator: User) -> Survey:
    return actions.create_survey(
        by=coordinator,
        code="sipas-2020",
        questionnaire=actions.load_default_questionnaire(),
        province=lao_cai.province,
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 12, 31),
    )


@pytest.fixture
def open_survey(lao_cai: LaoCai, coordinator: User) -> Survey:
    """A survey running today, from a month ago to a month ahead."""
    today = timezone.localdate()
    return actions.create_survey(
        by=coordinator,
        code="sipas-now",
        questionnaire=actions.load_default_questionnaire(),
        province=lao_cai.province,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
    )


def csv_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode()


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
