from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from hocvuso.core.seeding import SeedContext, seed_all


class Command(BaseCommand):
    help = (
        "Prepare the site: migrate, create the cache table, run every app's seed "
        "step (administrative units, competence framework, default content pack, "
        "an admin account on first run whose password is printed once), collect "
        "static files. Idempotent: run it after every upgrade."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--admin-username", default="admin")
        parser.add_argument("--no-static", action="store_true")
        parser.add_argument(
            "--no-content", action="store_true", help="skip the default content pack"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        quiet = {"verbosity": max(0, verbosity - 1)}
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, **quiet)
        call_command("createcachetable", **quiet)
        seed_all(
            SeedContext(
                write=self.stdout.write,
                options=options,
                success=self.style.SUCCESS,
            )
        )
        if not options["no_static"]:
            call_command("collectstatic", interactive=False, **quiet)
