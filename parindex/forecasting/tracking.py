"""Following actions that close the gap: how many are open, late and done, and whether each
one's points moved.

An action's points moved when the leaf's expected points in today's forecast differ from those
of the forecast it was created with (its baseline). That is said only once a round ending after
the baseline's date has counted figures (a report sent or accepted): before, today's forecast
reads the same figures as the baseline, so the action is "waiting for the next round".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from parindex.forecasting.models import ActionStatus, GapAction
from parindex.orgs import access
from parindex.reporting.models import Report, ReportStatus

if TYPE_CHECKING:
    from parindex.forecasting.gather import ForecastData

COUNTED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


class Effect:
    MOVED = "moved"  # the points rose
    FELL = "fell"  # they fell
    UNCHANGED = "unchanged"
    WAITING = "waiting"  # no round has counted figures since the baseline


@dataclass(frozen=True)
class Tracked:
    action: GapAction
    name: str  # the leaf's name
    late: bool
    current: Decimal | None  # the leaf's expected points now (None: not in today's tree)
    moved: Decimal | None  # current − baseline, once a later round has figures
    effect: str

    @property
    def status(self) -> str:
        return "late" if self.late else self.action.status


@dataclass(frozen=True)
class Tracking:
    province_id: int
    year: int
    rows: list[Tracked] = field(default_factory=list)
    open: int = 0
    late: int = 0
    done: int = 0
    dropped: int = 0
    moved: int = 0  # actions whose points rose
    points_moved: Decimal = Decimal(0)  # their sum, for the actions that moved up or down

    @property
    def total(self) -> int:
        return len(self.rows)


def counted_round_ends(data: ForecastData) -> list[date]:
    """The ends of the plan's rounds that have counted figures: one query."""
    if not data.rounds:
        return []
    ids = set(
        Report.objects.filter(round__in=data.rounds, status__in=COUNTED)
        .values_list("round_id", flat=True)
        .distinct()
    )
    return [r.ends_on for r in data.rounds if r.pk in ids]


def track(
    data: ForecastData, actions: Iterable[GapAction], *, today: date | None = None
) -> Tracking:
    """Tracking of `actions` (the province's of the year, as the person may read them)."""
    today = today or timezone.localdate()
    ends = counted_round_ends(data)
    nodes = data.result.scenario("expected").result.nodes
    rows: list[Tracked] = []
    for action in actions:
        later = any(action.baseline_as_of is None or end > action.baseline_as_of for end in ends)
        same_tree = action.framework_id == data.framework.pk and action.node_code in nodes
        current = nodes[action.node_code].points if same_tree else None
        moved: Decimal | None = None
        effect = Effect.WAITING
        if later and current is not None:
            moved = current - action.baseline_points
            effect = Effect.MOVED if moved > 0 else Effect.FELL if moved < 0 else Effect.UNCHANGED
        rows.append(
            Tracked(
                action=action,
                name=data.names.get(action.node_code, ""),
                late=action.late_on(today),
                current=current,
                moved=moved,
                effect=effect,
            )
        )
    statuses = [r.action.status for r in rows]
    return Tracking(
        province_id=data.province.pk,
        year=data.year,
        rows=rows,
        open=statuses.count(ActionStatus.OPEN),
        late=sum(1 for r in rows if r.late),
        done=statuses.count(ActionStatus.DONE),
        dropped=statuses.count(ActionStatus.DROPPED),
        moved=sum(1 for r in rows if r.effect == Effect.MOVED),
        points_moved=sum((r.moved for r in rows if r.moved is not None), Decimal(0)),
    )


def tracking_for(
    user: access.AnyUser, data: ForecastData, *, today: date | None = None
) -> Tracking:
    """The dashboard's tracking: the province's actions of the year that `user` reads."""
    actions = (
        access.gap_actions_for(user)
        .filter(province=data.province, year=data.year)
        .select_related("owner")
        .order_by("deadline", "pk")
    )
    return track(data, actions, today=today)
