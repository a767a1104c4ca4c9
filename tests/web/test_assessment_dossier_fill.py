"""The assessment page's results card computes the rate sub-criteria from the province's
dossier records: the coordinator's alone, a period without dossiers refused in words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.test import Client

from parindex.assessment import actions as assessment_actions
from parindex.assessment.models import Entry
from parindex.dossiers import actions as dossier_actions
from parindex.methodology.models import Framework
from parindex.orgs.models import User
from tests.conftest import LaoCai
from tests.dossiers.support import csv_file
from tests.forecasting.support import Linked, linked

__all__ = ["linked"]


def test_the_coordinator_computes_the_rate_leaves_from_the_assessment_page(
    linked: Linked,
    lao_cai: LaoCai,
    coordinator: User,
    reporter: User,
    client_for: Callable[[User], Client],
    tmp_path: Path,
) -> None:
    Framework.objects.filter(pk=linked.framework.pk).update(first_year=None, last_year=None)
    linked.framework.refresh_from_db()
    y = linked.year
    rows = [
        ("A1", "so-tu-phap", "P1", "2", "4", "false", "DA_GIAI_QUYET", f"{y}-02-01", f"{y}-02-10", f"{y}-02-05"),
        ("A2", "so-tu-phap", "P2", "1", "", "false", "DA_GIAI_QUYET", f"{y}-03-01", f"{y}-03-10", f"{y}-03-12"),
    ]  # fmt: skip
    dossier_actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "hs.csv", rows), by=None)
    assessment = assessment_actions.open_assessment(
        lao_cai.province,
        by=coordinator,
        framework=linked.framework,
        year=y,
        scope="province",
        deadline=date(y + 1, 1, 15),
    )
    url = f"/assessments/{assessment.pk}/survey/"
    coordinating = client_for(coordinator)
    page = coordinating.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "data-dossier-fill" in page and f'value="{y}"' in page

    denied = client_for(reporter).post(url, {"dossiers": "1", "period": str(y)})
    assert denied.status_code in (403, 404)
    refused = coordinating.post(url, {"dossiers": "1", "period": str(y - 1)})
    assert refused.status_code == 200
    assert f"Kho hồ sơ không có hồ sơ nào của kỳ {y - 1}" in refused.content.decode()
    assert not Entry.objects.filter(unit__assessment=assessment).exclude(source="").exists()

    answer = coordinating.post(url, {"dossiers": "1", "period": str(y)})
    assert answer.status_code == 302
    on_time = Entry.objects.get(unit__assessment=assessment, node__code="3.4.1")
    assert (on_time.numerator, on_time.denominator) == (Decimal(1), Decimal(2))
    assert on_time.source == f"tính từ 2 hồ sơ của hệ thống một cửa (01/01–12/03/{y})"
