"""``hocvuso demo generate``: demo data to try the pages, or to load the dashboards.

- ``generate [--count N] [--seed S]``: a few learners of one commune with
  supervised, confirmed passes and their certificates (``credentials.demo``).
- ``generate --learners N [--seed S] [--force]``: N synthetic learners spread
  over all 3,321 communes with results, confirmations, lessons, visits and
  event attendance, written in bulk (``demo.synthetic``); refused on a
  database with real learners unless ``--force``.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.accounts.services import password_generate
from hocvuso.credentials.demo import DemoUnavailable, demo_generate
from hocvuso.credentials.selectors import code_display
from hocvuso.demo.synthetic import DemoRefused, demo_analyze, demo_spread


class Command(BaseCommand):
    help = (
        "Demo data: generate [--count N] [--seed S] creates learners with "
        "supervised, confirmed passes and their certificates; generate "
        "--learners N spreads N synthetic learners over every commune."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="demo learners")
        gen.add_argument("--count", type=int, default=5, help="learners (1-50)")
        gen.add_argument("--seed", type=int, default=1, help="random seed")
        gen.add_argument(
            "--learners",
            type=int,
            default=None,
            help="synthetic learners over all communes (bulk, for dashboards)",
        )
        gen.add_argument(
            "--force",
            action="store_true",
            help="with --learners: add demo data beside real learners",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["learners"] is not None:
            self._spread(options)
            return
        count = max(1, min(int(options["count"]), 50))
        try:
            done = demo_generate(
                count=count, seed=options["seed"], password=password_generate()
            )
        except DemoUnavailable as exc:
            raise CommandError(str(exc)) from exc
        for learner in done.learners:
            self.stdout.write(f"{learner.username}  {learner.full_name}")
        for certificate in done.certificates:
            self.stdout.write(f"certificate {code_display(certificate.code)}")
        self.stderr.write(
            f"{len(done.learners)} learners, {len(done.certificates)} certificates; "
            f"password of the new demo accounts: {done.password} "
            "(the officer is 0399000000, the learners 0399000001…)."
        )

    def _spread(self, options: dict[str, Any]) -> None:
        started = time.perf_counter()
        try:
            report = demo_spread(
                learners=int(options["learners"]),
                rng=np.random.default_rng(int(options["seed"])),
                force=bool(options["force"]),
            )
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        demo_analyze()
        took = time.perf_counter() - started
        self.stdout.write(
            f"Demo data: {report.learners} learners, {report.results} results, "
            f"{report.confirmations} confirmations ({report.revoked} revoked), "
            f"{report.lessons} lessons completed, {report.visits} visits, "
            f"{report.events} events, {report.attendance} check-ins "
            f"in {took:.1f} s."
        )
        for what, why in report.skipped.items():
            self.stdout.write(f"Skipped {what}: {why}.")
        self.stdout.write("Run `hocvuso programs rebuild` to count them.")
