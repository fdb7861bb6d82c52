from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.assessment.calibration import (
    analysis_report,
    params_export,
    params_import,
    responses_export,
)
from hocvuso.assessment.export import items_export
from hocvuso.psychometrics import InputFormatError


class Command(BaseCommand):
    help = (
        "The calibration loop: export-responses, export-params (anchors), "
        "import-params, item-analysis; export-items (the bank as pack files). "
        "See docs/assessment.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export-responses", help="person_id,item_id,response")
        exp.add_argument("out", type=Path, nargs="?", help="file (default: stdout)")
        par = sub.add_parser("export-params", help="item_id,a,b,c of current items")
        par.add_argument("out", type=Path, nargs="?")
        par.add_argument(
            "--calibrated-only", action="store_true", help="anchors: skip provisional"
        )
        imp = sub.add_parser("import-params", help="store calibrated parameters")
        imp.add_argument("params", type=Path)
        imp.add_argument("--source", default="", help="label kept with the items")
        ana = sub.add_parser("item-analysis", help="classical statistics and flags")
        ana.add_argument("out", type=Path, nargs="?")
        its = sub.add_parser(
            "export-items", help="current items as pack files: OUT/items/*.yaml"
        )
        its.add_argument("out_dir", type=Path)
        its.add_argument("--pack", default=None, help="only this pack's items (id)")

    def _open(self, path: Path | None) -> Any:
        return path.open("w", encoding="utf-8", newline="") if path else sys.stdout

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "export-items":
            done = items_export(out_dir=options["out_dir"], pack_slug=options["pack"])
            self.stderr.write(
                f"{done.items} items in {len(done.files)} files, "
                f"{done.pictures} with a picture, under {options['out_dir']}/items/."
            )
            return
        if action == "import-params":
            try:
                result = params_import(
                    path=options["params"], actor=None, source=options["source"]
                )
            except InputFormatError as exc:
                raise CommandError(str(exc)) from exc
            except ValueError as exc:
                raise CommandError(f"{options['params']}: {exc}") from exc
            self.stderr.write(
                f"{result.updated} items updated, {result.unchanged} unchanged."
            )
            return
        out = self._open(options.get("out"))
        try:
            if action == "export-responses":
                n = responses_export(out)
            elif action == "export-params":
                n = params_export(out, calibrated_only=options["calibrated_only"])
            else:
                n = analysis_report(out)
        finally:
            if out is not sys.stdout:
                out.close()
        self.stderr.write(f"{n} rows written.")
