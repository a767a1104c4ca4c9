"""`parindex plan parse FILE [--json]` and `parindex plan import FILE --province CODE`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from parindex.orgs.models import AuditEntry
from parindex.plans.models import Plan
from parindex.plans.warnings import describe_warning
from tests.conftest import LaoCai
from tests.plans.support import (
    NEWS,
    NOTHING,
    SEED,
    SEED_WORDED,
    SeedAgencies,
    add_seed_agencies,
    illustrative_tree,
    plan_rows,
    seed_proposal,
    small_plan,
)
from tests.web.pages import vi

PARINDEX = Path(sys.executable).parent / "parindex"
PROPOSAL_KEYS = {
    "number", "date", "issuer", "signer", "title", "year", "index", "baseline", "goals", "areas",
    "duties", "warnings",
}  # fmt: skip


def run(*args: str) -> tuple[str, str]:
    """Run a management command in process; (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def seed_agencies(lao_cai: LaoCai) -> SeedAgencies:
    return add_seed_agencies(lao_cai.province)


@pytest.fixture
def news(tmp_path: Path) -> Path:
    path = tmp_path / "tin-tuc.txt"
    path.write_text(NEWS, encoding="utf-8")
    return path


@pytest.fixture
def worded_seed(tmp_path: Path) -> Path:
    """The seed with its one open figure worded to say what is reported."""
    path = tmp_path / SEED.name
    path.write_text(SEED_WORDED, encoding="utf-8")
    return path


# --- parse --------------------------------------------------------------------------------------


def test_plan_parse_json_prints_the_documented_proposal_and_saves_nothing(db: None) -> None:
    out, _err = run("plan", "parse", str(SEED), "--json")
    printed = json.loads(out)
    assert set(printed) == PROPOSAL_KEYS
    assert printed == seed_proposal().to_json()
    assert (printed["number"], printed["date"], printed["year"]) == (
        "165/KH-UBND",
        "2020-06-11",
        2020,
    )
    assert [area["number"] for area in printed["areas"]] == [str(n) for n in range(1, 9)]
    assert plan_rows() == NOTHING


def test_plan_parse_without_json_prints_a_summary_and_the_warnings(db: None) -> None:
    out, err = run("plan", "parse", str(SEED))
    lines = out.splitlines()
    parsed = seed_proposal()
    assert lines[0] == f"165/KH-UBND — {parsed.title} (2020)"
    assert "  1. Công tác chỉ đạo, điều hành CCHC  [Sở Nội vụ]" in lines
    assert "  7. Hiện đại hóa hành chính  [Sở Thông tin và Truyền thông; Sở Khoa học và Công nghệ]" in lines  # fmt: skip
    assert any(line.startswith("    - Kết quả giải quyết TTHC") and "between 95–100 percent" in line
               for line in lines)  # fmt: skip
    assert err.splitlines() == [describe_warning(w.to_json()) for w in parsed.warnings]


def test_plan_parse_needs_no_database(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "parindex.sqlite3"
    result = subprocess.run(
        [str(PARINDEX), "plan", "parse", str(SEED), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "DATABASE_URL": f"sqlite:///{missing}",
            "PARINDEX_VAR_DIR": str(tmp_path / "var"),
            "PYTHONWARNINGS": "ignore",
        },
        check=False,
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert set(printed) == PROPOSAL_KEYS
    assert printed["number"] == "165/KH-UBND"
    assert len(printed["areas"]) == 8
    assert not missing.parent.exists()


def test_plan_parse_of_a_missing_file_is_an_error(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run("plan", "parse", str(tmp_path / "khong-co.txt"))


# --- import -------------------------------------------------------------------------------------


def test_plan_import_creates_the_plan_with_its_targets(
    seed_agencies: SeedAgencies, lao_cai: LaoCai, worded_seed: Path
) -> None:
    illustrative_tree(lao_cai.province)
    out, _err = run("plan", "import", str(worded_seed), "--province", "lao-cai")
    plan = Plan.objects.get()
    assert out.strip() == f"created plan #{plan.pk} 165/KH-UBND (2020): 8 areas, 58 targets"
    assert (plan.province, plan.number, plan.year) == (lao_cai.province, "165/KH-UBND", 2020)
    assert plan.framework is not None and plan.framework.province == lao_cai.province
    assert plan.targets.count() == len(seed_proposal().targets())
    assert plan.source is not None and plan.source.created_by is None
    entries = AuditEntry.objects.filter(action__startswith="plans.").order_by("id")
    assert [(e.action, e.channel, e.actor) for e in entries] == [
        ("plans.import.stage", "cli", None),
        ("plans.plan.approve", "cli", None),
    ]


def test_plan_import_of_a_plan_that_exists_names_it_and_saves_nothing(
    seed_agencies: SeedAgencies, lao_cai: LaoCai, worded_seed: Path
) -> None:
    run("plan", "import", str(worded_seed), "--province", "lao-cai")
    plan = Plan.objects.get()
    with pytest.raises(CommandError) as refused:
        run("plan", "import", str(worded_seed), "--province", "lao-cai")
    said = str(refused.value)
    assert "165/KH-UBND" in said and f"#{plan.pk}" in said and f"/plans/{plan.pk}/" in said
    assert Plan.objects.count() == 1
    assert AuditEntry.objects.filter(action="plans.import.stage").count() == 1


def test_plan_import_refuses_a_plan_whose_wording_leaves_a_figure_open_and_says_which(
    seed_agencies: SeedAgencies, lao_cai: LaoCai
) -> None:
    err = io.StringIO()
    with pytest.raises(CommandError, match="needs review"):
        call_command("plan", "import", str(SEED), "--province", "lao-cai", stderr=err)
    question = vi(
        "%(where)s: say what the reported figure is.",
        where=vi("%(where)s, quantity %(n)s", where=vi("Target %(path)s", path="8.2.2"), n=1),
    )
    assert question in err.getvalue().splitlines()
    assert Plan.objects.count() == 0


def test_plan_import_links_the_areas_to_the_criteria_tree_it_is_given(
    seed_agencies: SeedAgencies, lao_cai: LaoCai, worded_seed: Path
) -> None:
    # The tree is shared (no province): it is used only when named.
    from parindex.methodology import actions as criteria_actions
    from parindex.methodology.importing import read_tree
    from tests.plans.support import ILLUSTRATIVE

    tree = criteria_actions.import_framework(
        read_tree(ILLUSTRATIVE.read_bytes(), ILLUSTRATIVE.name), by=None, province=None
    )
    run("plan", "import", str(worded_seed), "--province", "lao-cai", "--framework", str(tree.pk))
    plan = Plan.objects.get()
    assert plan.framework == tree
    assert [a.domain.code if a.domain else None for a in plan.areas.select_related("domain")] == [
        str(n) for n in range(1, 9)
    ]


def test_plan_import_of_a_file_that_is_not_a_plan_is_an_error_and_saves_nothing(
    seed_agencies: SeedAgencies, news: Path
) -> None:
    with pytest.raises(CommandError) as refused:
        run("plan", "import", str(news), "--province", "lao-cai")
    assert str(refused.value) == vi(
        "%(file)s does not read as a plan: no number, no content areas were found.",
        file="tin-tuc.txt",
    )
    assert plan_rows() == NOTHING


def test_plan_import_into_an_unknown_province_is_an_error(seed_agencies: SeedAgencies) -> None:
    with pytest.raises(CommandError, match="no province with code 'ha-giang'"):
        run("plan", "import", str(SEED), "--province", "ha-giang")
    assert plan_rows() == NOTHING


def test_plan_import_of_a_plan_needing_review_lists_the_problems_and_saves_nothing(
    lao_cai: LaoCai, tmp_path: Path
) -> None:
    path = tmp_path / "ke-hoach-12.txt"
    path.write_text(small_plan(12, lead="Sở Ngoại vụ"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="the plan needs review; nothing was saved"):
        call_command(
            "plan", "import", str(path), "--province", "lao-cai", stdout=io.StringIO(), stderr=err
        )
    no_lead = [
        vi("%(where)s has no lead agency.", where=vi("Target %(path)s", path=path))
        for path in ("1.1", "1.2")
    ]
    assert err.getvalue().splitlines() == [
        vi("“%(name)s” is not matched to an agency of the province.", name="Sở Ngoại vụ"),
        *no_lead,
    ]
    assert plan_rows() == NOTHING
