"""The reference receiver as a subprocess, and payloads for the outbox tests.

``ReceiverProc`` starts ``python -m hocvuso.credentials.outbox.receiver`` and
waits for its ``READY <port>`` line (a handshake, not a sleep); it can be
stopped and started again on the same port and SQLite file, as a receiver
that was down for a while.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Any
from urllib.request import urlopen

from hocvuso.credentials.outbox.payload import PayloadV1, payload_build

REPO = Path(__file__).resolve().parents[2]
RAW_ID = "001203004567"  # a made-up 12-digit citizen ID number


class ReceiverProc:
    """A reference receiver subprocess with its own SQLite file."""

    def __init__(self, root: Path, jwks: Path, *options: str) -> None:
        self.root = root
        self.jwks = jwks
        self.db = root / f"receiver-{uuid.uuid4().hex[:6]}.sqlite3"
        self.options = list(options)
        self.port = 0
        self.popen: subprocess.Popen[str] | None = None
        self.log = root / f"{self.db.stem}.log"

    def start(self, *options: str) -> ReceiverProc:
        """Start (again, on the same port and file) and wait until it listens."""
        argv = [
            sys.executable,
            "-m",
            "hocvuso.credentials.outbox.receiver",
            "--jwks",
            str(self.jwks),
            "--db",
            str(self.db),
            "--port",
            str(self.port),
            *(list(options) or self.options),
        ]
        env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
        with self.log.open("a") as err:
            self.popen = subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=err, text=True, env=env
            )
        assert self.popen.stdout is not None
        line = self.popen.stdout.readline()  # blocks until READY (or exit)
        assert line.startswith("READY "), line + self.log.read_text()
        self.port = int(line.split()[1])
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/outbox"

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(10)
            with contextlib.suppress(ProcessLookupError):
                self.popen.kill()
            self.popen.wait(10)
        self.popen = None

    def stats(self) -> dict[str, int]:
        with urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=10) as response:
            data: dict[str, int] = json.loads(response.read())
        return data

    def rows(self) -> list[tuple[Any, ...]]:
        """Return (seq, key, kind, kid, data) of what the receiver stored."""
        conn = sqlite3.connect(self.db, timeout=20)
        try:
            return conn.execute(
                "SELECT seq, key, kind, kid, data FROM deliveries ORDER BY seq"
            ).fetchall()
        finally:
            conn.close()


def confirmation_payload(
    *, confirmation_id: str | None = None, revoked: bool = False, level: int = 2
) -> PayloadV1:
    """Return a valid version-1 payload (the person by hash and account id)."""
    import hmac
    from hashlib import sha256

    return payload_build(
        confirmation_id=confirmation_id or str(uuid.uuid4()),
        id_hash=hmac.new(b"test-pepper", RAW_ID.encode(), sha256).hexdigest(),
        account_id=str(uuid.uuid4()),
        target_group="citizen",
        level=level,
        result_date=date(2026, 3, 2),
        certificate_code="HVS-7K2Q-9XPL",
        certificate_url="https://hocvuso.example/verify/HVS-7K2Q-9XPL",
        revoked_on=date(2026, 3, 9) if revoked else None,
        revocation_reason="error" if revoked else "",
    )
