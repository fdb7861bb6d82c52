"""Real ``hocvuso worker`` processes deliver the outbox to a real receiver.

The site (its own SQLite data dir, or its own PostgreSQL database on the
PostgreSQL pass) is driven by subprocesses, as in tests/core/test_worker.py;
the test waits for conditions (files, rows), never for time to pass. Backoff
is made tiny through the site's settings, so retries come quickly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from tests.core.test_worker import LOGS, Proc, Site, wait_for, worker
from tests.credentials.outbox_support import ReceiverProc

EVENTS = "credentials_outboxevent"


@pytest.fixture(scope="module")
def outbox_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("outbox-site")
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        site = Site(root, None)
        site.hocvuso("migrate", "-v0")
        yield site
        return
    server, _, name = base.rpartition("/")
    site_db = f"{name}_outbox_site"
    admin_url = base.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{site_db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{site_db}"')
    site = Site(root, f"{server}/{site_db}")
    try:
        site.hocvuso("migrate", "-v0")
        yield site
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{site_db}" WITH (FORCE)')


def drive(site: Site, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tests.credentials.outbox_driver", *args],
        env=site.env,
        cwd=site.root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture
def site(outbox_site: Site, tmp_path: Path) -> Iterator[Site]:
    s = outbox_site
    s.reset()
    (tmp_path / "jwks.json").write_text(drive(s, "jwks"))
    s.env.update(
        HOCVUSO_OUTBOX_BACKOFF_BASE="0.05",
        HOCVUSO_OUTBOX_BACKOFF_CAP="0.2",
        HOCVUSO_OUTBOX_MAX_ATTEMPTS="1000",
        HOCVUSO_OUTBOX_TIMEOUT="10",
    )
    yield s
    for proc in s.procs:
        proc.ensure_dead()
    s.procs.clear()
    LOGS.clear()


@pytest.fixture
def start_receiver(tmp_path: Path, site: Site) -> Iterator[type[ReceiverProc]]:
    started: list[ReceiverProc] = []

    def start(*options: str) -> ReceiverProc:
        proc = ReceiverProc(tmp_path, tmp_path / "jwks.json", *options).start()
        started.append(proc)
        site.env["HOCVUSO_OUTBOX_URL"] = proc.url
        LOGS.append(proc.log)
        return proc

    yield start  # type: ignore[misc]
    for proc in started:
        proc.stop()


def all_delivered(site: Site, prefix: str, n: int) -> bool:
    return states(site, prefix) == {"delivered": n}


def states(site: Site, prefix: str) -> dict[str, int]:
    """Count the events of one test (their keys start with ``prefix``)."""
    rows = site.query(
        f"SELECT state, COUNT(*) FROM {EVENTS} WHERE key LIKE %s GROUP BY state",
        f"{prefix}-%",
    )
    return {str(state): int(n) for state, n in rows}


def started(site: Site, proc: Proc) -> Proc:
    site.procs.append(proc)
    LOGS.append(proc.log)
    return proc


def test_worker_killed_mid_delivery_delivers_again_with_one_effect(
    site: Site, start_receiver: type[ReceiverProc], tmp_path: Path
) -> None:
    hold = tmp_path / "hold"
    hold.mkdir()
    recv = start_receiver("--hold-dir", str(hold))  # type: ignore[call-arg]
    assert drive(site, "enqueue", "kill", "5") == "ok 5"
    first = started(site, worker(site))
    # The receiver stored a delivery and holds its answer: the worst moment.
    wait_for("a delivery held by the receiver", (hold / "held").exists)
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    assert states(site, "kill").get("delivering", 0) >= 1
    (hold / "release").touch()

    second = started(site, worker(site))
    wait_for("every event delivered", lambda: all_delivered(site, "kill", 5))
    stats = recv.stats()
    assert stats["distinct_keys"] == 5, "the effect is exactly once"
    assert stats["duplicates"] >= 1, "the held one was delivered again"
    (attempts,) = site.query(
        f"SELECT MAX(attempts) FROM {EVENTS} WHERE key LIKE %s", "kill-%"
    )[0]
    assert attempts == 2
    assert second.stop(signal.SIGTERM) == 0
    assert "Traceback" not in second.output


def test_worker_retries_server_errors_on_its_own(
    site: Site, start_receiver: type[ReceiverProc]
) -> None:
    recv = start_receiver("--fail-first", "4")  # type: ignore[call-arg]
    drive(site, "enqueue", "retry", "3")
    proc = started(site, worker(site))
    wait_for("every event delivered", lambda: all_delivered(site, "retry", 3))

    stats = recv.stats()
    assert stats["injected_failures"] == 4
    assert (stats["distinct_keys"], stats["duplicates"]) == (3, 0)
    assert proc.stop(signal.SIGTERM) == 0
    assert "Traceback" not in proc.output


def test_two_workers_never_deliver_one_event_twice(
    site: Site, start_receiver: type[ReceiverProc]
) -> None:
    site.env["HOCVUSO_OUTBOX_BATCH"] = "10"
    recv = start_receiver()  # type: ignore[call-arg]
    drive(site, "enqueue", "pair", "200")
    a, b = started(site, worker(site)), started(site, worker(site))
    wait_for("every event delivered", lambda: all_delivered(site, "pair", 200))
    stats = recv.stats()
    assert (stats["distinct_keys"], stats["duplicates"]) == (200, 0)
    for proc in (a, b):
        assert proc.stop(signal.SIGTERM) == 0
        assert "Traceback" not in proc.output
    site.env.pop("HOCVUSO_OUTBOX_BATCH")
