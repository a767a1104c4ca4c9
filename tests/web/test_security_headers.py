"""Pages a browser will not let an injected script run in, and a production configuration
that Django's deployment checks find clean."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import Client
from django.test.utils import override_settings

from parindex.orgs.models import Organisation, User
from parindex.reporting.models import Report

ClientFor = Callable[[User], Client]
ROOT = Path(__file__).resolve().parents[2]

# A <script> that runs code (JSON data blocks are not run), an on…= handler, a style attribute.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def policy_of(response: object) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]  # type: ignore[attr-defined]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


def test_every_page_carries_a_policy_without_inline_script(client: Client, db: None) -> None:
    for path in ("/login/", "/api/docs"):
        policy = policy_of(client.get(path))
        assert policy["script-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]


def test_the_pages_people_use_have_no_inline_script_handler_or_style(
    client_for: ClientFor,
    reporter: User,
    coordinator: User,
    justice_report: Report,
    lao_cai: object,
) -> None:
    province: Organisation = lao_cai.province  # type: ignore[attr-defined]
    pages = {
        reporter: ["/", f"/reports/{justice_report.pk}/", "/reports/", "/account/"],
        coordinator: [
            "/",
            "/orgs/",
            f"/orgs/{province.pk}/",
            "/people/",
            "/criteria/",
            "/plans/",
            f"/plans/{justice_report.round.plan_id}/",
            f"/reports/rounds/{justice_report.round_id}/",
            "/audit/",
        ],
    }
    for user, paths in pages.items():
        client = client_for(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            html = response.content.decode()
            assert not INLINE_SCRIPT.search(html), (path, INLINE_SCRIPT.search(html))
            assert not HANDLER.search(html), (path, HANDLER.search(html))
            assert not STYLE_ATTRIBUTE.search(html), (path, STYLE_ATTRIBUTE.search(html))


def deploy_check(**environ: str) -> subprocess.CompletedProcess[str]:
    # A server's environment: none of the test run's own settings (the browser tests, for one,
    # set DJANGO_ALLOW_ASYNC_UNSAFE, which the deployment checks rightly refuse).
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PARINDEX_", "DJANGO_", "DATABASE_URL"))
    }
    env["PARINDEX_VAR_DIR"] = os.environ.get("PARINDEX_VAR_DIR") or tempfile.mkdtemp(
        prefix="parindex-deploy-"
    )
    env.update(environ)
    return subprocess.run(
        [sys.executable, "-m", "parindex.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# The production settings the README documents.
PRODUCTION = {
    "PARINDEX_HTTPS": "true",
    "PARINDEX_ALLOWED_HOSTS": "cchc.laocai.gov.vn",
    "PARINDEX_SECRET_KEY": secrets.token_urlsafe(50),
}


def test_the_documented_production_settings_pass_the_deployment_checks() -> None:
    result = deploy_check(**PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checks_name_what_a_plain_http_setup_lacks() -> None:
    result = deploy_check(PARINDEX_SECRET_KEY=PRODUCTION["PARINDEX_SECRET_KEY"])
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012"):
        assert check in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("policy", "warning"),
    [
        ("", "parindex.W001"),
        ("default-src 'self'; script-src 'self' 'unsafe-inline'", "parindex.W002"),
        ("default-src *", "parindex.W002"),
    ],
)
def test_a_weakened_policy_is_reported_by_the_deployment_checks(policy: str, warning: str) -> None:
    with override_settings(PARINDEX_CSP=policy):
        found = {message.id for message in run_checks(include_deployment_checks=True)}
    assert warning in found
