from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.packs.errors import PackInvalid, PackNotFound, PackSourceError
from hocvuso.packs.seed import DEFAULT_PACK
from hocvuso.packs.services import (
    PackPlan,
    pack_import,
    pack_plan,
    pack_publish,
    pack_validate,
)
from hocvuso.packs.source import PackSource


class Command(BaseCommand):
    help = (
        "Validate or import a content pack (folder or zip). "
        "`validate` lists every problem with file and line and exits 1 when the "
        "pack is invalid; it needs no database (it checks against the framework "
        "and target groups shipped with hocvuso, or the site's with --database). "
        "`import` is idempotent and all-or-nothing; with --draft a new pack "
        "arrives as a draft that only content editors see, until "
        "`content publish PACK_ID`; `import --dry-run` lists the courses, "
        "lessons, items and blueprints it would add, change or archive, and "
        "writes nothing."
    )

    def create_parser(
        self, prog_name: str, subcommand: str, **kwargs: Any
    ) -> CommandParser:
        """Accept options before the pack too (``import --dry-run PACK``)."""
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.parse_args = parser.parse_intermixed_args  # type: ignore[method-assign]
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["validate", "import", "publish"])
        parser.add_argument(
            "pack",
            nargs="?",
            type=Path,
            default=DEFAULT_PACK,
            help="pack folder or zip (default: the built-in default pack); "
            "for publish: the pack id",
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help="import as a draft: editors preview it, learners do not see it",
        )
        parser.add_argument(
            "--force", action="store_true", help="re-import even if unchanged"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="import: list what would change, write nothing",
        )
        parser.add_argument(
            "--database",
            action="store_true",
            help="validate against this site's framework and target groups",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "publish":
            self._publish(str(options["pack"]))
            return
        try:
            source = PackSource.open(options["pack"])
        except PackSourceError as exc:
            raise CommandError(str(exc)) from exc
        if options["action"] == "validate":
            self._validate(source, database=options["database"])
        elif options["dry_run"]:
            self._plan(source)
        else:
            self._import(source, force=options["force"], draft=options["draft"])

    def _validate(self, source: PackSource, *, database: bool) -> None:
        report = pack_validate(source=source, database=database)
        for issue in report.issues:
            self.stderr.write(str(issue))
        if not report.ok or report.pack is None:
            self.stderr.write(f"{source.label}: {len(report.issues)} problem(s).")
            sys.exit(1)
        parts = ", ".join(f"{n} {key}" for key, n in report.summary.items())
        self.stdout.write(
            f"{source.label}: valid — pack {report.pack.id} {report.pack.version}"
            + (f", {parts}." if parts else ".")
        )

    def _publish(self, slug: str) -> None:
        try:
            pack = pack_publish(slug=slug, actor=None)
        except PackNotFound as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Content pack {pack.slug} {pack.version}: published.")

    def _plan(self, source: PackSource) -> None:
        try:
            plan = pack_plan(source=source)
        except PackInvalid as exc:
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise CommandError(
                f"{source.label}: {len(exc.issues)} problem(s); it cannot be imported."
            ) from exc
        self.stdout.write(plan_text(plan))

    def _import(self, source: PackSource, *, force: bool, draft: bool) -> None:
        interactive = self.stdout.isatty()

        def progress(done: int, total: int, label: str) -> None:
            if interactive or done == total or done % 20 == 0:
                self.stdout.write(f"  [{done}/{total}] {label}")

        try:
            result = pack_import(
                source=source,
                actor=None,
                progress=progress,
                force=force,
                draft=draft,
            )
        except PackInvalid as exc:
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise CommandError(
                f"{source.label}: {len(exc.issues)} problem(s); nothing was imported."
            ) from exc
        state = " (draft: editors only)" if result.pack.status == "draft" else ""
        if result.unchanged:
            self.stdout.write(
                f"Content pack {result.pack.slug} {result.pack.version}: "
                f"unchanged{state}."
            )
            return
        counts = ", ".join(
            f"{n} {key.replace('_', ' ')}" for key, n in result.counts.items()
        )
        self.stdout.write(
            f"Content pack {result.pack.slug} {result.pack.version}: {counts}{state}."
        )


def plan_text(plan: PackPlan) -> str:
    """Return a dry run's report: the versions, then one line per change."""
    if plan.current_version is None:
        head = f"Content pack {plan.pack_id} {plan.version}: new on this site."
    else:
        head = f"Content pack {plan.pack_id}: {plan.current_version} → {plan.version}."
    if plan.unchanged:
        return f"{head} Unchanged: nothing to import. (dry run: nothing written)"
    marks = {"added": "+", "changed": "~", "archived": "-"}
    lines = [head]
    lines += [f"  {marks[c.change]} {c.kind} {c.id} ({c.change})" for c in plan.changes]
    total = ", ".join(f"{key}: {n}" for key, n in sorted(plan.counts().items()))
    lines.append(f"{total or 'No change'}. (dry run: nothing written)")
    return "\n".join(lines)
