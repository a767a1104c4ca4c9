"""Forms of the reporting screens: opening a round, and reading what a reporter typed.

The report form is too irregular for a Django form (one row per target, one or two numbers per
quantity), so `read_report` reads the POST data itself: numbers the Vietnamese way ("95,5"),
text in NFC, and number errors keyed the way `actions.save_report` keys its own
(`v{value_id}-numerator`, `i{item_id}-status`), so both show beside the same field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.lib.numbers import NumberFormatError, parse_decimal
from parindex.lib.text import clean_input
from parindex.orgs import inputs
from parindex.plans.models import Plan
from parindex.reporting.actions import (
    REMIND_BEFORE_MAX,
    ItemInput,
    remind_after_error,
    remind_before_error,
)
from parindex.reporting.models import Item, PeriodKind, Round
from parindex.web.forms import DATE_WIDGET, WholeNumberField


class RoundForm(forms.Form):
    plan = forms.ModelChoiceField(label=gettext_lazy("Plan"), queryset=Plan.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("Period"), choices=PeriodKind.choices)
    number = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"),
        choices=[(1, "I"), (2, "II"), (3, "III"), (4, "IV")],
        coerce=int,
        initial=1,
        required=False,
        help_text=gettext_lazy("For a quarterly round."),
    )
    deadline = forms.DateField(label=gettext_lazy("Deadline"), widget=DATE_WIDGET)
    starts_on = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=DATE_WIDGET,
        help_text=gettext_lazy("For a custom range only; other periods follow the plan's year."),
    )
    ends_on = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE_WIDGET)
    # Limits and ranges are checked by actions.open_round, for the API alike: one message.
    title = forms.CharField(
        label=gettext_lazy("Title"),
        required=False,
        help_text=gettext_lazy("Leave empty for the usual title, such as “Quarter I/2026 report”."),
    )
    remind_days_before = WholeNumberField(
        label=gettext_lazy("Remind this many days before the deadline"),
        initial=3,
        widget=forms.NumberInput(attrs={"min": 0, "max": REMIND_BEFORE_MAX}),
    )
    remind_days_after = forms.CharField(
        label=gettext_lazy("Remind this many days after the deadline"),
        required=False,
        initial="1,3,7",
        help_text=gettext_lazy("Days late, separated by commas, such as 1,3,7."),
    )
    notify = forms.BooleanField(
        label=gettext_lazy("Email the agencies that the round is open"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, plans: QuerySet[Plan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]

    # The action's own checks, so the form shows them even when another field is wrong.
    def clean_title(self) -> str:
        try:
            return inputs.field_text(Round, "title", self.cleaned_data.get("title") or "")
        except ValidationError as refusal:
            raise forms.ValidationError(refusal.messages[0]) from None

    def clean_remind_days_before(self) -> int:
        days: int = self.cleaned_data["remind_days_before"]
        if message := remind_before_error(days):
            raise forms.ValidationError(message)
        return days

    def clean_remind_days_after(self) -> str:
        text: str = self.cleaned_data.get("remind_days_after") or ""
        if message := remind_after_error(text):
            raise forms.ValidationError(message)
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == PeriodKind.QUARTER and not data.get("number"):
            self.add_error("number", _("Choose the quarter."))
        if data.get("kind") == PeriodKind.CUSTOM:
            for name in ("starts_on", "ends_on"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("A custom range needs its first and last day."))
        return data


def number_input(value: Decimal | None, lang: str = "vi") -> str:
    """A stored number as typed back into a field: no thousands separators, "95,5" in Vietnamese."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "vi" else text


def read_number(text: str | None) -> Decimal | None:
    """Empty → None; "95,5", "1.234" or "95.5" → Decimal; anything else raises ValueError."""
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return parse_decimal(raw)
    except (NumberFormatError, InvalidOperation):
        raise ValueError(raw) from None


@dataclass
class ReportInput:
    """What the report form sent: ready for `save_report`, or the errors to show beside fields."""

    narrative: str | None
    items: dict[int, ItemInput]
    typed: dict[str, str] = field(default_factory=dict)  # field name → text as typed
    errors: dict[str, str] = field(default_factory=dict)


def read_report(data: Mapping[str, Any], items: Iterable[Item]) -> ReportInput:
    """Read the fields of the items the form showed (an item without its status field was not
    editable, such as a target already accepted, and is left alone)."""
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    inputs: dict[int, ItemInput] = {}
    narrative = data.get("narrative")
    if narrative is not None:
        narrative = clean_input(str(narrative)).strip()
        typed["narrative"] = narrative
    for item in items:
        status_key = f"i{item.pk}-status"
        if status_key not in data:
            continue
        status = str(data.get(status_key) or "").strip()
        description = clean_input(str(data.get(f"i{item.pk}-description") or "")).strip()
        typed[status_key] = status
        typed[f"i{item.pk}-description"] = description
        values: dict[int, tuple[Decimal | None, Decimal | None]] = {}
        for value in item.values.all():
            numbers: list[Decimal | None] = []
            parts = (
                ("numerator", "denominator") if value.quantity.unit == "percent" else ("numerator",)
            )
            for part in parts:
                key = f"v{value.pk}-{part}"
                text = str(data.get(key) or "")
                typed[key] = text.strip()
                try:
                    numbers.append(read_number(text))
                except ValueError:
                    errors[key] = _("Enter a number, such as 95,5.")
                    numbers.append(None)
            values[value.pk] = (numbers[0], numbers[1] if len(numbers) > 1 else None)
        inputs[item.pk] = ItemInput(status=status, description=description, values=values)
    return ReportInput(narrative, inputs, typed, errors)
