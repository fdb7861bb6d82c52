"""``hocvuso demo generate``: learners with confirmed passes and certificates."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.accounts.services import password_generate
from hocvuso.credentials.demo import DemoUnavailable, demo_generate
from hocvuso.credentials.selectors import code_display


class Command(BaseCommand):
    help = (
        "Demo data: generate [--count N] [--seed S] creates learners with "
        "supervised, confirmed passes and their certificates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="learners with certificates")
        gen.add_argument("--count", type=int, default=5, help="learners (1-50)")
        gen.add_argument("--seed", type=int, default=1, help="random seed")

    def handle(self, *args: Any, **options: Any) -> None:
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
