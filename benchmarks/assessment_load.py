r"""Load test of the assessment API: 200 learners taking full adaptive tests at once.

Starts ``hocvuso serve`` (granian) on a fresh data directory, once on SQLite and
once on PostgreSQL (a throw-away database ``hocvuso_bench``, dropped afterwards),
with learner accounts created beforehand. Every simulated learner signs in
through the sign-in page (CSRF cookie, form), starts the adults' assessment
through the API and answers item by item until the result, as a learner of
ability θ ~ N(0, 1) would: the client never sees the keys, so it takes the first
option with probability 1 / (1 + exp(-1.7 θ)) and another one otherwise.

Scenarios (``--scenarios``, run in order with the same signed-in learners):

* ``paced`` (default): before each answer a think time, exponential with mean
  ``--think`` seconds (default 5, at most 3x the mean), i.e. people reading the
  question, about 4x faster than the ~20 s a real learner takes; starts are
  spread over ``--ramp`` seconds;
* ``saturation``: no think time (closed loop), the most the server can do.

Every answer→next-item round trip is timed. About 5 % of the answers are sent
twice with the same ``attempt_id`` (half after the acknowledgement, as when a
response is lost, half as two requests in flight at once, as a double tap); both
copies must return the same state. About 10 % of the answers are followed by a
``GET /healthz`` from the same client: the baseline measured under the same
concurrency, in the same run (ratios are printed against it). At the end the
``Response`` rows of every sitting are read from the database and compared with
the client's log of acknowledged answers: none may be lost or duplicated.

    .venv/bin/python benchmarks/assessment_load.py [--db sqlite|postgres|both] \
        [--users 200] [--workers 2] [--threads 8] [--think 5] \
        [--scenarios paced,saturation] [--redis] [--profile]

The server runs as ``hocvuso serve`` ships (2 granian workers x 8 threads here,
cache and rate limits in the database) unless ``--threads``/``--redis`` say
otherwise; rate limits stay on, except the per-IP sign-in limit (every learner
comes from 127.0.0.1). ``--profile`` samples the server's threads that hold the
GIL with py-spy (Python CPU time) and adds the hottest functions to the results.
Needs ``httpx`` (the ``bench`` extra). Writes
``benchmarks/results/assessment_load.json``; exits 1 when an answer was lost or
duplicated or a request failed. Sign-in (PBKDF2, ~0.8 s of CPU each) and the
paced run dominate the run time: about 10 minutes for both databases.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "assessment_load.json"
BIN = Path(sys.executable).parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "hocvuso_bench"
PASSWORD = "hoc-vu-so-bench-2026"
GROUP = "adults"
TARGET_P95_MS = 50.0
ACCESS_FMT = "ACCESS %(method)s %(path)s %(status)d %(dt_ms).3f"
ACCESS_LINE = re.compile(r"ACCESS (\S+) (\S+) (\d+) ([0-9.]+)")
RETRY_RATE = 0.05
PROBE_RATE = 0.10

# Run inside ``hocvuso shell``: learners with an adults profile in a commune and
# the learner role; one password hash for all (hashing costs ~0.8 s each). The
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


# --------------------------------------------------------------------------
# The server


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
        # Everyone signs in from 127.0.0.1: lift the per-IP sign-in limit only;
        # the per-user answer and start limits stay on (their cost is measured).
        env["HOCVUSO_LOGIN_RATE"] = "100000/m"
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


# --------------------------------------------------------------------------
# The learners


@dataclass
class Stats:
    """What one scenario measured (latencies in seconds)."""

    t0: float = field(default_factory=time.perf_counter)
    answer: list[float] = field(default_factory=list)
    answer_at: list[float] = field(default_factory=list)  # seconds after t0
    last_start_at: float = 0.0
    healthz: list[float] = field(default_factory=list)
    start: list[float] = field(default_factory=list)
    retry: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    retries_sequential: int = 0
    retries_concurrent: int = 0
    retry_mismatches: int = 0
    finished: int = 0
    abandoned: int = 0
    # session id -> [(attempt id, position the client answered at)]
    acked: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def error(self, what: str, detail: str) -> None:
        self.errors[f"{what}: {detail}"[:160]] += 1


@dataclass
class Learner:
    index: int
    theta: float
    client: httpx.AsyncClient
    rng: random.Random

    @property
    def username(self) -> str:
        return f"09{self.index:08d}"

    def csrf(self) -> dict[str, str]:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken") or ""}

    def choose(self, item: dict[str, Any]) -> str:
        options = [str(o["id"]) for o in item["options"]]
        p_first = 1.0 / (1.0 + math.exp(-1.7 * self.theta))
        if self.rng.random() < p_first or len(options) == 1:
            return options[0]
        return self.rng.choice(options[1:])

    async def sign_in(self) -> float:
        page = await self.client.get("/accounts/login/")
        page.raise_for_status()
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if match is None:
            raise RuntimeError("no CSRF token on the sign-in page")
        t = time.perf_counter()
        response = await self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": match.group(1),
                "username": self.username,
                "password": PASSWORD,
            },
        )
        elapsed = time.perf_counter() - t
        if response.status_code != 302 or "sessionid" not in self.client.cookies:
            raise RuntimeError(f"sign-in failed: HTTP {response.status_code}")
        return elapsed

    async def post(self, path: str, body: dict[str, Any]) -> tuple[float, Any]:
        t = time.perf_counter()
        response = await self.client.post(path, json=body, headers=self.csrf())
        elapsed = time.perf_counter() - t
        if not 200 <= response.status_code < 300:
            raise HttpError(response.status_code, response.text[:120])
        return elapsed, response.json()

    async def think(self, mean: float) -> None:
        if mean > 0:
            await asyncio.sleep(min(self.rng.expovariate(1 / mean), 3 * mean))

    async def sit(self, stats: Stats, think: float, ramp: float) -> None:
        """Take one full test; every failure is counted, nothing raises."""
        await asyncio.sleep(self.rng.uniform(0, ramp))
        try:
            elapsed, state = await self.post(
                "/api/assessment/sessions", {"target_group": GROUP}
            )
        except (HttpError, httpx.HTTPError) as exc:
            stats.error("start", describe(exc))
            stats.abandoned += 1
            return
        stats.start.append(elapsed)
        stats.last_start_at = max(stats.last_start_at, time.perf_counter() - stats.t0)
        sid = str(state["id"])
        acked = stats.acked.setdefault(sid, [])
        url = f"/api/assessment/sessions/{sid}/answers"
        while state["item"] is not None:
            await self.think(think)
            body = {
                "attempt_id": str(uuid.uuid4()),
                "item_id": state["item"]["id"],
                "option": self.choose(state["item"]),
            }
            position = int(state["position"])
            roll = self.rng.random()
            new = await self.answer(stats, url, body, concurrent=roll < RETRY_RATE / 2)
            if new is None:
                stats.abandoned += 1
                return
            acked.append((body["attempt_id"], position))
            if RETRY_RATE / 2 <= roll < RETRY_RATE:
                await self.resend(stats, url, body, new)
            if self.rng.random() < PROBE_RATE:
                await self.probe(stats)
            state = new
        stats.finished += 1

    async def answer(
        self, stats: Stats, url: str, body: dict[str, Any], *, concurrent: bool
    ) -> Any:
        """Send an answer (twice at once when ``concurrent``); retry on failure."""
        for _attempt in range(3):
            try:
                if not concurrent:
                    elapsed, state = await self.post(url, body)
                    stats.answer.append(elapsed)
                    stats.answer_at.append(time.perf_counter() - stats.t0)
                    return state
                (t1, s1), (t2, s2) = await asyncio.gather(
                    self.post(url, body), self.post(url, body)
                )
                # The learner sees the first reply; both go to the retry figures.
                stats.answer.append(min(t1, t2))
                stats.answer_at.append(time.perf_counter() - stats.t0)
                stats.retries_concurrent += 1
                stats.retry.extend((t1, t2))
                if s1 != s2:
                    stats.retry_mismatches += 1
                return s1
            except (HttpError, httpx.HTTPError) as exc:
                stats.error("answer", describe(exc))
                await asyncio.sleep(0.5)  # then retry with the same attempt_id
        return None

    async def resend(
        self, stats: Stats, url: str, body: dict[str, Any], first: Any
    ) -> None:
        """Re-send an acknowledged answer: same state back, nothing recorded."""
        stats.retries_sequential += 1
        try:
            elapsed, again = await self.post(url, body)
        except (HttpError, httpx.HTTPError) as exc:
            stats.error("retry", describe(exc))
            return
        stats.retry.append(elapsed)
        if again != first:
            stats.retry_mismatches += 1

    async def probe(self, stats: Stats) -> None:
        t = time.perf_counter()
        try:
            response = await self.client.get("/healthz")
        except httpx.HTTPError as exc:
            stats.error("healthz", describe(exc))
            return
        if response.status_code == 200:
            stats.healthz.append(time.perf_counter() - t)
        else:
            stats.error("healthz", f"HTTP {response.status_code}")


class HttpError(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"HTTP {status} {text}")
        self.status = status


def describe(exc: Exception) -> str:
    if isinstance(exc, HttpError):
        return str(exc)
    return f"{type(exc).__name__} {exc}".strip()


# --------------------------------------------------------------------------
# Statistics and the run


def server_times(log: Path, offset: int) -> dict[str, list[float]]:
    """Return server-side times (s) of answers and probes logged after ``offset``."""
    out: dict[str, list[float]] = {"answer": [], "healthz": []}
    if not log.exists():
        return out
    with log.open("rb") as f:
        f.seek(offset)
        text = f.read().decode(errors="replace")
    for match in ACCESS_LINE.finditer(text):
        method, path, _status, ms = match.groups()
        if method == "POST" and path.endswith("/answers"):
            out["answer"].append(float(ms) / 1000)
        elif path == "/healthz":
            out["healthz"].append(float(ms) / 1000)
    return out


def pct(values: list[float], q: float) -> float | None:
    """The q-th percentile (nearest rank) in milliseconds."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return round(ordered[rank] * 1000, 2)


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50_ms": pct(values, 50),
        "p95_ms": pct(values, 95),
        "p99_ms": pct(values, 99),
        "max_ms": pct(values, 100),
        "mean_ms": round(sum(values) / len(values) * 1000, 2) if values else None,
    }


