"""What-if scenarios a province keeps to compare: named sets of changed leaf inputs; actions
that close the gap, and the lines they add to their owners' reports.

The forecast itself is never stored: it is computed from the reports, the self-assessment and
the published results each time it is read (`forecasting.gather`).
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parindex.orgs.models import Organisation, User
from parindex.reporting.models import TargetStatus


class Scenario(models.Model):
    """A named what-if: `changes` maps a leaf's code to its input as the API writes it
    ({"value": "96"}, {"numerator": "48", "denominator": "50"}, {"label": "Đạt"})."""

    province = models.ForeignKey(
        Organisation,
        verbose_name=_("province"),
        on_delete=models.CASCADE,
        related_name="scenarios",
        limit_choices_to={"kind": "province"},
    )
    year = models.PositiveIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=120)
    note = models.TextField(_("note"), blank=True)
    changes = models.JSONField(_("changes"), default=dict)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("what-if scenario")
        verbose_name_plural = _("what-if scenarios")
        ordering = ["province", "-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "year", "name"], name="scenario_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class GapAction(models.Model):
    """What an agency will do by a deadline to win back points of one sub-criterion.

    `baseline_points` is the leaf's expected points in the forecast on the day the action was
    created, and `baseline_as_of` the end of the latest period that forecast counted: after a
    round ending later has figures, the leaf's expected points then, against the baseline, say
    whether the points moved (`tracking`)."""

    province = models.ForeignKey(
        Organisation,
        verbose_name=_("province"),
        on_delete=models.CASCADE,
        related_name="gap_actions",
        limit_choices_to={"kind": "province"},
    )
    year = models.PositiveIntegerField(_("year"))
    framework = models.ForeignKey(
        "methodology.Framework",
        verbose_name=_("criteria tree"),
        on_delete=models.PROTECT,
        related_name="gap_actions",
    )
    node_code = models.CharField(_("sub-criterion"), max_length=40)
    title = models.CharField(_("what will be done"), max_length=300)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner agency"),
        on_delete=models.PROTECT,
        related_name="owned_gap_actions",
    )
    deadline = models.DateField(_("deadline"))
    expected_points = models.DecimalField(_("points expected"), max_digits=7, decimal_places=3)
    baseline_points = models.DecimalField(_("points then"), max_digits=7, decimal_places=3)
    baseline_as_of = models.DateField(_("figures then as of"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("action to close the gap")
        verbose_name_plural = _("actions to close the gap")
        ordering = ["province", "-year", "deadline", "pk"]
        indexes = [models.Index(fields=["province", "year"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expected_points__gt=0), name="gap_action_points_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.node_code}: {self.title}"

    def late_on(self, day: date) -> bool:
        return self.status == ActionStatus.OPEN and day > self.deadline


class ActionLine(models.Model):
    """The line an action adds to its owner's report: what was done on it in the period."""

    action = models.ForeignKey(GapAction, on_delete=models.CASCADE, related_name="lines")
    report = models.ForeignKey(
        "reporting.Report", on_delete=models.CASCADE, related_name="action_lines"
    )
    status = models.CharField(
        _("progress"), max_length=12, choices=TargetStatus.choices, blank=True
    )
    description = models.TextField(_("what was done"), blank=True)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("action line")
        verbose_name_plural = _("action lines")
        ordering = ["report", "action__deadline", "action_id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "report"], name="action_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} · {self.action}"
