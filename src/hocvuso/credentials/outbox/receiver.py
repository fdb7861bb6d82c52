"""The reference receiver of outbox deliveries (for tests, benchmarks, integrators).

A small HTTP server (stdlib ``http.server``) that does what an identity
platform must do with hocvuso's deliveries (docs/credentials-outbox.md):

- verify the compact JWS (EdDSA) against the issuer's JWKS, with its ``kid``;
- check that the ``Idempotency-Key`` header equals the signed ``jti``;
- store each key once (a SQLite file): a new key answers ``201``, a key seen
  before answers ``200`` with ``{"status": "duplicate"}`` (and is counted), so
  a retried delivery has its effect exactly once;
- a bad signature answers 401, a malformed request 400 (permanent failures).

Run it::

    hocvuso outbox receiver --jwks jwks.json --port 8900 --db receiver.sqlite3
    python -m hocvuso.credentials.outbox.receiver --jwks jwks.json ...

(``hocvuso outbox jwks > jwks.json`` writes the issuer's public keys; ``--jwks``
also takes an ``http(s)://`` URL.) ``GET /stats`` answers the counters as JSON.
When it listens it prints ``READY <port>`` on stdout (and writes the port to
``--ready-file``): a test waits for that line, not for time to pass.

Fault injection for tests: ``--fail-first K`` answers 500 to the first K
deliveries (before storing them); ``--slow-first K --slow-seconds S`` stores
the first K and then waits S seconds before answering (a client with a shorter
timeout retries, and its retry is a duplicate); ``--hold-dir DIR`` stores the
first delivery, creates ``DIR/held`` and waits for ``DIR/release`` before
answering (a test kills the sender meanwhile).
"""

from __future__ import annotations

import argparse
import json
import socket
import sqlite3
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from hocvuso.credentials.outbox.jws import JwsInvalid, jws_verify

KINDS = {"result.confirmed", "result.revoked"}
MAX_BODY = 64 * 1024
HOLD_TIMEOUT = 120.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    kid TEXT NOT NULL,
    received_at REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
COUNTERS = ("requests", "stored", "duplicates", "rejected", "injected_failures")


class Store:
    """The receiver's SQLite file: one row per idempotency key, and counters."""

    def __init__(self, path: Path) -> None:
        self.lock = threading.Lock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        for name in COUNTERS:
            self.db.execute(
                "INSERT OR IGNORE INTO counters (name, value) VALUES (?, 0)", (name,)
            )

    def count(self, name: str) -> int:
        with self.lock:
            self.db.execute(
                "UPDATE counters SET value = value + 1 WHERE name = ?", (name,)
            )
            row = self.db.execute(
                "SELECT value FROM counters WHERE name = 'requests'"
            ).fetchone()
        return int(row[0])

    def store(self, *, key: str, kind: str, subject: str, kid: str, data: str) -> bool:
        """Store ``key`` unless seen before; return whether this stored it."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                cursor = self.db.execute(
                    "INSERT INTO deliveries"
                    " (key, kind, subject, kid, received_at, data)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                    (key, kind, subject, kid, time.time(), data),
                )
                new = cursor.rowcount == 1
                self.db.execute(
                    "UPDATE counters SET value = value + 1 WHERE name = ?",
                    ("stored" if new else "duplicates",),
                )
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        return new

    def stats(self) -> dict[str, int]:
        with self.lock:
            out = {
                str(n): int(v)
                for n, v in self.db.execute("SELECT name, value FROM counters")
            }
            out["distinct_keys"] = int(
                self.db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]
            )
        return out


class JwksSource:
    """The issuer's public keys, from a file or URL (re-read on an unknown kid)."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.jwks = self._load()

    def _load(self) -> dict[str, Any]:
        if self.where.startswith(("http://", "https://")):
            with urllib.request.urlopen(self.where, timeout=10) as response:
                data: dict[str, Any] = json.loads(response.read())
        else:
            data = json.loads(Path(self.where).read_text())
        return data

    def verify(self, token: str) -> tuple[dict[str, Any], str]:
        try:
            return jws_verify(token, self.jwks)
        except JwsInvalid:
            self.jwks = self._load()  # a new key after a rotation
            return jws_verify(token, self.jwks)


class Options(argparse.Namespace):
    host: str
    port: int
    db: Path
    jwks: str
    fail_first: int
    slow_first: int
    slow_seconds: float
    hold_dir: Path | None
    ready_file: Path | None


class Receiver(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, options: Options) -> None:
        super().__init__((options.host, options.port), Handler)
        self.options = options
        self.store = Store(options.db)
        self.keys = JwksSource(options.jwks)
        self.held = False
        self.hold_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server: Receiver
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's
        # algorithm and the client's delayed ACK add 40 ms to each answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep quiet: the access log would only repeat the counters."""

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        if self.path.startswith("/stats"):
            self._answer(200, self.server.store.stats())
        elif self.path.startswith("/healthz"):
            self._answer(200, {"status": "ok"})
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self) -> None:
        server, opts = self.server, self.server.options
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            self._answer(400, {"error": "body length"})
            return
        body = self.rfile.read(length)
        number = server.store.count("requests")
        if number <= opts.fail_first:
            server.store.count("injected_failures")
            self._answer(500, {"error": "injected failure"})
            return
        key = self.headers.get("Idempotency-Key", "")
        try:
            claims, kid = server.keys.verify(body.decode("ascii"))
        except (JwsInvalid, UnicodeDecodeError):
            server.store.count("rejected")
            self._answer(401, {"error": "signature"})
            return
        data = claims.get("data")
        if (
            not key
            or claims.get("jti") != key
            or claims.get("kind") not in KINDS
            or not isinstance(data, dict)
            or data.get("schema_version") != 1
        ):
            server.store.count("rejected")
            self._answer(400, {"error": "claims"})
            return
        new = server.store.store(
            key=key,
            kind=str(claims["kind"]),
            subject=str(data.get("confirmation_id", "")),
            kid=kid,
            data=json.dumps(data, separators=(",", ":")),
        )
        if number <= opts.fail_first + opts.slow_first:
            time.sleep(opts.slow_seconds)
        if opts.hold_dir is not None:
            self._hold(opts.hold_dir)
        if new:
            self._answer(201, {"status": "stored"})
        else:
            self._answer(200, {"status": "duplicate"})

    def _hold(self, folder: Path) -> None:
        with self.server.hold_lock:
            if self.server.held:
                return
            self.server.held = True
        (folder / "held").touch()
        deadline = time.monotonic() + HOLD_TIMEOUT
        while not (folder / "release").exists() and time.monotonic() < deadline:
            time.sleep(0.02)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hocvuso outbox receiver",
        description="Reference receiver of hocvuso outbox deliveries.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8900, help="0: any free port")
    p.add_argument("--db", type=Path, default=Path("outbox-receiver.sqlite3"))
    p.add_argument("--jwks", required=True, help="JWKS file or http(s) URL")
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--slow-first", type=int, default=0)
    p.add_argument("--slow-seconds", type=float, default=0.0)
    p.add_argument("--hold-dir", type=Path, default=None)
    p.add_argument("--ready-file", type=Path, default=None)
    return p


def serve(options: Options) -> None:
    """Listen until interrupted; announce the port when ready."""
    server = Receiver(options)
    port = server.server_address[1]
    if options.ready_file is not None:
        options.ready_file.write_text(str(port))
    print(f"READY {port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: Sequence[str] | None = None) -> int:
    options = parser().parse_args(argv, namespace=Options())
    try:
        serve(options)
    except (OSError, ValueError) as exc:
        print(f"receiver: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
