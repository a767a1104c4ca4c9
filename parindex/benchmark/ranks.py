"""Ranks recomputed from scores, and a year's table checked against itself. Pure: no Django.

Ranking is competition ranking, as the national tables rank: a province's rank is 1 + the
number of provinces that scored strictly more, so equal scores share a rank and the next rank
is skipped (90, 88, 88, 87 → 1, 2, 2, 4).

A complete table must reproduce its published ranks exactly. A partial table (only some
provinces known) can still be checked: ranks must follow the order of the scores, equal scores
must share a rank, and each published rank must lie between 1 + the known provinces above and
the count of provinces less the known ones below. Parts must add up to the total within the
rounding of the published figures: ±0.01 for each part added.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

PARTS = ("appraisal", "sipas", "leader_survey", "socio_economic_impact")
IMPACT_PARTS = ("sipas", "leader_survey", "socio_economic_impact")
ROUNDING_PER_PART = Decimal("0.01")


@dataclass(frozen=True)
class Row:
    """One province's line of a year's table."""

    key: str  # the province's code
    name: str
    score: Decimal | None = None
    rank: int | None = None
    parts: Mapping[str, Decimal] = field(default_factory=dict)  # PARTS and "impact"


@dataclass(frozen=True)
class Finding:
    """Something in a table that does not hold; `code` says what, `params` the figures."""

    code: str  # rank_mismatch, rank_out_of_bounds, rank_order, tie_split, rank_too_large,
    #            parts_sum, impact_sum
    key: str
    name: str
    params: Mapping[str, object] = field(default_factory=dict)


def rank_of(score: Decimal, others: Iterable[Decimal]) -> int:
    """The rank `score` has among `others`: 1 + the number strictly above it."""
    return 1 + sum(1 for other in others if other > score)


def competition_ranks(scores: Mapping[str, Decimal]) -> dict[str, int]:
    """Every key's rank among all scores; ties share a rank."""
    ordered = sorted(scores.values(), reverse=True)
    first: dict[Decimal, int] = {}
    for position, score in enumerate(ordered, start=1):
        first.setdefault(score, position)
    return {key: first[score] for key, score in scores.items()}


@dataclass(frozen=True)
class Placing:
    """Where a score falls in a published table."""

    rank: int  # 1 + the known provinces strictly above
    of: int
    above: int
    partial: bool
    # True when no province missing from a partial table can lie above the score.
    exact: bool


def place(score: Decimal, rows: Sequence[Row], *, of: int, partial: bool) -> Placing:
    """The rank `score` would have had in the table of `rows`.

    In a partial table the rank counts only the provinces whose scores are known; it is exact
    when the provinces above hold the published ranks 1..k and the province published at k + 1
    scored no more than `score` (everyone below it did not either).
    """
    scored = [r for r in rows if r.score is not None]
    above = [r for r in scored if r.score is not None and r.score > score]
    rank = 1 + len(above)
    exact = not partial
    if partial:
        above_ranks = sorted(r.rank for r in above if r.rank is not None)
        contiguous = len(above_ranks) == len(above) and above_ranks == list(range(1, rank))
        below_or_equal = [r for r in scored if r.score is not None and r.score <= score]
        next_one = any(r.rank == rank for r in below_or_equal)
        nobody_else = len(above) + len(below_or_equal) == of
        exact = contiguous and (next_one or nobody_else)
    return Placing(rank=rank, of=of, above=len(above), partial=partial, exact=exact)


def recomputed_ranks(rows: Sequence[Row]) -> dict[str, int]:
    """Ranks from the known scores alone (a lower bound when the table is partial)."""
    return competition_ranks({r.key: r.score for r in rows if r.score is not None})


