from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hocvuso.credentials.vc import cli as vc_cli


class Command(BaseCommand):
    help = (
        "Portable credentials: verify FILE offline (prints JSON, exit 1 when "
        "not verified); rotate-key (a new key signs, old ones stay listed). "
        "See docs/credentials-vc.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ver = sub.add_parser("verify", help="verify a credential JSON file offline")
        ver.add_argument("file", type=Path)
        ver.add_argument("--did-doc", type=Path, help="the issuer's DID document")
        ver.add_argument(
            "--status-list", type=Path, help="the signed status list credential"
        )
        sub.add_parser("rotate-key", help="make a new issuer signing key")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            code = vc_cli.verify(options, self.stdout)
        else:
            code = vc_cli.rotate_key(options, self.stdout)
        if code:
            raise SystemExit(code)
