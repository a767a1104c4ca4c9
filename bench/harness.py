"""What every benchmark does around its measurements: local state (SQLite database, secret key,
STATIC_ROOT) in a folder thrown away, Django set up, a throwaway database (a test database on
the PostgreSQL server DATABASE_URL names, else a migrated SQLite file), and a first line saying
where the figures were measured."""

from __future__ import annotations

import os
import platform
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def _database() -> Callable[[], None]:
    """Prepare a throwaway database; returns its clean-up."""
    from django.core.management import call_command
    from django.db import connection

    if os.environ.get("DATABASE_URL"):
        name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        return lambda: connection.creation.destroy_test_db(name, verbosity=0)
    call_command("migrate", verbosity=0)
    return lambda: None


@contextmanager
def django_benchmark(title: str, *, test_environment: bool = False) -> Iterator[None]:
    """Run the block in a set-up Django with a throwaway database, after printing `title` and
    the machine; `test_environment` adds the test client's host and in-memory email."""
    folder = tempfile.mkdtemp(prefix="parindex-bench-")
    os.environ["PARINDEX_VAR_DIR"] = folder
    os.mkdir(os.path.join(folder, "static"))  # so that WhiteNoise does not warn
    os.environ.setdefault("PARINDEX_PLAIN_STATIC", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    try:
        import django

        django.setup()
        from django.db import connection

        if test_environment:
            from django.test.utils import setup_test_environment

            setup_test_environment()
        clean_up = _database()
        try:
            version = ".".join(str(part) for part in connection.get_database_version())
            print(
                f"{title}: {connection.vendor} {version} · Python "
                f"{platform.python_version()} · {os.cpu_count()} CPUs · {platform.machine()}",
                flush=True,
            )
            yield
        finally:
            clean_up()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
