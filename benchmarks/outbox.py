"""Outbox throughput: N confirmations delivered to the reference receiver.

On PostgreSQL (a fresh database ``bench_outbox`` next to ``--pg``), writes N
outbox events (``bulk_create``; the enqueue path itself is timed on a sample
of one transaction per event), starts the reference receiver and ``hocvuso
worker`` process(es), and schedules a drain. When half the events are in,
the receiver is stopped for ``--outage`` seconds, then started again on the
same port and SQLite file. The run ends when every event is delivered.

Reported: time to drain, deliveries/s (overall and outside the outage), the
lag between the receiver coming back and deliveries resuming, the receiver's
requests and duplicates, and the effect check (distinct keys == N, no dead
event). Baseline measured in the same run: raw POSTs of pre-signed JWS to the
same receiver, same concurrency, no database work on the sending side; the
ratio says what share of that ceiling the outbox reaches.

    .venv/bin/python benchmarks/outbox.py [--count 100000] [--outage 30]
        [--workers 1] [--pg postgres://postgres@127.0.0.1:5432/postgres]

Writes ``benchmarks/results/outbox.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from loadstats import machine

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "outbox.json"
DB_NAME = "bench_outbox"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Receiver:
    def __init__(self, folder: Path, jwks: Path, port: int) -> None:
        self.folder, self.jwks, self.port = folder, jwks, port
        self.db = folder / f"receiver-{port}.sqlite3"
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hocvuso.credentials.outbox.receiver",
                "--jwks",
                str(self.jwks),
                "--db",
                str(self.db),
                "--port",
                str(self.port),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.startswith("READY"), line

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)
            self.proc = None

    def stats(self) -> dict[str, int]:
        url = f"http://127.0.0.1:{self.port}/stats"
        with urllib.request.urlopen(url, timeout=30) as response:
            data: dict[str, int] = json.loads(response.read())
        return data


def setup_django(pg: str, data_dir: Path, outbox_url: str) -> None:
    server = pg.rsplit("/", 1)[0]
    os.environ.update(
        DATABASE_URL=f"{server}/{DB_NAME}",
        HOCVUSO_DATA_DIR=str(data_dir),
        HOCVUSO_OUTBOX_URL=outbox_url,
        DJANGO_SETTINGS_MODULE="hocvuso.settings",
    )
    import django
    import psycopg

    admin = pg.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    subprocess.run(
        [sys.executable, "-m", "hocvuso.cli", "migrate", "-v0"], check=True, cwd=ROOT
    )
    django.setup()


def payload() -> Any:
    from hocvuso.credentials.outbox.payload import payload_build

    return payload_build(
        confirmation_id=str(uuid.uuid4()),
        id_hash=uuid.uuid4().hex * 2,
        account_id=str(uuid.uuid4()),
        target_group="citizen",
        level=3,
        result_date=date(2026, 3, 2),
        certificate_code="HVS-BENCH",
        certificate_url="https://hocvuso.example/verify/HVS-BENCH",
    )


def write_events(count: int, sample: int) -> dict[str, float]:
    """Write ``count`` events; time ``outbox_enqueue`` on the first ``sample``."""
    from django.db import transaction

    from hocvuso.credentials.models import OutboxEvent
    from hocvuso.credentials.outbox.services import outbox_enqueue

    kind = OutboxEvent.Kind.RESULT_CONFIRMED
    t = time.perf_counter()
    for i in range(sample):
        with transaction.atomic():
            outbox_enqueue(kind=kind, key=f"bench-{i}", payload=payload())
    enqueue_s = time.perf_counter() - t
    t = time.perf_counter()
    rows = []
    for i in range(sample, count):
        p = payload()
        rows.append(
            OutboxEvent(
                kind=kind, key=f"bench-{i}", subject=p["confirmation_id"], payload=p
            )
        )
        if len(rows) == 5000:
            OutboxEvent.objects.bulk_create(rows)
            rows = []
    OutboxEvent.objects.bulk_create(rows)
    return {
        "enqueue_per_s": round(sample / enqueue_s, 1),
        "bulk_write_s": round(time.perf_counter() - t, 1),
    }


def raw_posts(url: str, count: int, concurrency: int) -> float:
    """Return POSTs/s of pre-signed deliveries straight to the receiver.

    The same HTTP client as the outbox (keep-alive, one connection per
    thread), without the database and the signing.
    """
    from hocvuso.credentials.keys import issuer_key_current
    from hocvuso.credentials.outbox.adapters import JwsHttpAdapter
    from hocvuso.credentials.outbox.jws import jws_sign

    key = issuer_key_current()
    tokens = [
        (
            f"raw-{i}",
            jws_sign(
                {"jti": f"raw-{i}", "kind": "result.confirmed", "data": payload()}, key
            ),
        )
        for i in range(count)
    ]

    adapter = JwsHttpAdapter(url=url, timeout=30)

    def post(item: tuple[str, str]) -> int:
        return adapter.post(item[1], item[0])

    t = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        statuses = list(pool.map(post, tokens))
    elapsed = time.perf_counter() - t
    assert all(s == 201 for s in statuses), set(statuses)
    return count / elapsed


def counts() -> dict[str, int]:
    from hocvuso.credentials.outbox.selectors import outbox_counts

    return outbox_counts()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--outage", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--baseline", type=int, default=5000, help="raw POSTs")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    host = machine()
    print(
        f"machine: {host['cpus']} cores, Python loop {host['speed']['python_loop_ms']}"
        f" ms, fsync 4 KiB {host['speed']['fsync_4k_p50_ms']} ms (see loadstats.py)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        port = free_port()
        outbox_url = f"http://127.0.0.1:{port}/outbox"
        setup_django(args.pg, folder / "data", outbox_url)
        from django.conf import settings

        from hocvuso.credentials.keys import issuer_key_ensure, issuer_keys
        from hocvuso.credentials.outbox.jws import jwks_of
        from hocvuso.credentials.outbox.tasks import outbox_drain_schedule

        issuer_key_ensure()
        jwks = folder / "jwks.json"
        jwks.write_text(json.dumps(jwks_of(issuer_keys())))
        concurrency = settings.HOCVUSO_OUTBOX_CONCURRENCY

        base_recv = Receiver(folder, jwks, free_port())
        base_recv.start()
        raw_rate = raw_posts(
            f"http://127.0.0.1:{base_recv.port}/outbox", args.baseline, concurrency
        )
        base_recv.stop()
        print(f"baseline: {raw_rate:.0f} raw signed POSTs/s ({concurrency} in flight)")

        written = write_events(args.count, min(1000, args.count))
        print(f"wrote {args.count} events: {written}")
        recv = Receiver(folder, jwks, port)
        recv.start()
        env = dict(os.environ)
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "hocvuso.cli", "worker", "--interval", "0.2"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=open(folder / f"worker-{n}.log", "w"),  # noqa: SIM115
            )
            for n in range(args.workers)
        ]
        outbox_drain_schedule()
        t0 = time.perf_counter()
        half_at = back_at = resumed_at = None
        delivered_at_back = 0
        while True:
            time.sleep(0.5)
            now = counts()
            elapsed = time.perf_counter() - t0
            if half_at is None and now["delivered"] >= args.count // 2:
                half_at = elapsed
                recv.stop()
                print(f"{elapsed:6.1f} s: {now['delivered']} delivered; receiver down")
                time.sleep(args.outage)
                recv.start()
                back_at = time.perf_counter() - t0
                delivered_at_back = counts()["delivered"]
                print(f"{back_at:6.1f} s: receiver up again")
            elif (
                back_at is not None
                and resumed_at is None
                and now["delivered"] > delivered_at_back
            ):
                resumed_at = elapsed
            if now["delivered"] + now["dead"] >= args.count:
                break
            if elapsed > args.timeout:
                print(f"timed out: {now}")
                break
        total = time.perf_counter() - t0
        stats = recv.stats()
        final = counts()
        for proc in workers:
            proc.send_signal(signal.SIGTERM)
        for proc in workers:
            proc.wait(120)
        recv.stop()
        from django.db.models import Count

        from hocvuso.credentials.models import OutboxEvent

        attempts = {
            str(row["attempts"]): row["n"]
            for row in OutboxEvent.objects.values("attempts")
            .order_by("attempts")
            .annotate(n=Count("id"))
        }
    outage = args.outage if half_at is not None else 0.0
    rate = final["delivered"] / total
    rate_up = final["delivered"] / max(total - outage, 1e-9)
    exactly_once = stats["distinct_keys"] == args.count and final["dead"] == 0
    result = {
        "benchmark": "outbox",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": host,
        "settings": {
            "count": args.count,
            "outage_s": args.outage,
            "workers": args.workers,
            "batch": settings.HOCVUSO_OUTBOX_BATCH,
            "concurrency": concurrency,
            "backoff_base_s": settings.HOCVUSO_OUTBOX_BACKOFF_BASE,
            "backoff_cap_s": settings.HOCVUSO_OUTBOX_BACKOFF_CAP,
            "database": "postgresql",
        },
        "setup": written,
        "baseline_raw_posts_per_s": round(raw_rate, 1),
        "drain_s": round(total, 1),
        "receiver_down_at_s": round(half_at, 1) if half_at is not None else None,
        "resume_lag_s": (
            round(resumed_at - back_at, 1)
            if resumed_at is not None and back_at is not None
            else None
        ),
        "deliveries_per_s": round(rate, 1),
        "deliveries_per_s_outside_outage": round(rate_up, 1),
        "ratio_to_raw_posts": round(rate_up / raw_rate, 3),
        "receiver": stats,
        "states": final,
        "attempts_histogram": attempts,
        "exactly_once_effect": exactly_once,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"drained {final['delivered']} in {total:.1f} s ({rate:.0f}/s, "
        f"{rate_up:.0f}/s outside the outage = {rate_up / raw_rate:.2f}x raw POSTs); "
        f"receiver saw {stats['requests']} requests, {stats['duplicates']} "
        f"duplicates, {stats['distinct_keys']} distinct keys"
    )
    print(f"wrote {args.output}")
    return 0 if exactly_once else 1


if __name__ == "__main__":
    raise SystemExit(main())
