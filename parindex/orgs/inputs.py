"""What a value must be to be stored: every number against its column, every text against its
limit, text cleaned of the characters a file cannot hold.

Actions check what they are given here, so the web, the API, the command line and imports refuse
the same things with the same message; `require_storable` also runs before every save of a
domain model (see `apps.OrgsConfig.ready`), so the database never sees a value it cannot hold.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import translation
from django.utils.translation import gettext as _

from parindex.lib.numbers import format_decimal
from parindex.lib.text import clean_input

# Free text without a column limit of its own: what a person could sensibly write there.
# Longer text is refused, never cut.
NARRATIVE_LIMIT = 20_000
LONG_TEXT_LIMIT = 5_000
COMMENT_LIMIT = 2_000
# The text of an uploaded plan document, kept beside its staging for the review screen.
DOCUMENT_TEXT_LIMIT = 2_000_000
TEXT_LIMITS: dict[str, int] = {
    "reporting.report.narrative": NARRATIVE_LIMIT,
    "reporting.item.description": LONG_TEXT_LIMIT,
    "reporting.item.review_comment": COMMENT_LIMIT,
    "reporting.reminder.recipients": 20_000,
    "plans.planimport.source_text": DOCUMENT_TEXT_LIMIT,
    "methodology.framework.source": LONG_TEXT_LIMIT,
    "assessment.entry.appraisal_comment": COMMENT_LIMIT,
}
DEFAULT_TEXT_LIMIT = LONG_TEXT_LIMIT

# Apps whose models are checked before every save.
DOMAIN_APPS = {
    "orgs",
    "methodology",
    "plans",
    "reporting",
    "assessment",
    "benchmark",
    "forecasting",
    "surveys",
}


def text_limit(field: models.Field[Any, Any]) -> int:
    """Characters a text field may hold: its column's max_length, or the limit set above."""
    if isinstance(field, models.CharField) and field.max_length:
        return int(field.max_length)
    model = field.model._meta.label_lower
    return TEXT_LIMITS.get(f"{model}.{field.name}", DEFAULT_TEXT_LIMIT)


def _count(n: int) -> str:
    lang = "vi" if (translation.get_language() or "vi").startswith("vi") else "en"
    return format_decimal(n, places=0, lang=lang)


def text_error(text: str, limit: int) -> str | None:
    if len(text) > limit:
        return _("At most %(limit)s characters (this has %(n)s).") % {
            "limit": _count(limit),
            "n": _count(len(text)),
        }
    return None


def clean_text(text: str, limit: int, *, field: str = "__all__") -> str:
    """The text as stored (NFC, no characters XML forbids, no surrounding space), or a
    ValidationError keyed by `field` when it is longer than `limit`."""
    cleaned = clean_input(text).strip()
    message = text_error(cleaned, limit)
    if message:
        raise ValidationError({field: message})
    return cleaned


def field_text(model: type[models.Model], name: str, text: str) -> str:
    """`clean_text` against the limit of `model.name`."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return clean_text(text, text_limit(field), field=name)


def decimal_error(
    value: Decimal,
    max_digits: int,
    decimal_places: int,
    *,
    minimum: Decimal | None = None,
) -> str | None:
    """Why a column of `max_digits` digits, `decimal_places` of them after the point, cannot
    hold `value`; None when it can. Works without a decimal context, so 1e999999999 is refused,
    not raised."""
    if not value.is_finite():
        return _("Enter a number, such as 95,5.")
    whole = max_digits - decimal_places
    if value and value.adjusted() >= whole:
        return _("The number is too large: at most %(digits)s digits before the decimal point.") % {
            "digits": whole
        }
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    stripped = list(digits)
    while len(stripped) > 1 and stripped[-1] == 0:
        stripped.pop()
        exponent += 1
    if any(stripped) and exponent < -decimal_places:
        if decimal_places == 0:
            return _("Enter a whole number.")
        return _("At most %(places)s digits after the decimal point.") % {"places": decimal_places}
    if minimum is not None and value < minimum:
        if minimum == 0:
            return _("A count cannot be negative.")
        return _("The smallest value allowed is %(n)s.") % {"n": minimum}
    return None


def integer_range(field: models.Field[Any, Any]) -> tuple[int | None, int | None]:
    """The smallest and largest values an integer column holds on every supported database
    (SQLite would take any 64-bit number; PostgreSQL's smallint stops at 32 767)."""
    low, high = BaseDatabaseOperations.integer_field_ranges.get(
        field.get_internal_type(), (None, None)
    )
    return low, high


def integer_error(
    value: int, field: models.Field[Any, Any], *, low: int | None = None, high: int | None = None
) -> str | None:
    """Why `field` cannot hold `value` (its column's range, narrowed by `low`/`high`)."""
    column_low, column_high = integer_range(field)
    lows = [x for x in (column_low, low) if x is not None]
    highs = [x for x in (column_high, high) if x is not None]
    smallest = max(lows) if lows else None
    largest = min(highs) if highs else None
    if (smallest is not None and value < smallest) or (largest is not None and value > largest):
        if smallest is not None and largest is not None:
            return _("Enter a whole number from %(low)s to %(high)s.") % {
                "low": smallest,
                "high": largest,
            }
        if smallest is not None:
            return _("The smallest value allowed is %(n)s.") % {"n": smallest}
        return _("The largest value allowed is %(n)s.") % {"n": largest}
    return None


def field_number_error(
    model: type[models.Model], name: str, value: Decimal | int | None, **limits: Any
) -> str | None:
    """Whether `model.name`'s column holds `value`: one check for decimals and integers."""
    if value is None:
        return None
    field = model._meta.get_field(name)
    if isinstance(field, models.DecimalField):
        return decimal_error(
            Decimal(value), field.max_digits or 0, field.decimal_places or 0, **limits
        )
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            return _("Enter a whole number.")
        value = int(value)
    assert isinstance(field, models.Field)
    return integer_error(value, field, **limits)


def storable_errors(instance: models.Model) -> dict[str, str]:
    """Clean the instance's text in place and say which of its fields its columns cannot hold."""
    errors: dict[str, str] = {}
    for field in instance._meta.concrete_fields:
        if field.is_relation or field.primary_key:
            continue
        value = getattr(instance, field.attname)
        if value is None:
            continue
        if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
            cleaned = clean_input(value)
            if cleaned != value:
                setattr(instance, field.attname, cleaned)
            message = text_error(cleaned, text_limit(field))
        elif isinstance(field, models.DecimalField) and isinstance(value, Decimal | int):
            message = decimal_error(
                Decimal(value), field.max_digits or 0, field.decimal_places or 0
            )
        elif isinstance(field, models.IntegerField) and isinstance(value, int):
            message = integer_error(value, field)
        else:
            message = None
        if message:
            errors[field.name] = message
    return errors


def require_storable(instance: models.Model) -> None:
    errors = storable_errors(instance)
    if errors:
        raise ValidationError(errors)
