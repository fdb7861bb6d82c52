"""``hocvuso outbox``: the outbox of confirmed results to the identity platform.

- ``status``: events per state, whether deliveries are configured;
- ``drain``: deliver what is due now, in this process (the worker does it too);
- ``retry``: make every dead event due again (``--id N`` for one);
- ``jwks``: print the issuer's public keys (JWKS) a receiver verifies with;
- ``receiver``: run the reference receiver (options after ``--``, see
  ``hocvuso outbox receiver -- --help``).
"""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.crypto import get_random_string

from hocvuso.credentials.errors import SigningKeyMissing
from hocvuso.credentials.keys import issuer_keys


class Command(BaseCommand):
    help = (
        "Outbox of confirmed results: status, drain (deliver due events now), "
        "retry (dead events), jwks (issuer public keys), receiver (reference "
        "receiver; its options after --)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["status", "drain", "retry", "jwks", "receiver"]
        )
        parser.add_argument("--id", type=int, action="append", dest="ids")
        parser.add_argument("rest", nargs="*", help="receiver options (after --)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "receiver":
            from hocvuso.credentials.outbox.receiver import main

            raise SystemExit(main(options["rest"]))
        if action == "jwks":
            self._jwks()
            return
        from hocvuso.credentials.outbox import services
        from hocvuso.credentials.outbox.adapters import adapter_get
        from hocvuso.credentials.outbox.selectors import outbox_counts

        if action == "status":
            counts = outbox_counts()
            configured = adapter_get().configured()
            self.stdout.write(
                " ".join(f"{state}={n}" for state, n in counts.items())
                + f" adapter={settings.HOCVUSO_IDENTITY_ADAPTER.rsplit('.', 1)[-1]}"
                + ("" if configured else " (not configured: events wait)")
            )
        elif action == "drain":
            outbox_counts()  # a clear message on an uninitialised site
            token = f"cli-{os.getpid()}-{get_random_string(8)}"
            report = services.outbox_drain(token=token)
            if report.waiting_config:
                raise CommandError(
                    "Chưa cấu hình nơi nhận (HOCVUSO_OUTBOX_URL): sự kiện vẫn chờ. "
                    "(No receiver configured: events keep waiting.)"
                )
            self.stdout.write(
                f"delivered={report.delivered} retried={report.retried} "
                f"dead={report.dead}"
            )
        else:
            count = services.outbox_retry_dead(actor=None, ids=options["ids"])
            self.stdout.write(f"{count} event(s) due again.")

    def _jwks(self) -> None:
        from hocvuso.credentials.outbox.jws import jwks_of

        try:
            keys = issuer_keys()
        except SigningKeyMissing as exc:
            raise CommandError(exc.message) from exc
        if not keys:
            raise CommandError(
                "Chưa có khoá ký: chạy `hocvuso init` trước. "
                "(No issuer key yet: run `hocvuso init` first.)"
            )
        self.stdout.write(json.dumps(jwks_of(keys), indent=2))
