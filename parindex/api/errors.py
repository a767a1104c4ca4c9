"""Answers every router gives the same way: a write refused as stale (409) and field errors (422)."""

from __future__ import annotations

from ninja import Schema


class StaleOut(Schema):
    """Someone saved after the caller read: what they changed, and the version to read again."""

    detail: str
    changes: list[str]
    version: int


class FieldErrorsOut(Schema):
    """Input refused field by field; nothing was saved."""

    detail: str
    errors: dict[str, list[str]]
