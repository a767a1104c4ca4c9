"""The `parindex` console command: Django's management commands under the product's name."""

from __future__ import annotations

import os
import signal
import sys

# Commands that set the database up or look at its migrations: a database error there is theirs.
_MIGRATION_COMMANDS = {
    "migrate",
    "makemigrations",
    "showmigrations",
    "sqlmigrate",
    "squashmigrations",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    # `parindex plan parse FILE | head` should stop quietly, as other command-line tools do.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    args = sys.argv[1:] if argv is None else argv
    try:
        execute_from_command_line(["parindex", *args])
    except DatabaseError:
        database = _unmigrated_database(args)
        if database is None:
            raise
        sys.stderr.write(
            f"parindex: the database {database} is not set up for this version of parindex "
            "(migrations are not applied). Run `parindex migrate` first, then run the command "
            "again.\n"
        )
        sys.exit(1)


def _unmigrated_database(args: list[str]) -> str | None:
    """The database's name when it lacks migrations this version needs (a new, empty file, or
    one left by an earlier version); None when the error has another cause."""
    if args and args[0] in _MIGRATION_COMMANDS:
        return None
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        connection.close()  # a failed statement may have left the connection unusable
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return None
    return str(connection.settings_dict.get("NAME") or "") if pending else None


if __name__ == "__main__":
    main()
