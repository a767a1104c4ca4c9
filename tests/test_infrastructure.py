"""The test harness itself and scripts/pgcluster.py: what the other tests rely on."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import dj_database_url
import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.staticfiles.storage import StaticFilesStorage, staticfiles_storage
from django.templatetags.static import static

from parindex.orgs import actions
from parindex.orgs.models import Organisation, User

ROOT = Path(__file__).resolve().parents[1]
PGCLUSTER = ROOT / "scripts" / "pgcluster.py"


def load_pgcluster() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pgcluster", PGCLUSTER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("pgcluster", module)
    spec.loader.exec_module(module)
    return module


# --- passwords ---------------------------------------------------------------------------------


@pytest.mark.real_password_hashing
def test_argon2_is_the_configured_default_password_hasher(justice: Organisation) -> None:
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    person = actions.create_person(
        by=None,
        username="argon.stp",
        full_name="Kiểm Tra Băm",
        organisation=justice,
        password="Hoàng-Liên-Sơn-3143",
    )
    assert person.password.startswith("argon2$")
    assert User.objects.get(pk=person.pk).check_password("Hoàng-Liên-Sơn-3143")


def test_other_tests_hash_passwords_quickly(reporter: User) -> None:
    assert make_password("x").startswith("md5$")
    assert reporter.password.startswith("md5$")


# --- files -------------------------------------------------------------------------------------


def test_templates_find_static_files_without_collectstatic() -> None:
    assert type(staticfiles_storage._wrapped) is StaticFilesStorage  # type: ignore[attr-defined]
    assert static("parindex/app.css") == "/static/parindex/app.css"


def test_tests_write_no_files_under_var() -> None:
    var = (ROOT / "var").resolve()
    for folder in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
        assert var not in Path(folder).resolve().parents
        assert Path(folder).is_dir()


# --- scripts/pgcluster.py ----------------------------------------------------------------------


def test_pgcluster_url_names_the_socket_folder_and_port() -> None:
    pgcluster = load_pgcluster()
    cluster = pgcluster.Cluster(folder=Path("/tmp/pgcluster-a b"), port=54321, database="parindex")
    parsed = dj_database_url.parse(cluster.url)
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert (parsed["HOST"], parsed["PORT"], parsed["NAME"], parsed["USER"]) == (
        "/tmp/pgcluster-a b",
        54321,
        "parindex",
        "postgres",
    )


def test_pgcluster_refuses_to_run_without_a_command() -> None:
    result = subprocess.run(
        [sys.executable, str(PGCLUSTER), "run", "--"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "command" in result.stderr


PG_BIN = Path(os.environ.get("PARINDEX_PG_BIN", "/usr/lib/postgresql/15/bin"))


@pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason=f"no PostgreSQL at {PG_BIN}")
def test_pgcluster_runs_the_command_against_a_fresh_cluster_and_cleans_up(
    tmp_path: Path,
) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import os, sys, psycopg\n"
        "url = os.environ['DATABASE_URL']\n"
        "with psycopg.connect(dbname=os.environ['PGDATABASE'], host=os.environ['PGHOST'],\n"
        "                     port=os.environ['PGPORT'], user='postgres') as conn:\n"
        "    version = conn.execute('show server_version').fetchone()[0]\n"
        "    encoding = conn.execute('show server_encoding').fetchone()[0]\n"
        "print(os.environ['PGHOST'], version, encoding, url, sep='|')\n"
        "sys.exit(7)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    result = subprocess.run(
        [sys.executable, str(PGCLUSTER), "run", "--", sys.executable, str(probe)],
        capture_output=True,
        text=True,
        check=False,
        env={**env, "PARINDEX_PG_BIN": str(PG_BIN)},
        timeout=120,
    )
    assert result.returncode == 7, result.stderr
    folder, version, encoding, url = result.stdout.strip().split("|")
    assert version.startswith(PG_BIN.parent.name + ".")
    assert encoding == "UTF8"
    assert url.startswith("postgres://postgres@%2F")
    assert f"PostgreSQL at {folder}" in result.stderr
    assert not Path(folder).exists()


def test_the_suite_is_run_by_the_makefile_on_both_databases() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "scripts/pgcluster.py run --" in makefile
    assert "PG_MARKERS ?= not browser" in makefile
    ci = ROOT / ".ci" / "run"
    assert ci.read_text().rstrip().endswith("exec make test")
    assert os.access(ci, os.X_OK)
