"""The audit trail: every action function records what it changed through `record`."""

from __future__ import annotations

import contextvars
import hashlib
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


# A text longer than this is kept in the audit log as its beginning, its length and a digest:
# enough to see what changed and to prove which text it was, without a copy on every save.
EXCERPT_CHARS = 300


def bounded(value: Any) -> Any:
    """The value as the audit log keeps it: long texts as an excerpt with a digest."""
    if isinstance(value, str) and len(value) > EXCERPT_CHARS:
        digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
        return f"{value[:EXCERPT_CHARS]}… [{len(value)} characters, sha256 {digest[:16]}]"
    if isinstance(value, list | tuple):
        return [bounded(v) for v in value]
    if isinstance(value, dict):
        return {bounded(k) if isinstance(k, str) else k: bounded(v) for k, v in value.items()}
    return value


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
        changes=bounded(changes or {}),
    )
