"""Real ``hocvuso worker`` processes run tasks, survive SIGKILL, and stop cleanly.

Each test runs workers (and ``hocvuso serve --with-worker``) as subprocesses on
a "site" of their own: a fresh SQLite data directory, or on the PostgreSQL pass
(``DATABASE_URL`` set) a fresh database next to the configured one. The test
reads the site's tables with ``sqlite3``/``psycopg``, never through the ORM, and
waits for conditions (files, rows, processes) rather than for time to pass.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import psycopg
import pytest

from hocvuso.core.worker import process_start

REPO = Path(__file__).resolve().parents[2]
TASKS = "django_tasks_database_dbtaskresult"
BEATS = "core_workerheartbeat"
EFFECTS = "test_task_effect"
TIMEOUT = 90.0


LOGS: list[Path] = []  # output of the processes of the running test


def wait_for(what: str, check: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
    """Return check()'s first truthy value, polling; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    logs = "".join(f"\n--- {p.name}\n{p.read_text()[-3000:]}" for p in LOGS)
    raise AssertionError(f"timed out waiting for {what}{logs}")


class Site:
    """A data directory and database of its own, migrated once."""

    def __init__(self, root: Path, database_url: str | None) -> None:
        self.root = root
        self.database_url = database_url
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_URL", "HOCVUSO_", "PYTEST"))
        }
        self.env.update(
            HOCVUSO_DATA_DIR=str(root / "data"),
            PYTHONPATH=str(REPO),
            DJANGO_SETTINGS_MODULE="hocvuso.settings",
            HOCVUSO_RATELIMIT="false",
        )
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.procs: list[Proc] = []

    def hocvuso(
        self, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "hocvuso.cli", *args],
            env=self.env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.database_url:
            url = self.database_url.replace("postgres://", "postgresql://", 1)
            with psycopg.connect(url, autocommit=True) as conn:
                cursor = conn.execute(sql, params)
                return list(cursor.fetchall()) if cursor.description else []  # type: ignore[arg-type]
        path = self.root / "data" / "hocvuso.sqlite3"
        conn = sqlite3.connect(path, timeout=20)
        try:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
        finally:
            conn.close()

    def reset(self) -> None:
        """Forget the tasks, workers and effects of earlier tests."""
        for table in (TASKS, BEATS):
            self.query(f"DELETE FROM {table}")
        self.query(f"DROP TABLE IF EXISTS {EFFECTS}")

    def enqueue(self, key: str, gate: Path, *extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "tests.core.worker_tasks", key, str(gate), *extra],
            env=self.env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout.strip().splitlines()[-1]

    def task(self, task_id: str) -> tuple[str, list[str], Any]:
        rows = self.query(
            f"SELECT status, worker_ids, return_value FROM {TASKS} WHERE id = %s",
            task_id if self.database_url else task_id.replace("-", ""),
        )
        assert rows, f"no task {task_id}"
        status, worker_ids, value = rows[0]
        if isinstance(worker_ids, str):
            worker_ids, value = json.loads(worker_ids), json.loads(value or "null")
        return status, worker_ids, value

    def effects(self, key: str) -> int:
        return int(
            self.query(f"SELECT COUNT(*) FROM {EFFECTS} WHERE effect_key = %s", key)[0][
                0
            ]
        )

    def worker_pids(self) -> set[int]:
        return {int(pid) for (pid,) in self.query(f"SELECT pid FROM {BEATS}")}


