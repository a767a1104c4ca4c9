"""Forms of the actions that close the gap. They read what was typed; `forecasting.actions`
checks it (the leaf, the owner, the deadline, the points) with the same messages as the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from parindex.forecasting.models import GapAction
from parindex.orgs.models import Organisation
from parindex.web.forms import DATE_WIDGET, VnDecimalField


class GapActionForm(forms.Form):
    node_code = forms.ChoiceField(label=_("Point at stake"))
    title = forms.CharField(
        label=_("What will be done"),
        max_length=GapAction._meta.get_field("title").max_length,
        widget=forms.TextInput(
            attrs={"placeholder": _("Such as: check 12 more agencies in quarter III")}
        ),
    )
    owner = forms.ModelChoiceField(label=_("Owner agency"), queryset=Organisation.objects.none())
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_WIDGET)
    expected_points = VnDecimalField(
        label=_("Points expected"),
        help_text=_("The points the action is expected to win, at most those at stake."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        stakes: list[tuple[str, str]],
        owners: QuerySet[Organisation],
        fixed_code: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node_code"].choices = stakes  # type: ignore[attr-defined]
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        if fixed_code:
            # An action's sub-criterion stays what it was created for.
            del self.fields["node_code"]
