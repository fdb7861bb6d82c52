from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.framework.errors import FrameworkError
from hocvuso.framework.services import (
    DEFAULT_FRAMEWORK_FILE,
    DEFAULT_TARGET_GROUPS_FILE,
    framework_load,
    target_groups_load,
)


class Command(BaseCommand):
    help = "Load a competence framework version and the target groups (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--framework", type=Path, default=DEFAULT_FRAMEWORK_FILE)
        parser.add_argument(
            "--target-groups", type=Path, default=DEFAULT_TARGET_GROUPS_FILE
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = framework_load(path=options["framework"])
            groups = target_groups_load(path=options["target_groups"])
        except FrameworkError as exc:
            raise CommandError(str(exc)) from exc
        state = (
            "created"
            if result.created
            else "updated"
            if result.changed
            else "unchanged"
        )
        fw = result.framework
        self.stdout.write(
            f"Framework {fw.key}: {state}; {fw.domains.count()} domains, "
            f"{fw.competences.count()} competences, {fw.levels.count()} levels; "
            f"{groups} target groups."
        )
