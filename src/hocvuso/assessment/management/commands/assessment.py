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
        cex = sub.add_parser(
            "calibrate-exposure",
            help="simulate each blueprint and store per-item exposure parameters",
        )
        cex.add_argument("--group", default=None, help="only this target group")
        cex.add_argument("--simulees", type=int, default=2000)
        cex.add_argument("--iterations", type=int, default=10)
        cex.add_argument("--margin", type=float, default=0.015)
        cex.add_argument("--seed", type=int, default=0)
        its = sub.add_parser(
            "export-items", help="current items as pack files: OUT/items/*.yaml"
        )
        its.add_argument("out_dir", type=Path)
        its.add_argument("--pack", default=None, help="only this pack's items (id)")

    def _open(self, path: Path | None) -> Any:
        return path.open("w", encoding="utf-8", newline="") if path else sys.stdout

    def _calibrate_exposure(self, options: dict[str, Any]) -> None:
        from hocvuso.assessment.exposure import exposure_calibrate
        from hocvuso.assessment.models import Blueprint

        if options["simulees"] < 10 or options["iterations"] < 1:
            raise CommandError("--simulees must be >= 10 and --iterations >= 1")
        blueprints = Blueprint.objects.select_related("target_group").filter(
            mode=Blueprint.Mode.ADAPTIVE
        )
        if options["group"]:
            blueprints = blueprints.filter(target_group__slug=options["group"])
            if not blueprints.exists():
                raise CommandError(f"no adaptive blueprint for '{options['group']}'")
        done = 0
        for bp in blueprints:
            if bp.config.get("exposure") not in ("eligibility", "sympson_hetter"):
                self.stderr.write(
                    f"{bp.target_group.slug}: exposure "
                    f"{bp.config.get('exposure')!r} needs no parameters, skipped."
                )
                continue
            try:
                r = exposure_calibrate(
                    blueprint=bp,
                    actor=None,
                    n_simulees=options["simulees"],
                    iterations=options["iterations"],
                    margin=options["margin"],
                    seed=options["seed"],
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            done += 1
            self.stdout.write(
                f"{r.blueprint}: {r.method} for {r.items} items "
                f"({r.restricted} restricted); simulated max exposure "
                f"{r.max_exposure:.3f}, mean length {r.mean_items:.1f}"
            )
        self.stderr.write(f"{done} blueprints calibrated.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "calibrate-exposure":
            self._calibrate_exposure(options)
            return
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
