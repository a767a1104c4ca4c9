"""Receivers of other apps' signals, connected in `ForecastingConfig.ready`."""

from __future__ import annotations

from typing import Any

from parindex.reporting.models import Report, Round


def round_opened(sender: Any, *, round: Round, reports: list[Report], **kwargs: Any) -> None:
    """A round just opened: the owners' open actions get their lines in its reports."""
    from parindex.forecasting.actions import add_lines_for_round

    add_lines_for_round(round, reports)
