"""Numbers and ranges the way the reader's language writes them (82,85 in Vietnamese)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parindex.lib.numbers import format_decimal

register = template.Library()


def _lang() -> str:
    return "vi" if (get_language() or "vi").startswith("vi") else "en"


@register.filter
def points(value: Decimal | int | None) -> str:
    """14.50 → "14,5"; 10.00 → "10"."""
    return format_decimal(value, places=None, lang=_lang())


@register.filter
def score(value: Decimal | int | None) -> str:
    """Two places, rounded half-up: 82.845 → "82,85"."""
    return format_decimal(value, places=2, lang=_lang())


@register.simple_tag
def band_range(band: object, unit: str = "") -> str:
    """A band's numeric range in symbols: "> 90 %", "70 – 90 %", "< 70 %"."""
    lower = getattr(band, "lower", None)
    upper = getattr(band, "upper", None)
    if lower is None and upper is None:
        return ""
    suffix = " %" if unit == "percent" else ""
    lang = _lang()
    low = format_decimal(lower, places=None, lang=lang) if lower is not None else ""
    high = format_decimal(upper, places=None, lang=lang) if upper is not None else ""
    if lower is not None and upper is not None:
        if lower == upper:
            return f"= {low}{suffix}"
        left = "[" if getattr(band, "lower_inclusive", True) else "("
        right = "]" if getattr(band, "upper_inclusive", True) else ")"
        return f"{left}{low}; {high}{right}{suffix}"
    if lower is not None:
        return f"{'≥' if getattr(band, 'lower_inclusive', True) else '>'} {low}{suffix}"
    return f"{'≤' if getattr(band, 'upper_inclusive', True) else '<'} {high}{suffix}"


@register.filter
def yesno_vi(value: bool) -> str:
    return _("yes") if value else _("no")


@register.filter
def lookup(mapping: dict[str, object] | None, key: str) -> object:
    """mapping[key] in a template, for field names built at render time."""
    return (mapping or {}).get(key, "")


@register.filter
def plus1(value: int) -> int:
    return int(value) + 1


@register.filter
def human_path(path: str) -> str:
    """ "0.2.1" → "1.3.2": the review form's target paths as people count."""
    return ".".join(str(int(part) + 1) for part in str(path).split("."))


@register.filter
def number_text(value: object) -> str:
    """A proposal number (int, float or None) for an input field, the Vietnamese way."""
    if value in (None, ""):
        return ""
    return format_decimal(Decimal(str(value)), places=None, lang=_lang())


@register.filter
def as_written(value: Decimal | int | None) -> str:
    """A number with the places it was rounded to (Decimal("92.00") → "92,00", not "92"), the
    Vietnamese way: a column of shares reads alike."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return format_decimal(value, places=places, lang=_lang())
    return format_decimal(Decimal(value), places=0, lang=_lang())


@register.filter
def is_number(value: object) -> bool:
    """A Decimal or an int (not a flag): a table cell written as a number."""
    return isinstance(value, Decimal | int) and not isinstance(value, bool)


@register.filter
def signed(value: Decimal | int | None) -> str:
    """+1,5 / −0,75 / 0: a change of points."""
    if value is None:
        return "—"
    magnitude = Decimal(value)
    text = format_decimal(magnitude.copy_abs(), places=2, lang=_lang())
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return text


@register.simple_tag
def rank_text(result: object) -> str:
    """A scenario's rank: "15", or "15–16" when the published table leaves a range."""
    bounds = getattr(result, "bounds", None)
    if bounds is not None:
        low, high = bounds
        return str(low) if low == high else f"{low}–{high}"
    rank = getattr(result, "rank", None)
    return "—" if rank is None else str(rank)


@register.filter
def aim(quantity: object) -> str:
    """A quantity's or goal's aim as people read it: "≥ 90 %", "= 0 count", "in the top 10"
    (a rank, never "≤ 10"), "above by ≥ 4 %" (the result over its reference)."""
    from parindex.plans.models import Comparator, Measure, QuantityUnit

    comparator = str(getattr(quantity, "comparator", "") or "")
    value = getattr(quantity, "value", None)
    if not comparator or value is None:
        return ""
    high = getattr(quantity, "value_high", None)
    unit = str(getattr(quantity, "unit", "") or "")
    measure = getattr(quantity, "measure", None) or (
        Measure.RANK if unit == QuantityUnit.RANK else Measure.LEVEL
    )
    n = points(value)
    if measure == Measure.RANK:
        if comparator in ("<=", "<"):
            top = value if comparator == "<=" else value - 1
            return _("in the top %(n)s") % {"n": points(top)}
        if comparator == "between" and high is not None:
            return _("ranked %(low)s to %(high)s") % {"low": n, "high": points(high)}
        if comparator == "=":
            return _("ranked %(n)s") % {"n": n}
    amount = n if high is None else f"{n}–{points(high)}"
    units = dict(QuantityUnit.choices)
    amount += " %" if unit == QuantityUnit.PERCENT else f" {units.get(unit, unit)}"
    text = f"{dict(Comparator.choices).get(comparator, comparator)} {amount}"
    if measure == Measure.ABOVE_REFERENCE:
        return _("above by %(aim)s") % {"aim": text}
    if measure == Measure.BELOW_REFERENCE:
        return _("below by %(aim)s") % {"aim": text}
    return text
