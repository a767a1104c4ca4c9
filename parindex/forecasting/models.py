"""What-if scenarios a province keeps to compare: named sets of changed leaf inputs.

The forecast itself is never stored: it is computed from the reports, the self-assessment and
the published results each time it is read (`forecasting.gather`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.orgs.models import Organisation, User


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
