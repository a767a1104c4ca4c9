"""`parindex demo`: load the demo province and print who can sign in."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from parindex.orgs.audit import channel
from parindex.orgs.models import Role
from parindex.web.demo import DEMO_PASSWORD, PEOPLE, DemoError, demo_exists, load_demo


class Command(BaseCommand):
    help = "Load the demo province (Lào Cai 2020), its criteria trees and demo people."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the demo is already loaded."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_exists():
            if not options["if_empty"]:
                raise CommandError("the demo province is already loaded")
            self.stdout.write("The demo province is already loaded.")
        else:
            with channel("cli"):
                try:
                    load_demo()
                except DemoError as error:
                    raise CommandError(str(error)) from None
            self.stdout.write(
                "Loaded the demo province: Lào Cai (2020) and its 2025 reorganisation, criteria trees, plan 165/KH-UBND, and the generated 2020 satisfaction survey sipas-2020."
            )
        labels = dict(Role.choices)
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for person in PEOPLE:
            self.stdout.write(
                f"  {person.username:<11} {labels[person.role]:<28} {person.full_name}"
            )
        self.stdout.write(f"  {'quantri':<11} {'Administrator':<28} Django admin at /admin/")
