"""Reporting rounds: each responsible agency reports on its targets for a period; Home Affairs
reviews each target and consolidates.

A round belongs to a plan and a period. Opening it creates one report per agency that leads or
coordinates a target, with one item per such target and one value per measurable quantity.
Values keep numerator and denominator (the rate is computed, never typed). Every edit and state
change is recorded in the audit trail against the report, so the report shows its history.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.orgs.models import Organisation, User
from parindex.plans.models import Plan, Quantity, Target


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    HALF_YEAR = "half_year", _("Six months")
    YEAR = "year", _("Year")
    CUSTOM = "custom", _("Custom range")


class Round(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="rounds")
    kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    # 1–4 for quarters, 1 for the six months and the year; 0 for a custom range.
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    deadline = models.DateField(_("deadline"))
    title = models.CharField(_("title"), max_length=200)
    remind_days_before = models.PositiveSmallIntegerField(_("remind days before"), default=3)
    # Reminders after the deadline, e.g. "1,3,7" days late.
    remind_days_after = models.CharField(_("remind days after"), max_length=50, default="1,3,7")
    opened_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "starts_on", "ends_on"], name="round_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="round_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def after_days(self) -> list[int]:
        return sorted({int(p) for p in self.remind_days_after.split(",") if p.strip().isdigit()})

    def previous(self) -> Round | None:
        """The most recent earlier round of the same plan: the one whose period ended last
        before this one's (or, ending the same day, the shorter one: Q4 before the year)."""
        return (
            Round.objects.filter(plan_id=self.plan_id)
            .filter(
                models.Q(ends_on__lt=self.ends_on)
                | models.Q(ends_on=self.ends_on, starts_on__gt=self.starts_on)
            )
            .exclude(pk=self.pk)
            .order_by("-ends_on", "starts_on", "-pk")
            .first()
        )


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


class Report(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reports")
    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    narrative = models.TextField(_("summary of the period"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when the first submission came after the deadline; a late report stays late.
    late = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Optimistic lock: a save carrying an older version is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["round", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["round", "agency"], name="report_unique")]

    def __str__(self) -> str:
        return f"{self.round} · {self.agency}"


# A report's state as people see it: its status, or "late"/"missing" once the deadline passed
# (see actions.state_on). One set of labels for every screen that shows it.
STATE_LABELS = {
    "draft": _("Draft"),
    "submitted": _("Submitted"),
    "returned": _("Returned"),
    "accepted": _("Accepted"),
    "late": _("Late"),
    "missing": _("Missing"),
}
# The order in which counts of a round's states are shown, the same on every screen.
STATE_ORDER = ["submitted", "late", "missing", "accepted", "returned", "draft"]


class TargetStatus(models.TextChoices):
    DONE = "done", _("Done")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    NOT_STARTED = "not_started", _("Not started")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class Item(models.Model):
    """What one agency reports on one target in one round."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="items")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="report_items")
    lead = models.BooleanField(default=False)
    status = models.CharField(
        _("progress"), max_length=12, choices=TargetStatus.choices, blank=True
    )
    description = models.TextField(_("what was done"), blank=True)
    review = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["report", "position"]
        constraints = [models.UniqueConstraint(fields=["report", "target"], name="item_unique")]

    def __str__(self) -> str:
        return f"{self.report} · {self.target}"


class ReviewedState(models.Model):
    """What a target said when its reviewer last decided on it (accepted, returned or reopened
    it), so that a resubmitted target shows before → after. Kept apart from the item: the round
    overview and the exports read every item of a round and need none of it.

    state: {"status": ..., "description": ..., "values": {"<value id>": ["<num>", "<den>"]}}
    """

    item = models.OneToOneField(
        Item, on_delete=models.CASCADE, primary_key=True, related_name="reviewed_state"
    )
    state = models.JSONField()
    taken_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.taken_at:%Y-%m-%d %H:%M}"


class Value(models.Model):
    """The underlying counts for one measurable quantity.

    A rate is numerator / denominator (dossiers resolved on time / dossiers resolved); a count
    or an amount is the numerator alone.
    """

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="values")
    quantity = models.ForeignKey(Quantity, on_delete=models.PROTECT, related_name="values")
    # Amounts in đồng reach 10^12 and more: 18 digits before the point. SQLite keeps whole
    # numbers of that size exact (64-bit integers); PostgreSQL keeps every digit.
    numerator = models.DecimalField(
        _("numerator"), max_digits=22, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=22, decimal_places=4, null=True, blank=True
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "quantity"], name="value_unique")]

    def __str__(self) -> str:
        return f"{self.quantity}: {self.numerator}/{self.denominator}"

    @property
    def rate(self) -> Decimal | None:
        if self.numerator is None or not self.denominator:
            return None
        return self.numerator * 100 / self.denominator


def evidence_path(instance: Evidence, filename: str) -> str:
    report = instance.item.report
    return f"evidence/{report.round_id}/{report.pk}/{instance.item_id}/{filename}"


class Evidence(models.Model):
    """A document proving what was reported, stored outside the web root."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["item", "uploaded_at"]

    def __str__(self) -> str:
        return self.name


class Reminder(models.Model):
    """A reminder sent, so the same one is not sent twice."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders")
    # Negative: days before the deadline; positive: days after.
    offset_days = models.SmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "offset_days"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.offset_days:+d}"
