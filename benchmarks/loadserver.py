"""The server side of ``assessment_load.py``: a fresh site served by granian.

Initialises a data directory (SQLite) or a throw-away database
(PostgreSQL), creates the learners, serves ``hocvuso serve`` with granian's
access log on, reads back every sitting after the load, and measures the
server's CPU time.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


BIN = Path(sys.executable).parent


PG_SERVER = "postgres://postgres@127.0.0.1:5432"


PG_DB = "hocvuso_bench"


PASSWORD = "hoc-vu-so-bench-2026"


GROUP = "adults"


ACCESS_FMT = "ACCESS %(method)s %(path)s %(status)d %(dt_ms).3f"


# Run inside ``hocvuso shell``: learners with an adults profile in a commune and
# the learner role; one password hash for all (hashed once). The
# adults' retake cooldown is lifted so each learner can sit twice (2 scenarios).
SETUP = """
from django.contrib.auth.hashers import make_password
from django.db import transaction
from hocvuso.accounts.models import LearnerProfile, Role, RoleAssignment, User
from hocvuso.assessment.models import Blueprint
from hocvuso.framework.models import TargetGroup
from hocvuso.geo.models import Commune

digest = make_password({password!r})
group = TargetGroup.objects.get(slug={group!r})
communes = list(Commune.objects.order_by("code")[:50])
with transaction.atomic():
    users = [
        User(username=f"09{{i:08d}}", phone=f"09{{i:08d}}", password=digest,
             full_name=f"Học viên {{i}}")
        for i in range({users})
    ]
    User.objects.bulk_create(users)
    LearnerProfile.objects.bulk_create(
        LearnerProfile(user=u, birth_year=1970 + i % 40, target_group=group,
                       commune=communes[i % len(communes)])
        for i, u in enumerate(users)
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=u, role=Role.LEARNER, commune=communes[i % len(communes)])
        for i, u in enumerate(users)
    )
    Blueprint.objects.filter(target_group=group).update(retake_cooldown_days=0)
"""


# Run inside ``hocvuso shell`` after the load: every sitting and its answers.
VERIFY = """
import json
from hocvuso.assessment.models import Response, Result, TestSession

out = {{}}
for s in TestSession.objects.values("id", "status", "n_answered"):
    out[str(s["id"])] = {{"status": s["status"], "n_answered": s["n_answered"],
                         "rows": [], "result_items": None}}
for sid, aid, pos in Response.objects.values_list(
        "session_id", "attempt_id", "position"):
    out[str(sid)]["rows"].append([str(aid), pos])
for sid, n in Result.objects.values_list("session_id", "n_items"):
    out[str(sid)]["result_items"] = n
with open({path!r}, "w") as fh:
    json.dump(out, fh)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def hocvuso(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(BIN / "hocvuso"), *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@dataclass
class Server:
    db: str
    env: dict[str, str]
    base: str
    data_dir: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.data_dir / "server.log"

    def verify_rows(self) -> dict[str, Any]:
        path = self.data_dir / "verify.json"
        hocvuso(self.env, "shell", "-c", VERIFY.format(path=str(path)))
        data: dict[str, Any] = json.loads(path.read_text())
        return data


@contextlib.contextmanager
def server(
    db: str, users: int, workers: int, threads: int, redis: str
) -> Iterator[Server]:
    """Initialise a fresh site, create the learners, serve it; clean up after."""
    with tempfile.TemporaryDirectory(prefix=f"hv-bench-{db}-") as tmp:
        env = dict(os.environ, HOCVUSO_DATA_DIR=tmp, LOG_LEVEL="WARNING")
        # Every limit stays on: everyone signs in from 127.0.0.1, as a class on
        # one Wi-Fi does, and only failed sign-ins count toward the IP's limit.
        env.pop("HOCVUSO_LOGIN_RATE", None)
        env.pop("HOCVUSO_LOGIN_IP_RATE", None)
        # granian's access log gives the server-side time of every request
        # (from reading the request to sending the response, queueing in the
        # server included), to set apart the client's own overhead.
        env["GRANIAN_LOG_ACCESS_ENABLED"] = "true"
        env["GRANIAN_LOG_ACCESS_FMT"] = ACCESS_FMT
        env.pop("HOCVUSO_REDIS_URL", None)
        env.pop("DATABASE_URL", None)
        prefix = f"hv-bench-{uuid.uuid4().hex[:8]}"
        if redis:  # cache and rate limits in Redis instead of the database
            env["HOCVUSO_REDIS_URL"] = redis
            env["HOCVUSO_CACHE_PREFIX"] = prefix
        if db == "postgres":
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            pg_admin(f"CREATE DATABASE {PG_DB}")
            env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
        proc: subprocess.Popen[bytes] | None = None
        log = Path(tmp) / "server.log"
        try:
            t0 = time.perf_counter()
            hocvuso(env, "init", "--no-static")
            code = SETUP.format(password=PASSWORD, group=GROUP, users=users)
            hocvuso(env, "shell", "-c", code)
            print(f"  [{db}] site ready in {time.perf_counter() - t0:.1f} s")
            port = free_port()
            cmd = [str(BIN / "hocvuso"), "serve", "--port", str(port)]
            cmd += ["--workers", str(workers), "--threads", str(threads)]
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    cmd,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            base = f"http://127.0.0.1:{port}"
            wait_healthy(base, proc)
            yield Server(db, env, base, Path(tmp), proc)
        finally:
            if proc is not None:
                stop(proc)
                tail = log.read_text(errors="replace").strip().splitlines()[-5:]
                if any("Traceback" in line or "ERROR" in line for line in tail):
                    print("  server log tail:\n    " + "\n    ".join(tail))
            if db == "postgres":
                pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            if redis:
                redis_forget(redis, prefix)


def redis_forget(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def wait_healthy(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("server did not answer /healthz within 60 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop granian and its workers (own process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def server_pids(root: int) -> list[int]:
    """Return ``root`` and its descendants (granian's workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by ``pids``."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def db_version(srv: Server) -> str:
    if srv.db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres") as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return f"PostgreSQL {row[0] if row else '?'}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (WAL)"