def timeline(stats: Stats, step: float = 15.0) -> list[dict[str, Any]]:
    """Answers and latency per ``step`` seconds of the scenario."""
    buckets: dict[int, list[float]] = {}
    for at, latency in zip(stats.answer_at, stats.answer, strict=True):
        buckets.setdefault(int(at // step), []).append(latency)
    return [
        {
            "from_s": k * step,
            "answers": len(v),
            "p50_ms": pct(v, 50),
            "p95_ms": pct(v, 95),
        }
        for k, v in sorted(buckets.items())
    ]


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def check_rows(stats: Stats, rows: dict[str, Any]) -> dict[str, Any]:
    """Compare the acknowledged answers with the Response rows per sitting."""
    lost = duplicated = unacknowledged = wrong_position = bad_sessions = 0
    for sid, acked in stats.acked.items():
        stored = rows.get(sid, {"rows": [], "n_answered": -1, "result_items": None})
        by_attempt = Counter(aid for aid, _pos in stored["rows"])
        positions = sorted(pos for _aid, pos in stored["rows"])
        acked_ids = {aid for aid, _pos in acked}
        lost += sum(1 for aid in acked_ids if by_attempt[aid] == 0)
        duplicated += sum(n - 1 for n in by_attempt.values() if n > 1)
        duplicated += len(acked) - len(acked_ids)  # client got one attempt twice
        unacknowledged += sum(1 for aid in by_attempt if aid not in acked_ids)
        stored_pos = dict(stored["rows"])
        wrong_position += sum(
            1 for aid, pos in acked if aid in stored_pos and stored_pos[aid] != pos
        )
        n = len(stored["rows"])
        complete = stored.get("status") == "completed"
        if (
            positions != list(range(1, n + 1))
            or stored["n_answered"] != n
            or (complete and stored["result_items"] != n)
        ):
            bad_sessions += 1
    return {
        "sessions": len(stats.acked),
        "acknowledged": sum(len(a) for a in stats.acked.values()),
        "rows": sum(len(rows.get(s, {"rows": []})["rows"]) for s in stats.acked),
        "lost": lost,
        "duplicated": duplicated,
        "stored_not_acknowledged": unacknowledged,
        "wrong_position": wrong_position,
        "inconsistent_sessions": bad_sessions,
    }


async def sign_in_all(learners: list[Learner], concurrency: int) -> dict[str, Any]:
    gate = asyncio.Semaphore(concurrency)
    times: list[float] = []
    errors: Counter[str] = Counter()

    async def one(learner: Learner) -> None:
        async with gate:
            try:
                times.append(await learner.sign_in())
            except (RuntimeError, httpx.HTTPError) as exc:
                errors[describe(exc)[:160]] += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(one(x) for x in learners))
    wall = time.perf_counter() - t0
    return {
        "concurrency": concurrency,
        "wall_s": round(wall, 1),
        "latency": summary(times),
        "errors": dict(errors),
    }


async def scenario(
    srv: Server,
    learners: list[Learner],
    name: str,
    think: float,
    ramp: float,
    profile: bool,
) -> tuple[Stats, dict[str, Any]]:
    assert srv.proc is not None
    pids = server_pids(srv.proc.pid)
    spy = start_profiler(srv.proc.pid, srv.data_dir) if profile else None
    log_from = srv.log.stat().st_size if srv.log.exists() else 0
    cpu0, client0, t0 = cpu_seconds(pids), time.process_time(), time.perf_counter()
    stats = Stats(t0=t0)
    await asyncio.gather(*(x.sit(stats, think, ramp) for x in learners))
    wall = time.perf_counter() - t0
    server_cpu = cpu_seconds(pids) - cpu0
    client_cpu = time.process_time() - client0
    hotspots = stop_profiler(spy) if spy is not None else None
    answers = len(stats.answer)
    ans, base = summary(stats.answer), summary(stats.healthz)
    served = server_times(srv.log, log_from)
    report: dict[str, Any] = {
        "scenario": name,
        "think_mean_s": think,
        "ramp_s": ramp,
        "wall_s": round(wall, 1),
        "answers_acknowledged": answers,
        "throughput_answers_per_s": round(answers / wall, 1),
        "answer_latency": ans,
        "baseline_healthz_latency": base,
        "server_side_latency": {
            "what": "granian access log: request read to response sent",
            "answer": summary(served["answer"]),
            "healthz": summary(served["healthz"]),
        },
        "ratio_to_healthz": {
            k: ratio(ans[k], base[k]) for k in ("p50_ms", "p95_ms", "p99_ms")
        },
        "answer_latency_after_all_started": summary(
            [
                x
                for at, x in zip(stats.answer_at, stats.answer, strict=True)
                if at > stats.last_start_at
            ]
        ),
        "all_started_after_s": round(stats.last_start_at, 1),
        "timeline": timeline(stats),
        "start_latency": summary(stats.start),
        "retry_latency": summary(stats.retry),
        "retries": {
            "sequential": stats.retries_sequential,
            "concurrent_pairs": stats.retries_concurrent,
            "state_mismatches": stats.retry_mismatches,
        },
        "errors": sum(stats.errors.values()),
        "error_kinds": dict(stats.errors.most_common(10)),
        "sittings_finished": stats.finished,
        "sittings_abandoned": stats.abandoned,
        "cpu": {
            "server_s": round(server_cpu, 1),
            "server_cores_busy": round(server_cpu / wall, 2),
            "server_ms_per_answer": round(server_cpu / max(answers, 1) * 1000, 2),
            "client_s": round(client_cpu, 1),
            "client_cores_busy": round(client_cpu / wall, 2),
        },
    }
    p95 = ans["p95_ms"]
    report["target_met"] = (
        p95 is not None
        and p95 < TARGET_P95_MS
        and report["errors"] == 0
        and stats.retry_mismatches == 0
    )
    if hotspots is not None:
        report["hotspots"] = hotspots
    return stats, report


async def run_db(args: argparse.Namespace, db: str) -> dict[str, Any]:
    print(
        f"== {db}: {args.users} learners, granian {args.workers} workers x "
        f"{args.threads} threads, cache {'Redis' if args.redis else 'database'}"
    )
    with server(db, args.users, args.workers, args.threads, args.redis) as srv:
        limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
        timeout = httpx.Timeout(120.0)
        rng = random.Random(args.seed)
        learners = [
            Learner(
                i,
                rng.gauss(0, 1),
                httpx.AsyncClient(base_url=srv.base, limits=limits, timeout=timeout),
                random.Random(rng.getrandbits(64)),
            )
            for i in range(args.users)
        ]
        try:
            sign_in = await sign_in_all(learners, args.login_concurrency)
            print(
                f"  signed in {args.users} learners in {sign_in['wall_s']} s "
                f"(p50 {sign_in['latency']['p50_ms']} ms; PBKDF2), "
                f"errors {sum(sign_in['errors'].values())}"
            )
            scenarios: list[tuple[Stats, dict[str, Any]]] = []
            plan = {"paced": (args.think, args.ramp), "saturation": (0.0, 1.0)}
            for name in args.scenarios:
                think, ramp = plan[name]
                stats, report = await scenario(
                    srv, learners, name, think, ramp, args.profile
                )
                scenarios.append((stats, report))
                print_scenario(report)
            rows = srv.verify_rows()
            for stats, report in scenarios:
                report["integrity"] = check_rows(stats, rows)
            keys = scenarios[0][1]["integrity"].keys()
            integrity = {k: sum(r["integrity"][k] for _s, r in scenarios) for k in keys}
            integrity["sessions_in_database"] = len(rows)
        finally:
            await asyncio.gather(*(x.client.aclose() for x in learners))
        print(
            f"  integrity: {integrity['acknowledged']} acknowledged answers, "
            f"{integrity['rows']} rows, lost {integrity['lost']}, duplicated "
            f"{integrity['duplicated']}, inconsistent sittings "
            f"{integrity['inconsistent_sessions']}"
        )
        return {
            "db": db,
            "db_version": db_version(srv),
            "sign_in": sign_in,
            "scenarios": [r for _s, r in scenarios],
            "integrity": integrity,
        }


def print_scenario(r: dict[str, Any]) -> None:
    a, b, q = r["answer_latency"], r["baseline_healthz_latency"], r["ratio_to_healthz"]
    print(
        f"  {r['scenario']:<10} think {r['think_mean_s']} s: "
        f"{r['answers_acknowledged']} answers in {r['wall_s']} s = "
        f"{r['throughput_answers_per_s']} answers/s; errors {r['errors']}"
    )
    print(
        f"    answer  p50 {a['p50_ms']} / p95 {a['p95_ms']} / p99 {a['p99_ms']} ms"
        f"   healthz p50 {b['p50_ms']} / p95 {b['p95_ms']} / p99 {b['p99_ms']} ms"
    )
    print(
        f"    ratio answer/healthz: p50 {q['p50_ms']}x p95 {q['p95_ms']}x "
        f"p99 {q['p99_ms']}x; server {r['cpu']['server_ms_per_answer']} ms CPU per "
        f"answer, {r['cpu']['server_cores_busy']} cores busy (client "
        f"{r['cpu']['client_cores_busy']}); p95 < {TARGET_P95_MS:.0f} ms: "
        f"{'met' if r['target_met'] else 'NOT met'}"
    )
    v = r["server_side_latency"]["answer"]
    if v["n"]:
        print(
            f"    server side (granian access log): answer p50 {v['p50_ms']} / "
            f"p95 {v['p95_ms']} / p99 {v['p99_ms']} ms"
        )
    s = r["answer_latency_after_all_started"]
    print(
        f"    after all {r['all_started_after_s']} s of starts: answer p50 "
        f"{s['p50_ms']} / p95 {s['p95_ms']} / p99 {s['p99_ms']} ms; start p50 "
        f"{r['start_latency']['p50_ms']} / p95 {r['start_latency']['p95_ms']} ms"
    )
    for kind, n in r["error_kinds"].items():
        print(f"    {n} x {kind}")


def db_version(srv: Server) -> str:
    if srv.db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres") as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return f"PostgreSQL {row[0] if row else '?'}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (WAL)"


# --------------------------------------------------------------------------
# Profiling with py-spy (optional)


@dataclass
class Profiler:
    proc: subprocess.Popen[bytes]
    out: Path


def start_profiler(pid: int, folder: Path) -> Profiler | None:
    spy = shutil.which("py-spy", path=str(BIN)) or shutil.which("py-spy")
    if spy is None:
        print("  (py-spy is not installed: no profile)")
        return None
    out = folder / "profile.txt"
    cmd = [spy, "record", "--pid", str(pid), "--subprocesses", "--format", "raw"]
    cmd += ["--rate", "100", "--gil", "--nonblocking", "--output", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return Profiler(proc, out)


def stop_profiler(spy: Profiler) -> dict[str, Any]:
    spy.proc.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        spy.proc.wait(30)
    if spy.proc.poll() is None:
        spy.proc.kill()
    if not spy.out.is_file():
        return {"error": "py-spy wrote no profile"}
    return hotspots(spy.out.read_text(errors="replace"))


def hotspots(raw: str, top: int = 15) -> dict[str, Any]:
    """Summarise py-spy's collapsed stacks: inclusive and self share per function."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [short(f) for f in stack.split(";") if f.strip()]
        # Idle threads waiting for work are not CPU time of requests.
        if not any("hocvuso" in f or "django" in f for f in frames):
            continue
        total += n
        own[frames[-1]] += n
        for name in set(frames):
            inclusive[name] += n
    if not total:
        return {"samples": 0}

    def share(c: Counter[str], keep: Any) -> list[list[Any]]:
        rows = [(k, v) for k, v in c.most_common() if keep(k)][:top]
        return [[k, round(100 * v / total, 1)] for k, v in rows]

    return {
        "samples": total,
        "inclusive_percent_app": share(
            inclusive, lambda k: "hocvuso/" in k and "wsgi" not in k
        ),
        "inclusive_percent_django": share(
            inclusive, lambda k: "django/" in k and "handlers" not in k
        ),
        "self_percent": share(own, lambda k: True),
    }


def short(frame: str) -> str:
    """``func (path/site-packages/pkg/mod.py:12)`` -> ``func (pkg/mod.py)``."""
    frame = frame.strip()
    match = re.match(r"(.*?) \((.*?)(?::\d+)?\)$", frame)
    if not match:
        return frame
    func, path = match.groups()
    for marker in ("site-packages/", "/src/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{func} ({path})"


# --------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "-"

    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory": mem,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {
            n: version(n) for n in ("django", "django-ninja", "granian", "httpx")
        },
    }


def scenario_list(value: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    if not names or set(names) - {"paced", "saturation"}:
        raise argparse.ArgumentTypeError("choose from: paced, saturation")
    return names


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="granian workers")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    parser.add_argument(
        "--think", type=float, default=5.0, help="mean think time (s), paced run"
    )
    parser.add_argument("--ramp", type=float, default=10.0, help="start spread (s)")
    parser.add_argument(
        "--scenarios",
        type=scenario_list,
        default=["paced"],
        help="comma-separated, in order: paced (default), saturation (no think time)",
    )
    parser.add_argument(
        "--redis",
        nargs="?",
        const="redis://127.0.0.1:6379/0",
        default="",
        help="use Redis for the cache and rate limits (HOCVUSO_REDIS_URL)",
    )
    parser.add_argument("--login-concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--profile", action="store_true", help="py-spy hotspots")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    t0 = time.perf_counter()
    runs = [asyncio.run(run_db(args, db)) for db in dbs]
    result = {
        "benchmark": "assessment_load",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "users": args.users,
            "granian_workers": args.workers,
            "threads_per_worker": args.threads,
            "think_mean_s": args.think,
            "cache": "redis" if args.redis else "database",
            "scenarios": args.scenarios,
            "retry_rate": RETRY_RATE,
            "healthz_probe_rate": PROBE_RATE,
            "target": {"p95_ms": TARGET_P95_MS, "errors": 0, "lost_or_duplicated": 0},
        },
        "runs": runs,
        "total_wall_s": round(time.perf_counter() - t0, 1),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.output} ({result['total_wall_s']} s)")
    broken = any(
        r["integrity"]["lost"]
        or r["integrity"]["duplicated"]
        or r["integrity"]["inconsistent_sessions"]
        or any(s["errors"] or s["retries"]["state_mismatches"] for s in r["scenarios"])
        for r in runs
    )
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
