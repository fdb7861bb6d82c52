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
        cal = sub.add_parser(
            "calibrate",
            help="estimate field-test items with the operational items as anchors",
        )
        cal.add_argument("--min-responses", type=int, default=200)
        cal.add_argument(
            "--promote", action="store_true", help="make ready items operational"
        )
        cal.add_argument("--report", type=Path, default=None, help="JSON report")
        dif = sub.add_parser("dif", help="Mantel-Haenszel DIF per item and group")
        dif.add_argument("out", type=Path, nargs="?")
        dif.add_argument("--min-group", type=int, default=100)
        ana.add_argument("--min-group", type=int, default=100, help="DIF group size")
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

    def _calibrate(self, options: dict[str, Any]) -> None:
        import json

        from hocvuso.assessment.fieldtest import fieldtest_calibrate

        if options["min_responses"] < 1:
            raise CommandError("--min-responses must be >= 1")
        result = fieldtest_calibrate(
            actor=None,
            min_responses=options["min_responses"],
            promote=options["promote"],
        )
        text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
        if options["report"]:
            options["report"].write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)
        ready = [i for i in result.items if i.ready]
        promoted = [i for i in result.items if i.promoted]
        self.stderr.write(
            f"{len(result.items)} field-test items calibrated against "
            f"{result.anchors} anchors ({result.persons} sittings); "
            f"{len(ready)} ready, {len(promoted)} made operational."
        )

    def _dif(self, options: dict[str, Any]) -> None:
        import csv

        from hocvuso.assessment.dif import NOT_RECORDED, dif_analyse

        if options["min_group"] < 1:
            raise CommandError("--min-group must be >= 1")
        rows = dif_analyse(min_group=options["min_group"])
        out = self._open(options.get("out"))
        try:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(
                ["item_id", "grouping", "focal", "n_reference", "n_focal", "delta_mh",
                 "se", "ets"]
            )  # fmt: skip
            for r in rows:
                writer.writerow(
                    [r.item_id, r.grouping, r.focal, r.n_reference, r.n_focal,
                     f"{r.delta:.3f}", f"{r.se:.3f}", r.ets]
                )  # fmt: skip
        finally:
            if out is not sys.stdout:
                out.close()
        flagged = sorted({r.item_id for r in rows if r.ets == "C"})
        self.stderr.write(
            f"{len(rows)} comparisons; {len(flagged)} items in class C"
            + (": " + ", ".join(flagged) if flagged else "")
            + f". Not recorded, not analysed: {', '.join(NOT_RECORDED)}."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "calibrate-exposure":
            self._calibrate_exposure(options)
            return
        if action == "calibrate":
            self._calibrate(options)
            return
        if action == "dif":
            self._dif(options)
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
                n = analysis_report(out, min_group=options["min_group"])
        finally:
            if out is not sys.stdout:
                out.close()
        self.stderr.write(f"{n} rows written.")
