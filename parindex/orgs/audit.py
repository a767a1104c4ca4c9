"""The audit trail: every action function records what it changed through `record`."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from parindex.orgs.models import AuditEntry, Channel, Organisation, User

_channel: contextvars.ContextVar[str] = contextvars.ContextVar("audit_channel", default="system")


@contextmanager
def channel(name: str) -> Iterator[None]:
    """Mark writes made inside the block as coming from the web, the API or the CLI."""
    token = _channel.set(name)
    try:
        yield
    finally:
        _channel.reset(token)


def current_channel() -> str:
    return _channel.get()


def plain(value: Any) -> Any:
    """A JSON-friendly copy of a field value for the changes column."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = set(before) | set(after)
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(keys)
        if before.get(key) != after.get(key)
    }


def record(
    actor: User | None,
    action: str,
    obj: models.Model,
    *,
    province: Organisation | int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    province_id = province.pk if isinstance(province, Organisation) else province
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=(str(actor) if actor is not None else "") or "",
        channel=current_channel() if current_channel() in Channel.values else Channel.SYSTEM,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        province_id=province_id,
        changes=changes or {},
    )