class Proc:
    """A subprocess whose output goes to a file the assertions can show."""

    def __init__(self, site: Site, name: str, argv: Sequence[str]) -> None:
        self.log = site.root / f"{name}-{uuid.uuid4().hex[:6]}.log"
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "hocvuso.cli", *argv],
                env=site.env,
                cwd=site.root,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        return self.popen.wait(TIMEOUT)

    def ensure_dead(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(10)


def worker(site: Site, *extra: str) -> Proc:
    return Proc(site, "worker", ["worker", "--interval", "0.1", *extra])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("site")
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        s = Site(root, None)
        s.hocvuso("migrate", "-v0")
        yield s
        return
    server, _, name = base.rpartition("/")
    site_db = f"{name}_worker_site"
    admin_url = base.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{site_db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{site_db}"')
    s = Site(root, f"{server}/{site_db}")
    try:
        s.hocvuso("migrate", "-v0")
        yield s
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{site_db}" WITH (FORCE)')


@pytest.fixture
def clean_site(site: Site) -> Iterator[Site]:
    site.reset()
    yield site
    for proc in site.procs:
        proc.ensure_dead()
    site.procs.clear()
    LOGS.clear()


def test_worker_runs_a_task_enqueued_on_commit(
    clean_site: Site, tmp_path: Path
) -> None:
    site = clean_site
    (tmp_path / "release").touch()
    assert site.enqueue("rolled-back", tmp_path, "--rollback") == "none"
    task_id = site.enqueue("committed", tmp_path)
    assert site.query(f"SELECT COUNT(*) FROM {TASKS}") == [(1,)], "rollback: none"
    proc = worker(site)
    wait_for("the task to succeed", lambda: site.task(task_id)[0] == "SUCCESSFUL")
    value = site.task(task_id)[2]
    assert value == {"key": "committed", "attempt": 1, "did_effect": True}
    assert site.effects("committed") == 1
    assert proc.stop(signal.SIGTERM) == 0
    assert "Traceback" not in proc.output
    assert site.worker_pids() == set(), "a clean stop removes the heartbeat"


def test_task_interrupted_by_sigkill_runs_again_with_one_effect(
    clean_site: Site, tmp_path: Path
) -> None:
    site = clean_site
    task_id = site.enqueue("once", tmp_path)
    first = worker(site)
    # The effect is committed and the task waits for the release file: kill it
    # between its effect and its acknowledgement, the worst moment.
    wait_for("the effect of attempt 1", (tmp_path / "effect-1").exists)
    assert site.task(task_id)[0] == "RUNNING"
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    assert site.task(task_id)[0] == "RUNNING", "django-tasks leaves the row RUNNING"

    (tmp_path / "release").touch()
    second = worker(site)
    wait_for("the task to succeed", lambda: site.task(task_id)[0] == "SUCCESSFUL")
    _, worker_ids, value = site.task(task_id)
    assert len(worker_ids) == 2 and (tmp_path / "started-2").exists()
    assert value == {"key": "once", "attempt": 2, "did_effect": False}
    assert site.effects("once") == 1
    assert second.stop(signal.SIGINT) == 0
    assert "Traceback" not in second.output
    assert site.worker_pids() == set()


def test_worker_stopped_during_a_task_finishes_it_first(
    clean_site: Site, tmp_path: Path
) -> None:
    site = clean_site
    task_id = site.enqueue("graceful", tmp_path)
    proc = worker(site)
    wait_for("the task to start", (tmp_path / "effect-1").exists)
    proc.popen.send_signal(signal.SIGTERM)
    wait_for("the worker to notice", lambda: "shutting down" in proc.output)
    (tmp_path / "release").touch()
    assert proc.popen.wait(TIMEOUT) == 0
    assert site.task(task_id)[0] == "SUCCESSFUL"
    assert "Traceback" not in proc.output


def test_worker_on_an_uninitialised_database_says_so(tmp_path: Path) -> None:
    site = Site(tmp_path, None)  # a data directory nobody migrated
    done = site.hocvuso("worker", check=False)
    assert done.returncode == 1
    assert "hocvuso init" in done.stderr and "Traceback" not in done.stderr
    assert len((done.stdout + done.stderr).strip().splitlines()) == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_json(url: str) -> Any:
    with contextlib.suppress(OSError), urlopen(url, timeout=2) as response:
        return json.loads(response.read())
    return None


def test_serve_with_worker_supervises_the_worker(
    clean_site: Site, tmp_path: Path
) -> None:
    site = clean_site
    port = free_port()
    serve = Proc(site, "serve", ["serve", "--with-worker", "--port", str(port)])
    base = f"http://127.0.0.1:{port}"
    wait_for("/healthz", lambda: http_json(base + "/healthz"))
    first_pid = wait_for("a worker heartbeat", lambda: site.worker_pids())
    assert (
        wait_for(
            "/readyz to count it",
            lambda: (http_json(base + "/readyz") or {}).get("workers"),
        )
        == 1
    )

    (tmp_path / "release").touch()
    task_id = site.enqueue("served", tmp_path)
    wait_for("the task to succeed", lambda: site.task(task_id)[0] == "SUCCESSFUL")

    # The worker dies: the server restarts it.
    (worker_pid,) = first_pid
    os.kill(worker_pid, signal.SIGKILL)
    new_pids = wait_for("a restarted worker", lambda: site.worker_pids() - {worker_pid})
    (new_pid,) = new_pids
    task_id = site.enqueue("after-restart", tmp_path)
    wait_for("the next task", lambda: site.task(task_id)[0] == "SUCCESSFUL")

    # The server stops: the worker goes with it.
    granian = int(re.findall(r"main PID: (\d+)", serve.output)[0])
    assert serve.stop(signal.SIGTERM) == 0, serve.output[-3000:]
    for pid in (new_pid, granian):
        wait_for(f"pid {pid} to exit", lambda pid=pid: process_start(pid) is None)
    assert "Traceback" not in serve.output