def check_table(
    rows: Sequence[Row], *, of: int, partial: bool, per_part: Decimal = ROUNDING_PER_PART
) -> list[Finding]:
    """Every rank or sum in the table that does not hold, in the table's order."""
    findings: list[Finding] = []
    scored = [r for r in rows if r.score is not None]
    computed = recomputed_ranks(rows)
    for row in rows:
        if row.rank is not None and row.rank > of:
            findings.append(
                Finding("rank_too_large", row.key, row.name, {"rank": row.rank, "of": of})
            )
        if row.score is None or row.rank is None:
            findings.extend(_sums(row, per_part))
            continue
        if not partial:
            if computed[row.key] != row.rank:
                findings.append(
                    Finding(
                        "rank_mismatch",
                        row.key,
                        row.name,
                        {"published": row.rank, "computed": computed[row.key]},
                    )
                )
        else:
            above = sum(1 for r in scored if r.score is not None and r.score > row.score)
            below = sum(1 for r in scored if r.score is not None and r.score < row.score)
            low, high = 1 + above, of - below
            if not low <= row.rank <= high:
                findings.append(
                    Finding(
                        "rank_out_of_bounds",
                        row.key,
                        row.name,
                        {"published": row.rank, "low": low, "high": high},
                    )
                )
            for other in scored:
                if other is row or other.rank is None or other.score is None:
                    continue
                if other.score == row.score and other.rank != row.rank and row.key < other.key:
                    findings.append(
                        Finding(
                            "tie_split",
                            row.key,
                            row.name,
                            {
                                "other": other.name,
                                "score": row.score,
                                "rank": row.rank,
                                "other_rank": other.rank,
                            },
                        )
                    )
                if other.score < row.score and other.rank <= row.rank:
                    findings.append(
                        Finding(
                            "rank_order",
                            row.key,
                            row.name,
                            {
                                "other": other.name,
                                "score": row.score,
                                "rank": row.rank,
                                "other_score": other.score,
                                "other_rank": other.rank,
                            },
                        )
                    )
        findings.extend(_sums(row, per_part))
    return findings


def _sums(row: Row, per_part: Decimal) -> list[Finding]:
    findings: list[Finding] = []
    parts = row.parts
    if row.score is not None and all(p in parts for p in PARTS):
        total = sum((parts[p] for p in PARTS), Decimal(0))
        if abs(total - row.score) > per_part * len(PARTS):
            findings.append(
                Finding(
                    "parts_sum",
                    row.key,
                    row.name,
                    {"total": row.score, "sum": total, "difference": total - row.score},
                )
            )
    elif row.score is not None and "appraisal" in parts and "impact" in parts:
        total = parts["appraisal"] + parts["impact"]
        if abs(total - row.score) > per_part * 2:
            findings.append(
                Finding(
                    "parts_sum",
                    row.key,
                    row.name,
                    {"total": row.score, "sum": total, "difference": total - row.score},
                )
            )
    if "impact" in parts and all(p in parts for p in IMPACT_PARTS):
        total = sum((parts[p] for p in IMPACT_PARTS), Decimal(0))
        if abs(total - parts["impact"]) > per_part * len(IMPACT_PARTS):
            findings.append(
                Finding(
                    "impact_sum",
                    row.key,
                    row.name,
                    {
                        "total": parts["impact"],
                        "sum": total,
                        "difference": total - parts["impact"],
                    },
                )
            )
    return findings


def rank_bounds(
    score: Decimal, rows: Sequence[Row], *, of: int, own: Row | None = None
) -> tuple[int, int]:
    """The best and the worst rank `score` can have among `rows` (the other provinces) and the
    provinces of the table not known, from the published ranks as well as the scores.

    A province published at rank r with a score above `score` had r − 1 provinces above it, so
    `score` is below at least r of them; one published at rank r with a lower score bounds it
    from below: at most r − 1 provinces are above `score`; an equal score shares its rank. `own` is the province's own line of
    the same table: it does not compete with itself, but its rank says how many others were
    above its own score, and it is taken out of the counts of the others' ranks.
    """
    low = 1 + sum(1 for r in rows if r.score is not None and r.score > score)
    high = of
    own_score = own.score if own is not None else None

    def others_above(row: Row) -> int:
        assert row.rank is not None and row.score is not None
        mine = 1 if own_score is not None and own_score > row.score else 0
        return row.rank - 1 - mine

    for row in rows:
        if row.rank is None or row.score is None:
            continue
        if row.score > score:
            low = max(low, others_above(row) + 2)
        elif row.score < score:
            high = min(high, others_above(row) + 1)
        else:  # a tie shares the rank
            low = max(low, others_above(row) + 1)
            high = min(high, others_above(row) + 1)
    if own is not None and own.rank is not None and own.score is not None:
        if own.score > score:
            low = max(low, own.rank)
        elif own.score < score:
            high = min(high, own.rank)
        else:
            low, high = max(low, own.rank), min(high, own.rank)
    high = max(1, min(high, of))
    low = max(1, min(low, high))
    return low, high
