"""The `parindex` console command: Django's management commands under the product's name."""

from __future__ import annotations

import os
import signal
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    # `parindex plan parse FILE | head` should stop quietly, as other command-line tools do.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["parindex", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
