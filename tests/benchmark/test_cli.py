"""The command-line contracts of `parindex results` (docs/results.md)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from parindex.benchmark.models import Origin, ResultYear
from parindex.orgs import actions

PARINDEX = Path(sys.executable).parent / "parindex"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("results", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def demo_province(shipped: list[int]) -> None:
    actions.create_province(
        by=None,
        name="Tỉnh Lào Cai",
        code="lao-cai-1991",
        valid_from=date(1991, 10, 1),
        valid_to=date(2025, 7, 1),
    )


def test_show_gives_lao_cai_2019_as_the_contract_says(demo_province: None) -> None:
    out, _err = run("show", "--year", "2019", "--province", "lao-cai-1991", "--json")
    data = json.loads(out)
    assert {k: data[k] for k in ("score", "rank", "of", "parts")} == {
        "score": "82.85",
        "rank": 15,
        "of": 63,
        "parts": {
            "appraisal": "52.90",
            "sipas": "8.30",
            "leader_survey": "17.65",
            "socio_economic_impact": "4.00",
        },
    }
    assert data["source"]["key"] == "S_laocai2019"
    assert data["source"]["url"].startswith("http://ddcilaocai.vn/")
    assert data["province"] == {"code": "lao-cai", "name": "Lào Cai"}
    assert (data["year"], data["partial"], data["impact"]) == (2019, True, "29.95")


@pytest.mark.parametrize("province", ["Lào Cai", "lao cai", "lao-cai"])
def test_show_takes_a_name_or_a_ranked_province_code(shipped: list[int], province: str) -> None:
    out, _err = run("show", "--year", "2019", "--province", province, "--json")
    assert json.loads(out)["score"] == "82.85"


def test_show_without_json_prints_a_line_a_person_reads(shipped: list[int]) -> None:
    out, _err = run("show", "--year", "2019", "--province", "Lào Cai")
    assert out.splitlines()[0] == "Lào Cai 2019: 82.85, rank 15/63"
    assert "  appraisal: 52.90" in out


def test_rank_gives_the_rank_a_score_would_have_had(shipped: list[int]) -> None:
    out, _err = run("rank", "--year", "2020", "--score", "88.00", "--json")
    assert json.loads(out) == {
        "year": 2020,
        "score": "88.00",
        "rank": 4,
        "of": 63,
        "above": 3,
        "partial": True,
        "exact": True,
        "known_scores": 12,
    }


def test_rank_reads_a_vietnamese_decimal_comma(shipped: list[int]) -> None:
    out, _err = run("rank", "--year", "2020", "--score", "88,47", "--json")
    assert json.loads(out)["rank"] == 3  # equal to Thừa Thiên Huế's 88.47: not above it


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "--year", "2019", "--province", "Lao Kai"), "did you mean Lào Cai?"),
        (("show", "--year", "1800", "--province", "Lào Cai"), "give a year such as 2019"),
        (("show", "--year", "2015", "--province", "Lào Cai"), "years known: 2016, 2017"),
        (("show", "--year", "2019", "--province", "lao-cai-2025"), "formed from lao-cai"),
        (("show", "--year", "2022", "--province", "Lào Cai"), "no published result for Lào Cai"),
        (("rank", "--year", "2020", "--score", "tám mươi"), "give a score such as 88.00"),
        (("rank", "--year", "2020", "--score", "101"), "between 0 and 100"),
        (("rank", "--year", "2031", "--score", "80"), "no published results"),
        (("import", "/no/such/file.xlsx", "--year", "2020"), "no such file"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(
    shipped: list[int], args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert raised.value.returncode == 2
    assert message in str(raised.value)


def test_the_installed_command_exits_2_on_a_bad_argument(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PARINDEX_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    missing = subprocess.run(
        [str(PARINDEX), "results", "rank", "--year", "2020"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert missing.returncode == 2
    assert "--score" in missing.stderr


def test_import_names_every_bad_line_and_saves_nothing(shipped: list[int], tmp_path: Path) -> None:
    table = tmp_path / "2020.csv"
    table.write_text("Tỉnh;Điểm;Xếp hạng\nQuảng Ninh;91,04;1\nLao Kai;80;20\nHà Nội;x;8\n")
    with pytest.raises(CommandError) as raised:
        run("import", str(table), "--year", "2020")
    assert raised.value.returncode == 1
    assert ResultYear.objects.get(year=2020).origin == Origin.SHIPPED


def test_import_prints_the_problems_on_standard_error(shipped: list[int], tmp_path: Path) -> None:
    table = tmp_path / "2020.csv"
    table.write_text("Tỉnh;Điểm;Xếp hạng\nQuảng Ninh;91,04;1\nLao Kai;80;20\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("results", "import", str(table), "--year", "2020", stderr=err)
    assert "dòng 3: không có tỉnh nào tên “Lao Kai”. Có phải là Lào Cai?" in err.getvalue()


def test_import_with_skip_bad_rows_saves_the_good_lines_and_shows_findings(
    shipped: list[int], tmp_path: Path
) -> None:
    table = tmp_path / "2020.csv"
    table.write_text("Tỉnh;Điểm;Xếp hạng\nQuảng Ninh;91,04;2\nHải Phòng;90,51;1\nLao Kai;80;20\n")
    out, err = run("import", str(table), "--year", "2020", "--skip-bad-rows", "--source", "BNV")
    assert "2 provinces imported for 2020 (partial table)" in out
    assert "finding: Quảng Ninh đạt 91,04 điểm, cao hơn Hải Phòng (90,51)" in out
    assert "skipped: dòng 4" in err
    year = ResultYear.objects.get(year=2020)
    assert year.origin == Origin.IMPORTED and year.source is not None
    assert year.source.title == "BNV"


def test_load_and_years(db: None) -> None:
    out, _err = run("load")
    assert (
        out.strip() == "published results loaded for 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023"
    )
    out, _err = run("years", "--json")
    assert json.loads(out)[3] == {
        "year": 2019,
        "of": 63,
        "partial": True,
        "provinces": 12,
        "origin": "shipped",
    }
