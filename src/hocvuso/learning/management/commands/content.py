from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.learning.errors import PackInvalid
from hocvuso.learning.packs import pack_read
from hocvuso.learning.packsource import PackSource, PackSourceError
from hocvuso.learning.services import pack_import

DEFAULT_PACK = Path(__file__).resolve().parents[2].parent / "content" / "default"


class Command(BaseCommand):
    help = (
        "Validate or import a content pack (folder or zip). "
        "`validate` lists every problem with file and line and exits 1 when the "
        "pack is invalid; `import` is idempotent and all-or-nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["validate", "import"])
        parser.add_argument(
            "pack",
            nargs="?",
            type=Path,
            default=DEFAULT_PACK,
            help="pack folder or zip (default: the built-in default pack)",
        )
        parser.add_argument(
            "--force", action="store_true", help="re-import even if unchanged"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            source = PackSource.open(options["pack"])
        except PackSourceError as exc:
            raise CommandError(str(exc)) from exc
        if options["action"] == "validate":
            self._validate(source)
        else:
            self._import(source, force=options["force"])

    def _validate(self, source: PackSource) -> None:
        report = pack_read(source)
        for issue in report.issues:
            self.stderr.write(str(issue))
        if not report.ok:
            self.stderr.write(f"{source.label}: {len(report.issues)} problem(s).")
            sys.exit(1)
        pack = report.pack
        assert pack is not None
        lessons = sum(len(c.lessons) for c in pack.courses)
        self.stdout.write(
            f"{source.label}: valid — pack {pack.id} {pack.version}, "
            f"{len(pack.courses)} courses, {lessons} lessons, {len(pack.items)} items, "
            f"{len(pack.blueprints)} blueprints."
        )

    def _import(self, source: PackSource, *, force: bool) -> None:
        interactive = self.stdout.isatty()

        def progress(done: int, total: int, label: str) -> None:
            if interactive or done == total or done % 20 == 0:
                self.stdout.write(f"  [{done}/{total}] {label}")

        try:
            result = pack_import(
                source=source, actor=None, progress=progress, force=force
            )
        except PackInvalid as exc:
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise CommandError(
                f"{source.label}: {len(exc.issues)} problem(s); nothing was imported."
            ) from exc
        if result.unchanged:
            self.stdout.write(
                f"Content pack {result.pack.slug} {result.pack.version}: unchanged."
            )
            return
        self.stdout.write(
            f"Content pack {result.pack.slug} {result.pack.version}: "
            f"{result.courses} courses, {result.lessons_created} lessons created, "
            f"{result.lessons_updated} updated, {result.lessons_archived} archived."
        )
