"""Deployment checks of our own, run by `parindex check --deploy` beside Django's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


def _directive(policy: str, name: str) -> list[str] | None:
    for part in policy.split(";"):
        words = part.split()
        if words and words[0].lower() == name:
            return [w.lower() for w in words[1:]]
    return None


@register(Tags.security, deploy=True)
def content_security_policy(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    policy = settings.PARINDEX_CSP or ""
    if not policy.strip():
        return [
            Warning(
                "PARINDEX_CSP is empty: pages are served without a Content-Security-Policy.",
                hint="Leave PARINDEX_CSP unset to use the built-in policy.",
                id="parindex.W001",
            )
        ]
    scripts = _directive(policy, "script-src") or _directive(policy, "default-src") or []
    unsafe = [w for w in scripts if w in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:")]
    if unsafe:
        return [
            Warning(
                f"The Content-Security-Policy lets scripts run from {', '.join(unsafe)}.",
                hint="parindex needs no inline script: remove these from script-src.",
                id="parindex.W002",
            )
        ]
    return []
