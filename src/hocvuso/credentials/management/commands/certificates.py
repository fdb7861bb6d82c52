"""``hocvuso certificates list|export|verify|rotate-key``.

Each action is a subcommand with its own handler: ``list`` and ``export`` read
the certificates; ``verify`` and ``rotate-key`` are the portable credentials'
(``credentials/vc/cli.py``), which need no database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hocvuso.credentials.pdf import certificate_pdf
from hocvuso.credentials.selectors import (
    certificate_all,
    certificate_by_code,
    certificate_view,
)
from hocvuso.credentials.vc import cli as vc_cli
from hocvuso.credentials.vc.did import did_document


def _row(certificate: Any) -> dict[str, Any]:
    view = certificate_view(certificate)
    return {
        "code": certificate.code,
        "status": "revoked" if certificate.is_revoked else "valid",
        "name": view.name,
        "target_group": view.target_group,
        "level": view.level_code,
        "issued_on": timezone.localdate(view.issued_on).isoformat(),
        "version": view.version,
        "issuer": view.issuer,
        "revoked_on": (
            timezone.localdate(certificate.revoked_at).isoformat()
            if certificate.revoked_at
            else None
        ),
    }


def _write_json(path: Path, data: Any) -> Path:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)
    return path


class Command(BaseCommand):
    help = (
        "Certificates: list [--json] (every certificate issued); export CODE "
        "--out DIR (certificate.pdf, credential.json, did.json); verify FILE "
        "offline (prints JSON, exit 1 when not verified); rotate-key (a new key "
        "signs, old ones stay listed). See docs/credentials.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="every certificate, oldest first")
        lst.add_argument("--json", action="store_true", help="one JSON array")
        exp = sub.add_parser("export", help="write a certificate's files to DIR")
        exp.add_argument("code", help="the verification code (dashes optional)")
        exp.add_argument("--out", type=Path, required=True, help="folder to write")
        exp.add_argument(
            "--lang", choices=["vi", "en"], default="", help="default: its own"
        )
        ver = sub.add_parser("verify", help="verify a credential JSON file offline")
        ver.add_argument("file", type=Path)
        ver.add_argument("--did-doc", type=Path, help="the issuer's DID document")
        ver.add_argument(
            "--status-list", type=Path, help="the signed status list credential"
        )
        sub.add_parser("rotate-key", help="make a new issuer signing key")

    def handle(self, *args: Any, **options: Any) -> None:
        actions: dict[str, Callable[[dict[str, Any]], None]] = {
            "list": self._list,
            "export": self._export,
        }
        action = options["action"]
        if action in ("verify", "rotate-key"):
            run = vc_cli.verify if action == "verify" else vc_cli.rotate_key
            code = run(options, self.stdout)
            if code:
                raise SystemExit(code)
            return
        actions[action](options)

    def _list(self, options: dict[str, Any]) -> None:
        rows = [_row(c) for c in certificate_all()]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stderr.write("No certificates yet.")
            return
        for r in rows:
            self.stdout.write(
                f"{r['code']}  {r['status']:<7}  {r['issued_on']}  v{r['version']}  "
                f"{r['level']:<4}  {r['target_group']}  {r['name']}"
            )

    def _export(self, options: dict[str, Any]) -> None:
        certificate = certificate_by_code(options["code"])
        if certificate is None:
            raise CommandError(f"no certificate has the code {options['code']!r}")
        out: Path = options["out"]
        try:
            out.mkdir(parents=True, exist_ok=True)
            path = out / "certificate.pdf"
            tmp = path.with_suffix(".pdf.tmp")
            tmp.write_bytes(certificate_pdf(certificate, language=options["lang"]))
            tmp.replace(path)
            written = [path]
            if certificate.credential:
                written.append(
                    _write_json(out / "credential.json", certificate.credential)
                )
            written.append(_write_json(out / "did.json", did_document()))
        except OSError as exc:
            raise CommandError(f"cannot write to {out}: {exc.strerror}") from exc
        state = " (revoked)" if certificate.is_revoked else ""
        self.stderr.write(f"Wrote {', '.join(str(p) for p in written)}{state}.")
