"""``hocvuso programs``: indicators and the fact table.

- ``indicators load [FILE]``: load an indicator set (default: the shipped one)
  and make it active; the same file again changes nothing, a changed file under
  a loaded version is refused.
- ``refresh``: rewrite the facts changed since the last run.
- ``rebuild``: rewrite every fact.
- ``status``: the last runs, the number of fact rows, the active set and the
  registered computations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hocvuso.programs.indicator_sets import (
    DEFAULT_INDICATORS_FILE,
    IndicatorDataError,
    IndicatorSetChanged,
    indicator_set_load,
)
from hocvuso.programs.rollup import (
    RefreshOutcome,
    facts_rebuild,
    facts_refresh,
    rollup_status,
)

BUSY = (
    "Một lần làm mới khác đang chạy; thử lại sau. "
    "(Another refresh is running; try again later.)"
)


class Command(BaseCommand):
    help = (
        "Indicators and the fact table: indicators load [FILE], refresh, "
        "rebuild, status."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ind = sub.add_parser("indicators", help="indicator sets")
        ind_sub = ind.add_subparsers(dest="indicators_action", required=True)
        load = ind_sub.add_parser("load", help="load an indicator set (YAML)")
        load.add_argument("file", nargs="?", default=str(DEFAULT_INDICATORS_FILE))
        sub.add_parser("refresh", help="rewrite the facts changed since the last run")
        sub.add_parser("rebuild", help="rewrite every fact")
        sub.add_parser("status", help="last runs and fact rows")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "indicators":
            self._load(Path(options["file"]))
        elif action in ("refresh", "rebuild"):
            outcome = facts_refresh() if action == "refresh" else facts_rebuild()
            self._report(outcome)
        else:
            self._status()

    def _load(self, path: Path) -> None:
        try:
            done = indicator_set_load(path=path)
        except (IndicatorDataError, IndicatorSetChanged) as exc:
            raise CommandError(str(exc)) from exc
        iset = done.indicator_set
        state = "created" if done.created else "unchanged"
        active = ", now active" if done.activated else ""
        self.stdout.write(
            f"Indicator set {iset.slug} {iset.version}: {state}{active} "
            f"({iset.indicators.count()} indicators)."
        )

    def _report(self, outcome: RefreshOutcome) -> None:
        if outcome.busy:
            raise CommandError(BUSY)
        self.stdout.write(
            f"{outcome.kind}: {outcome.rows} commune rows in {outcome.seconds:.2f} s."
        )

    def _status(self) -> None:
        status = rollup_status()
        iset = status.indicator_set
        self.stdout.write(
            f"Indicator set: {iset.slug} {iset.version}"
            if iset
            else "Indicator set: none"
        )
        self.stdout.write(f"Computations: {', '.join(status.computations) or 'none'}")
        self.stdout.write(f"Fact rows: {status.facts}")
        for label, run in (
            ("Last run", status.last),
            ("Last good run", status.last_good),
        ):
            if run is None:
                self.stdout.write(f"{label}: none")
                continue
            when = timezone.localtime(run.watermark).strftime("%Y-%m-%d %H:%M")
            took = (
                f"{(run.finished_at - run.started_at).total_seconds():.2f} s"
                if run.finished_at
                else "running"
            )
            error = f", error: {run.error.splitlines()[0]}" if run.error else ""
            self.stdout.write(
                f"{label}: {run.kind}, data as of {when}, "
                f"{run.cells} rows, {took}{error}"
            )
