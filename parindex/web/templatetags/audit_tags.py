"""Audit entries in words in templates: `{{ entry|action_label }}`, `{{ entry|changes }}`."""

from __future__ import annotations

from django import template

from parindex.orgs.models import AuditEntry
from parindex.web import audit_words

register = template.Library()


@register.filter
def action_label(entry: AuditEntry) -> str:
    return audit_words.action_label(entry.action)


@register.filter
def changes(entry: AuditEntry) -> list[tuple[str, str, str]]:
    return audit_words.describe(entry)
