"""`parindex assessment score`: the JSON contract scripts depend on, the table, and bad inputs."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from parindex.methodology import actions
from parindex.methodology.importing import read_tree
from parindex.methodology.models import FrameworkStatus

DATA = Path(__file__).resolve().parent / "data"
TREE = DATA / "small-tree.yaml"
INPUTS = DATA / "small-inputs.json"
PARINDEX = Path(sys.executable).parent / "parindex"


def score(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("assessment", "score", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(inputs: str, tmp_path: Path, tree: Path = TREE) -> tuple[str, str]:
    """Score `inputs` (JSON text); the command must refuse with exit code 2: (message, stderr)."""
    path = tmp_path / "inputs.json"
    path.write_text(inputs, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "assessment",
            "score",
            "--tree",
            str(tree),
            "--inputs",
            str(path),
            "--json",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert raised.value.returncode == 2
    return str(raised.value), err.getvalue()


def test_the_json_reproduces_the_documented_example_exactly() -> None:
    out, err = score("--tree", str(TREE), "--inputs", str(INPUTS), "--json")
    assert err == ""
    result = json.loads(out)
    assert list(result) == ["total", "nodes", "missing"]
    assert result["total"] == "71.25"
    assert result["nodes"]["1"] == {"points": "8.50", "max": "10"}
    assert result["nodes"]["1.1"] == {
        "points": "1",
        "max": "2",
        "band": "Thực hiện từ 70% - 90% kế hoạch",
    }
    assert result["missing"] == ["2.3"]
    assert result["nodes"] == {
        "1": {"points": "8.50", "max": "10"},
        "1.1": {"points": "1", "max": "2", "band": "Thực hiện từ 70% - 90% kế hoạch"},
        "1.2": {"points": "3", "max": "3", "band": "Đầy đủ, đúng thời hạn"},
        "1.3": {"points": "4.50", "max": "5"},
        "2": {"points": "62.75", "max": "90"},
        "2.1": {"points": "40", "max": "40", "band": "Từ 3 sáng kiến trở lên"},
        "2.2": {"points": "22.75", "max": "30"},
        "2.3": {"points": "0.00", "max": "20"},
    }


def test_without_json_a_table_shows_each_node_with_how_it_scored() -> None:
    out, _ = score("--tree", str(TREE), "--inputs", str(INPUTS))
    lines = out.splitlines()
    assert lines[0].split() == ["code", "criterion", "points", "max", "how"]
    assert any(
        line.startswith("1.1 ")
        and line.endswith("85% is within [70%, 90%] → Thực hiện từ 70% - 90% kế hoạch")
        for line in lines
    )
    assert any("91/120 = ≈75.8333% × 30 = 22.75" in line for line in lines)
    assert lines[-2].split() == ["total", "71.25", "100"]
    assert lines[-1] == "missing: 2.3"


@pytest.mark.parametrize(
    ("inputs", "message", "stderr"),
    [
        ('{"1.1": 85,', "not valid JSON (line 1, column 12", ""),
        ("[85]", "expected a JSON object mapping leaf codes to inputs", ""),
        ('{"1.1": NaN}', "NaN is not a number", ""),
        ('{"1.1": Infinity}', "Infinity is not a number", ""),
        ('{"1.1": 85, "1.1": 90}', "the key 1.1 appears more than once", ""),
        ('{"9.9": 1}', "1 unusable input(s)", "9.9: there is no criterion with this code"),
        ('{"1.1": "nhiều"}', "1 unusable input(s)", "1.1: “nhiều” is not a number."),
        ('{"1.1": "=B2/C2"}', "1 unusable input(s)", "1.1: “=B2/C2” is a formula"),
        ('{"1.1": 1e400}', "1 unusable input(s)", "1.1: 1E+400 is too large"),
        ('{"1.1": 1' + "0" * 5000 + "}", "1 unusable input(s)", "1.1: 1.000000E+5000 is too large"),
        ('{"1.1": true}', "1 unusable input(s)", "1.1: true is not a number."),
        (
            '{"2.2": {"numerator": 3, "denominator": 0}}',
            "1 unusable input(s)",
            "2.2: the denominator is 0",
        ),
        ('{"1.2": "Tốt"}', "1 unusable input(s)", "choose one of: “Đầy đủ, đúng thời hạn”"),
        ('{"1": 8}', "1 unusable input(s)", "1 is scored as the sum of its parts"),
        ('{"2.1": 2.5}', "1 unusable input(s)", "2.1: 2.5 is not a whole number"),
    ],
)
def test_bad_inputs_exit_with_code_2_and_name_the_leaf_or_key(
    inputs: str, message: str, stderr: str, tmp_path: Path
) -> None:
    text, err = refused(inputs, tmp_path)
    assert message in text
    assert stderr in err


def test_every_unusable_input_is_listed_not_only_the_first(tmp_path: Path) -> None:
    _, err = refused('{"1.1": -1, "1.2": "?", "2.1": "x"}', tmp_path)
    assert [":".join(line.split(":")[:2]) for line in err.splitlines()] == [
        "error: 1.1",
        "error: 1.2",
        "error: 2.1",
    ]


def test_a_missing_file_or_a_malformed_tree_exits_with_code_2(tmp_path: Path) -> None:
    for args in (
        ["--tree", str(tmp_path / "none.yaml"), "--inputs", str(INPUTS)],
        ["--tree", str(TREE), "--inputs", str(tmp_path / "none.json")],
    ):
        with pytest.raises(CommandError, match="no such file") as raised:
            score(*args)
        assert raised.value.returncode == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "format: parindex-criteria/1\nname: x\nnodes:\n  - {code: '1.1', name: a, max_points: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as raised:
        score("--tree", str(bad), "--inputs", str(INPUTS))
    assert raised.value.returncode == 2


def test_the_installed_command_prints_json_and_fails_without_a_traceback(tmp_path: Path) -> None:
    assert PARINDEX.exists(), f"{PARINDEX} is not installed (make install)"
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "PARINDEX_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # a tree file needs no database
    good = subprocess.run(
        [
            str(PARINDEX),
            "assessment",
            "score",
            "--tree",
            str(TREE),
            "--inputs",
            str(INPUTS),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["total"] == "71.25"
    bad_inputs = tmp_path / "bad.json"
    bad_inputs.write_text('{"1.1": "abc"}', encoding="utf-8")
    bad = subprocess.run(
        [
            str(PARINDEX),
            "assessment",
            "score",
            "--tree",
            str(TREE),
            "--inputs",
            str(bad_inputs),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert (bad.returncode, bad.stdout) == (2, "")
    assert "1.1: “abc” is not a number." in bad.stderr and "Traceback" not in bad.stderr


def test_the_tree_can_be_the_code_of_a_valid_stored_tree(db: None) -> None:
    result = read_tree(TREE.read_bytes(), TREE.name)
    framework = actions.import_framework(result, by=None, province=None)
    assert framework.status == FrameworkStatus.VALID
    out, _ = score("--tree", "small-scoring-tree", "--inputs", str(INPUTS), "--json")
    stored = json.loads(out)
    from_file = json.loads(score("--tree", str(TREE), "--inputs", str(INPUTS), "--json")[0])
    # The database writes 10.00 and 1.00: max and band points still read as the tree wrote them.
    assert stored == from_file


def test_an_unknown_tree_code_exits_with_code_2(db: None) -> None:
    with pytest.raises(CommandError, match="no valid stored tree has this code") as raised:
        score("--tree", "no-such-tree", "--inputs", str(INPUTS))
    assert raised.value.returncode == 2


def test_assessment_and_its_score_subcommand_answer_help() -> None:
    for args in (["assessment", "--help"], ["assessment", "score", "--help"]):
        result = subprocess.run(
            [str(PARINDEX), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
            check=False,
        )
        assert result.returncode == 0, result.stderr
        # `assessment --help` lists score among the subcommands the assessment app adds.
        assert "--tree" in result.stdout or re.search(r"\{score[,}]", result.stdout)
