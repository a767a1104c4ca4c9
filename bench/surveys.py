"""Every satisfaction index of a province-sized survey of a million responses: parindex against
a straightforward pandas computation, measured in the same run.

    make bench-surveys        # installs the `bench` dependency group (pandas), then runs this
    .venv/bin/python -m bench.surveys [--responses 1000000] [--agencies 180] [--repeat 2]

Builds, in a throwaway SQLite database (the harness's), a survey of the shipped `sipas-default`
questionnaire for a province of 180 agencies over a year: a million responses spread over the
agencies and the four quarters, each with its six satisfaction answers on the 1–5 scale
(`sat_feedback` only for the 15 % who gave feedback), about 5,2 million answer rows, and every
agency's dossier volumes per quarter. Then, each in a fresh process so that each has its own
peak memory:

- **parindex**: `surveys.indices.all_indices`, the code path of the pages, the API and the
  forecast: one grouped SQL aggregate in the database (per agency, question and quarter, the
  quarter decided by comparing the moment with the quarters' bounds), exact decimals only on
  the 4 320 counted cells, the whole survey as the sum of its quarters, and the weighted
  province figures with their design effect (`surveys.stats`);
- **baseline**: pandas, as an analyst would write it: read the satisfaction answers with their
  agency and moment (`read_sql_query` of the join, in chunks), convert the moments to the
  province's time and take the quarter, `groupby` per agency × factor × quarter and per
  agency × factor, the share, the Wilson interval and the mean vectorised with numpy, the
  province figures weighted by the volumes.

Both write every figure (n, satisfied, share, interval, mean, per agency × factor × period;
share, interval, mean, deff and effective sample per factor × period for the province), which
are checked equal (counts exactly, the rest within 1e-9). Prints the wall time, the CPU time
and the peak memory (maximum resident set size of the measuring process) of each, and the ratio
baseline / parindex: the goal is at least 5×, with parindex under 512 MiB. Figures:
docs/benchmarks.md. SQLite only (each measurement reopens the database file).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

from bench.harness import django_benchmark

RESPONSES = 1_000_000
AGENCIES = 180
YEAR = 2020
MARK = "SURVEY-BENCH "
ROOT = Path(__file__).resolve().parent.parent
GOAL = 5.0
MEMORY_MIB = 512
# The satisfaction questions of sipas-default and the chance that a response answers each.
ANSWERED = {
    "sat_access": 1.0,
    "sat_procedure": 1.0,
    "sat_staff": 1.0,
    "sat_result": 1.0,
    "sat_feedback": 0.15,
    "sat_overall": 1.0,
}
TOLERANCE = 1e-9


@dataclass
class Figure:
    name: str
    seconds: float
    cpu: float
    peak_mib: float
    cells: int


# --- the survey ----------------------------------------------------------------------------------


def build(responses: int, agencies: int, *, seed: int = 2020) -> int:
    """Store the province, its agencies, the survey, its responses and answers, and volumes;
    returns the survey's id. Rows go in with executemany in batches: the benchmark measures
    reading, not writing."""
    from django.db import connection, transaction

    from parindex.orgs.models import Organisation, OrgKind
    from parindex.surveys import actions
    from parindex.surveys.models import Question, Survey, Volume

    rng = random.Random(seed)
    with transaction.atomic():
        province = Organisation.objects.create(
            kind=OrgKind.PROVINCE, name="Tỉnh Thử", code="bench-province"
        )
        agency_rows = Organisation.objects.bulk_create(
            Organisation(
                kind=OrgKind.DEPARTMENT if i < 30 else OrgKind.COMMUNE,
                name=f"Cơ quan {i:03d}",
                code=f"co-quan-{i:03d}",
                province=province,
                parent=province,
            )
            for i in range(agencies)
        )
        questionnaire = actions.load_default_questionnaire()
        survey = Survey.objects.create(
            code="bench-sipas",
            questionnaire=questionnaire,
            province=province,
            starts_on=date(YEAR, 1, 1),
            ends_on=date(YEAR, 12, 31),
        )
        questions = dict(
            Question.objects.filter(
                questionnaire=questionnaire, code__in=list(ANSWERED)
            ).values_list("code", "pk")
        )
    ids = [a.pk for a in agency_rows]
    # Each agency's satisfaction and its share of the responses (larger desks, more answers).
    level = {pk: rng.uniform(0.75, 0.98) for pk in ids}
    weight = [rng.uniform(0.2, 3.0) for _ in ids]
    # Moments on the half hour through the year, as the database stores them.
    start = datetime(YEAR, 1, 1, tzinfo=UTC) - timedelta(hours=7)
    moments = [
        connection.ops.adapt_datetimefield_value(start + timedelta(minutes=30 * k))
        for k in range(366 * 48)
    ]
    now = connection.ops.adapt_datetimefield_value(datetime.now(UTC))
    order = [(pk, questions[code], chance) for code, chance in ANSWERED.items() for pk in [0]]
    batch = 50_000
    first_id = 1
    with connection.cursor() as cursor, transaction.atomic():
        done = 0
        while done < responses:
            size = min(batch, responses - done)
            agency_ids = rng.choices(ids, weight, k=size)
            response_rows = []
            answer_rows = []
            for offset, agency in enumerate(agency_ids):
                response_id = first_id + done + offset
                response_rows.append(
                    (response_id, survey.pk, agency, rng.choice(moments), "", "import", now)
                )
                p = level[agency]
                common = rng.random()
                for _pk, question, chance in order:
                    if chance < 1 and rng.random() >= chance:
                        continue
                    draw = common if rng.random() < 0.7 else rng.random()
                    if draw < p:
                        score = 5 if rng.random() < 0.45 else 4
                    else:
                        score = rng.choice((3, 3, 3, 2, 2, 1))
                    answer_rows.append((response_id, question, score, ""))
            cursor.executemany(
                "INSERT INTO surveys_response (id, survey_id, agency_id, submitted_at, "
                "dossier_code, channel, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                response_rows,
            )
            cursor.executemany(
                "INSERT INTO surveys_answer (response_id, question_id, number, text) "
                "VALUES (%s, %s, %s, %s)",
                answer_rows,
            )
            done += size
    Volume.objects.bulk_create(
        Volume(survey=survey, agency_id=pk, period=f"{YEAR}Q{q}", dossiers=rng.randint(200, 9000))
        for pk in ids
        for q in range(1, 5)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE surveys_answer")
    return survey.pk


# --- the two computations ------------------------------------------------------------------------


def project(survey_id: int) -> dict[str, Any]:
    """parindex's figures, as exact decimal strings."""
    from parindex.surveys import indices
    from parindex.surveys.models import Survey

    survey = Survey.objects.get(pk=survey_id)
    found = indices.all_indices(None, survey)
    rows = {
        f"{r.agency}|{r.factor}|{r.period}": [
            r.n,
            r.satisfied,
            str(r.share),
            str(r.low),
            str(r.high),
            str(r.mean),
        ]
        for r in found.rows
    }
    province = {
        f"{r.factor}|{r.period}": [
            r.n,
            str(r.share),
            str(r.low),
            str(r.high),
            str(r.mean),
            str(r.deff),
            str(r.effective_n),
        ]
        for r in found.province
    }
    return {"rows": rows, "province": province}


