"""Who an export at the command line reads as: one policy for `parindex export` and
`parindex report export`.

An export names its reader: `--as USERNAME` runs it with that person's access (the same rule as
the screens and the API), or `--all` reads everything, as the operator of the server may, and
records that it did in the audit log (channel "cli"), so a full export is never silent. Neither
is refused: nothing is exported without somebody choosing whose view it is.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from parindex.exports.registry import system_user
from parindex.orgs.access import AnyUser
from parindex.orgs.models import User

NEED_READER = (
    "say whose view to export: --as USERNAME (that person's access) or --all (everything, "
    "recorded in the audit log)"
)


def add_reader_arguments(parser: ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--as",
        dest="username",
        metavar="USERNAME",
        help="Run with this person's access: the export holds what they may see.",
    )
    group.add_argument(
        "--all",
        dest="everything",
        action="store_true",
        help="Read everything, as the server's operator; recorded in the audit log.",
    )


def reader(options: dict[str, Any]) -> AnyUser:
    """The person an export reads as, from --as or --all; refuses when neither is given."""
    if options.get("username"):
        person = User.objects.filter(username=options["username"], is_active=True).first()
        if person is None:
            raise CommandError(f"no active person with username {options['username']!r}")
        return person
    if options.get("everything"):
        return system_user()
    raise CommandError(NEED_READER)