BASELINE_SQL = """
SELECT o.code AS agency, r.submitted_at AS moment, q.factor AS factor, a.number AS score
FROM surveys_answer a
JOIN surveys_response r ON r.id = a.response_id
JOIN surveys_question q ON q.id = a.question_id
JOIN orgs_organisation o ON o.id = r.agency_id
WHERE r.survey_id = %(survey)s AND q.kind = 'scale' AND q.factor <> ''
  AND q.dimension IN ('', 'satisfaction') AND a.number IS NOT NULL
"""


def baseline(survey_id: int) -> dict[str, Any]:
    """The same figures with pandas, the straightforward way; floats."""
    import numpy as np
    from django.db import connection

    # Imported by name: pandas is only in the `bench` dependency group, and untyped.
    pd: Any = importlib.import_module("pandas")

    from parindex.surveys import stats

    z = float(stats.Z95)
    connection.ensure_connection()
    raw = connection.connection
    sql = BASELINE_SQL.replace("%(survey)s", "?")
    chunks = pd.read_sql_query(sql, raw, params=(survey_id,), chunksize=500_000)
    answers = pd.concat(chunks, ignore_index=True)
    local = pd.to_datetime(answers["moment"], utc=True, format="ISO8601").dt.tz_convert(
        "Asia/Ho_Chi_Minh"
    )
    answers["period"] = local.dt.year.astype(str) + "Q" + local.dt.quarter.astype(str)
    answers["score"] = answers["score"].astype("int64")
    answers["satisfied"] = answers["score"] >= stats.SATISFIED_FROM
    answers = answers.drop(columns=["moment"])
    by_quarter = (
        answers.groupby(["agency", "factor", "period"])
        .agg(n=("score", "size"), satisfied=("satisfied", "sum"), total=("score", "sum"))
        .reset_index()
    )
    whole = (
        answers.groupby(["agency", "factor"])
        .agg(n=("score", "size"), satisfied=("satisfied", "sum"), total=("score", "sum"))
        .reset_index()
    )
    whole["period"] = stats.WHOLE
    cells = pd.concat([by_quarter, whole], ignore_index=True)

    def wilson(p: Any, n: Any) -> tuple[Any, Any]:
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z / denominator * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)

    cells["share"] = cells["satisfied"] / cells["n"]
    cells["mean"] = cells["total"] / cells["n"]
    cells["low"], cells["high"] = wilson(cells["share"], cells["n"])
    volumes = pd.read_sql_query(
        "SELECT o.code AS agency, v.period AS period, v.dossiers AS volume "
        "FROM surveys_volume v JOIN orgs_organisation o ON o.id = v.agency_id "
        "WHERE v.survey_id = ?",
        raw,
        params=(survey_id,),
    )
    summed = volumes.groupby("agency", as_index=False)["volume"].sum()
    summed["period"] = stats.WHOLE
    volumes = pd.concat([volumes, summed], ignore_index=True)
    weighted = cells.merge(volumes, on=["agency", "period"], how="left")
    weighted["vp"] = weighted["volume"] * weighted["share"]
    weighted["vm"] = weighted["volume"] * weighted["mean"]
    weighted["v2n"] = weighted["volume"] ** 2 / weighted["n"]
    province = (
        weighted.groupby(["factor", "period"])
        .agg(
            n=("n", "sum"),
            volume=("volume", "sum"),
            vp=("vp", "sum"),
            vm=("vm", "sum"),
            v2n=("v2n", "sum"),
        )
        .reset_index()
    )
    province["share"] = province["vp"] / province["volume"]
    province["mean"] = province["vm"] / province["volume"]
    province["deff"] = province["n"] * province["v2n"] / province["volume"] ** 2
    province["effective"] = province["n"] / province["deff"]
    province["low"], province["high"] = wilson(province["share"], province["effective"])
    rows = {
        f"{r.agency}|{r.factor}|{r.period}": [
            int(r.n),
            int(r.satisfied),
            float(r.share),
            float(r.low),
            float(r.high),
            float(r.mean),
        ]
        for r in cells.itertuples()
    }
    found = {
        f"{r.factor}|{r.period}": [
            int(r.n),
            float(r.share),
            float(r.low),
            float(r.high),
            float(r.mean),
            float(r.deff),
            float(r.effective),
        ]
        for r in province.itertuples()
    }
    return {"rows": rows, "province": found}


def differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """Where the two disagree: counts exactly, the rest within TOLERANCE."""
    found: list[str] = []
    for part, counts in (("rows", 2), ("province", 1)):
        mine, other = ours[part], theirs[part]
        if set(mine) != set(other):
            found.append(f"{part}: cells differ ({len(set(mine) ^ set(other))})")
            continue
        for key, values in mine.items():
            for index, (a, b) in enumerate(zip(values, other[key], strict=True)):
                if index < counts:
                    if a != b:
                        found.append(f"{part} {key}[{index}]: {a} != {b}")
                elif abs(float(Decimal(a)) - float(b)) > TOLERANCE:
                    found.append(f"{part} {key}[{index}]: {a} != {b}")
    return found[:20]


# --- measuring, each in a fresh process ----------------------------------------------------------


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(which: str, survey_id: int, out: Path) -> int:
    """Measure one computation in this fresh process on the database the parent built."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    import django

    django.setup()
    from django.db import connection

    connection.ensure_connection()
    compute = project if which == "parindex" else baseline
    if which == "pandas":
        importlib.import_module("pandas")  # loading the library is not the computation
    else:
        from parindex.surveys import indices  # noqa: F401
    start, cpu = perf_counter(), process_time()
    figures = compute(survey_id)
    seconds, cpu = perf_counter() - start, process_time() - cpu
    out.write_text(json.dumps(figures))
    figure = Figure(which, seconds, cpu, _peak_mib(), len(figures["rows"]))
    print(MARK + json.dumps(figure.__dict__), flush=True)
    return 0


def measure(which: str, survey_id: int, folder: Path) -> tuple[Figure, dict[str, Any]]:
    out = folder / f"{which}.json"
    command = [sys.executable, "-m", "bench.surveys", "--child", which, str(survey_id), str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            figures = json.loads(out.read_text())
            return Figure(**json.loads(line.removeprefix(MARK))), figures
    raise RuntimeError(f"{which}: no figures\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")


def table(figures: Sequence[Figure]) -> str:
    lines = [
        "| computation | wall (best) | CPU | peak memory | cells |",
        "|---|---:|---:|---:|---:|",
    ]
    for f in figures:
        lines.append(
            f"| {f.name} | {f.seconds:.2f} s | {f.cpu:.2f} s | {f.peak_mib:.0f} MiB | {f.cells} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.surveys", description=__doc__)
    parser.add_argument("--responses", type=int, default=RESPONSES)
    parser.add_argument("--agencies", type=int, default=AGENCIES)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each; the best counts")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        which, survey_id, out = args.child
        return child(which, int(survey_id), Path(out))
    if os.environ.get("DATABASE_URL"):
        print("bench.surveys measures on SQLite: unset DATABASE_URL", file=sys.stderr)
        return 2
    with django_benchmark("Survey indices benchmark"):
        start = perf_counter()
        survey_id = build(args.responses, args.agencies)
        from parindex.surveys.models import Answer

        answers = Answer.objects.filter(response__survey_id=survey_id).count()
        print(
            f"{args.responses:,} responses, {answers:,} answers, {args.agencies} agencies, "
            f"4 quarters, built in {perf_counter() - start:.0f} s\n",
            flush=True,
        )
        with tempfile.TemporaryDirectory() as folder:
            runs: dict[str, list[Figure]] = {"parindex": [], "pandas": []}
            results: dict[str, dict[str, Any]] = {}
            for _round in range(args.repeat):
                for which in runs:
                    figure, results[which] = measure(which, survey_id, Path(folder))
                    runs[which].append(figure)
        wrong = differences(results["parindex"], results["pandas"])
        if wrong:
            print("The two computations disagree:\n" + "\n".join(wrong))
            return 1
        ours = min(runs["parindex"], key=lambda f: f.seconds)
        theirs = min(runs["pandas"], key=lambda f: f.seconds)
        print(
            f"Both give the same {ours.cells} agency × factor × period figures and "
            f"{len(results['parindex']['province'])} province figures.\n"
        )
        print(table([ours, theirs]))
        ratio = theirs.seconds / ours.seconds
        verdict = "meets" if ratio >= GOAL and ours.peak_mib < MEMORY_MIB else "misses"
        print(
            f"\npandas / parindex = {ratio:.1f}× ({verdict} the goal of at least {GOAL:.0f}× "
            f"with parindex under {MEMORY_MIB} MiB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
