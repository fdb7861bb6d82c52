"""Household visits under load: 100 volunteers at once, and a 1,000-visit queue.

Against a real ``hocvuso serve`` (granian) on SQLite and PostgreSQL, on
127.0.0.1 only, bounded in count:

* baseline: ``GET /healthz`` from the same clients in the same run;
* submission: 100 signed-in volunteers each send visits one at a time to
  ``POST /api/community/visits/sync`` (paced: a few seconds between visits,
  starts spread over the ramp) — target p95 < 50 ms;
* queue: one phone with 1,000 visits waiting sends them in batches of 100,
  then sends the whole queue again (a lost answer) — target < 30 s, and the
  database holds each visit exactly once.

Prints ratios to the baseline and writes benchmarks/results/visits.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from loadserver import (
    BIN,
    PG_SERVER,
    db_version,
    free_port,
    hocvuso,
    pg_admin,
    stop,
    wait_healthy,
)
from loadstats import ACCESS_LINE, machine, ratio, summary

RESULTS = Path(__file__).parent / "results" / "visits.json"
PASSWORD = "hoc-vu-so-bench-2026"
ACCESS_FMT = "ACCESS %(method)s %(path)s %(status)d %(dt_ms).3f"
SYNC = "/api/community/visits/sync"
TARGET_P95_MS = 50.0
TARGET_QUEUE_S = 30.0
# A database of its own: other benchmarks may be using theirs at the same time.
PG_DB = "hocvuso_bench_visits"

# Run inside ``hocvuso shell``: volunteers (one password hash), one team in
# a commune, each volunteer a member with the community_helper role.
SETUP = """
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.community.models import Team, TeamMember
from hocvuso.geo.models import Commune

digest = make_password({password!r})
commune = Commune.objects.get(code=30178)
with transaction.atomic():
    users = [User(username=f"09{{i:08d}}", phone=f"09{{i:08d}}", password=digest,
                  full_name=f"Tình nguyện viên {{i}}") for i in range({users})]
    User.objects.bulk_create(users)
    team = Team.objects.create(commune=commune, name="Tổ đo tải")
    now = timezone.now()
    TeamMember.objects.bulk_create(
        TeamMember(team=team, user=u, joined_at=now) for u in users)
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=u, role=Role.COMMUNITY_HELPER, commune=commune)
        for u in users)
print(team.pk)
"""

COUNT = """
from hocvuso.community.models import Visit
print(Visit.objects.count(), len(set(Visit.objects.values_list("id", flat=True))))
"""


@dataclass
class Site:
    db: str
    env: dict[str, str]
    base: str
    team: str
    log: Path
    proc: subprocess.Popen[bytes]

    def shell(self, code: str) -> str:
        out = subprocess.run(
            [str(BIN / "hocvuso"), "shell", "-c", code],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip().splitlines()[-1]


@contextlib.contextmanager
def site(db: str, users: int, workers: int, threads: int) -> Iterator[Site]:
    with tempfile.TemporaryDirectory(prefix=f"hv-visits-{db}-") as tmp:
        env = dict(os.environ, HOCVUSO_DATA_DIR=tmp, LOG_LEVEL="WARNING")
        env["GRANIAN_LOG_ACCESS_ENABLED"] = "true"
        env["GRANIAN_LOG_ACCESS_FMT"] = ACCESS_FMT
        for name in ("HOCVUSO_REDIS_URL", "DATABASE_URL"):
            env.pop(name, None)
        if db == "postgres":
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            pg_admin(f"CREATE DATABASE {PG_DB}")
            env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
        log = Path(tmp) / "server.log"
        proc: subprocess.Popen[bytes] | None = None
        try:
            hocvuso(env, "init", "--no-static")
            out = subprocess.run(
                [
                    str(BIN / "hocvuso"),
                    "shell",
                    "-c",
                    SETUP.format(password=PASSWORD, users=users),
                ],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            team = out.stdout.strip().splitlines()[-1]
            port = free_port()
            cmd = [str(BIN / "hocvuso"), "serve", "--port", str(port)]
            cmd += ["--workers", str(workers), "--threads", str(threads)]
            with log.open("wb") as fh:
                proc = subprocess.Popen(
                    cmd,
                    env=env,
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            base = f"http://127.0.0.1:{port}"
            wait_healthy(base, proc)
            yield Site(db, env, base, team, log, proc)
        finally:
            if proc is not None:
                stop(proc)
            if db == "postgres":
                pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


@dataclass
class Stats:
    submit: list[float] = field(default_factory=list)
    healthz: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    acknowledged: set[str] = field(default_factory=set)

    def error(self, what: str) -> None:
        self.errors[what[:120]] = self.errors.get(what[:120], 0) + 1


def visit(team: str, rng: random.Random, when: datetime) -> dict[str, Any]:
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "team": team,
        "visited_at": when.isoformat(),
        "hamlet": f"Ấp {rng.randint(1, 12)}",
        "people_helped": rng.randint(1, 6),
        "activities": rng.sample(
            [
                "vneid_installed",
                "level1_activated",
                "payment",
                "scam_awareness",
                "ehealth_book",
            ],
            2,
        ),
    }


async def sign_in(client: httpx.AsyncClient, index: int) -> None:
    page = await client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    response = await client.post(
        "/accounts/login/",
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": f"09{index:08d}",
            "password": PASSWORD,
        },
    )
    if response.status_code != 302:
        raise RuntimeError(f"sign-in failed: HTTP {response.status_code}")


async def post(client: httpx.AsyncClient, visits: list[dict[str, Any]]) -> Any:
    headers = {"X-CSRFToken": client.cookies.get("csrftoken") or ""}
    response = await client.post(SYNC, json={"visits": visits}, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code} {response.text[:80]}")
    return response.json()


async def volunteer(
    client: httpx.AsyncClient,
    srv: Site,
    stats: Stats,
    rng: random.Random,
    visits: int,
    think: float,
    ramp: float,
) -> None:
    await asyncio.sleep(rng.uniform(0, ramp))
    for _ in range(visits):
        t = time.perf_counter()
        health = await client.get("/healthz")
        stats.healthz.append(time.perf_counter() - t)
        if health.status_code != 200:
            stats.error(f"healthz {health.status_code}")
        item = visit(srv.team, rng, datetime.now(UTC) - timedelta(seconds=30))
        t = time.perf_counter()
        try:
            body = await post(client, [item])
        except (httpx.HTTPError, RuntimeError) as exc:
            stats.error(f"submit {exc}")
        else:
            stats.submit.append(time.perf_counter() - t)
            result = body["results"][0]
            if result["status"] == "created":
                stats.acknowledged.add(item["id"])
            else:
                stats.error(f"submit {result['status']} {result['detail']}")
        await asyncio.sleep(rng.expovariate(1 / think) if think else 0)


def server_ms(log: Path, offset: int) -> dict[str, list[float]]:
    text = log.read_bytes()[offset:].decode(errors="replace")
    out: dict[str, list[float]] = {"submit": [], "healthz": []}
    for match in ACCESS_LINE.finditer(text):
        method, path, _status, ms = match.groups()
        if method == "POST" and path == SYNC:
            out["submit"].append(float(ms) / 1000)
        elif path == "/healthz":
            out["healthz"].append(float(ms) / 1000)
    return out


async def run_db(args: argparse.Namespace, db: str) -> dict[str, Any]:
    print(
        f"== {db}: {args.users} volunteers, {args.visits} visits each, "
        f"granian {args.workers}x{args.threads}"
    )
    rng = random.Random(args.seed)
    with site(db, args.users + 1, args.workers, args.threads) as srv:
        limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
        clients = [
            httpx.AsyncClient(base_url=srv.base, limits=limits, timeout=60)
            for _ in range(args.users + 1)
        ]
        try:
            sem = asyncio.Semaphore(8)

            async def login(i: int) -> None:
                async with sem:
                    await sign_in(clients[i], i)

            await asyncio.gather(*(login(i) for i in range(args.users + 1)))
            stats = Stats()
            offset = srv.log.stat().st_size
            t0 = time.perf_counter()
            await asyncio.gather(
                *(
                    volunteer(
                        clients[i],
                        srv,
                        stats,
                        random.Random(rng.getrandbits(64)),
                        args.visits,
                        args.think,
                        args.ramp,
                    )
                    for i in range(args.users)
                )
            )
            wall = time.perf_counter() - t0
            server = server_ms(srv.log, offset)
            sub, base = summary(stats.submit), summary(stats.healthz)
            ssub, sbase = summary(server["submit"]), summary(server["healthz"])
            print(
                f"  submit p50/p95 {sub['p50_ms']}/{sub['p95_ms']} ms "
                f"(server {ssub['p95_ms']} ms); /healthz p95 {base['p95_ms']} ms; "
                f"ratio p95 {ratio(sub['p95_ms'], base['p95_ms'])}; "
                f"errors {sum(stats.errors.values())}"
            )

            # One phone, 1,000 visits waiting: batches of 100, then all again.
            phone = clients[args.users]
            start = datetime.now(UTC) - timedelta(hours=3)
            queue = [
                visit(srv.team, rng, start + timedelta(seconds=i))
                for i in range(args.queue)
            ]
            t0 = time.perf_counter()
            created = 0
            for k in range(0, len(queue), 100):
                body = await post(phone, queue[k : k + 100])
                created += sum(r["status"] == "created" for r in body["results"])
            queue_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            dupes = 0
            for k in range(0, len(queue), 100):
                body = await post(phone, queue[k : k + 100])
                dupes += sum(r["status"] == "duplicate" for r in body["results"])
            resend_s = time.perf_counter() - t0
            print(
                f"  queue of {len(queue)}: {queue_s:.1f} s "
                f"({created} created); sent again {resend_s:.1f} s ({dupes} dup.)"
            )
            rows, distinct = (int(x) for x in srv.shell(COUNT).split())
        finally:
            await asyncio.gather(*(c.aclose() for c in clients))
        expected = len(stats.acknowledged) + created
        print(f"  database: {rows} visits, expected {expected}, distinct {distinct}")
        return {
            "db": db,
            "db_version": db_version(srv),  # type: ignore[arg-type]
            "submission": {
                "wall_s": round(wall, 1),
                "client": sub,
                "server": ssub,
                "healthz_client": base,
                "healthz_server": sbase,
                "p95_ratio_to_healthz": ratio(sub["p95_ms"], base["p95_ms"]),
                "errors": stats.errors,
                "meets_target": bool(
                    sub["p95_ms"] is not None and sub["p95_ms"] < TARGET_P95_MS
                ),
            },
            "queue": {
                "visits": len(queue),
                "batch": 100,
                "wall_s": round(queue_s, 2),
                "created": created,
                "resend_wall_s": round(resend_s, 2),
                "resend_duplicates": dupes,
                "meets_target": queue_s < TARGET_QUEUE_S and created == len(queue),
            },
            "integrity": {
                "rows": rows,
                "distinct": distinct,
                "expected": expected,
                "exactly_once": rows == distinct == expected,
            },
        }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--visits", type=int, default=5, help="visits per volunteer")
    parser.add_argument("--think", type=float, default=10.0, help="mean pause (s)")
    parser.add_argument("--ramp", type=float, default=10.0, help="start spread (s)")
    parser.add_argument("--queue", type=int, default=1000, help="visits on one phone")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    host = machine()
    print(
        f"machine: {host['cpus']} cores, Python loop "
        f"{host['speed']['python_loop_ms']} ms, fsync 4 KiB "
        f"{host['speed']['fsync_4k_p50_ms']} ms"
    )
    t0 = time.perf_counter()
    runs = [asyncio.run(run_db(args, db)) for db in dbs]
    result = {
        "benchmark": "visits",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": host,
        "settings": {
            "volunteers": args.users,
            "visits_each": args.visits,
            "think_mean_s": args.think,
            "ramp_s": args.ramp,
            "queue": args.queue,
            "granian_workers": args.workers,
            "threads_per_worker": args.threads,
            "target": {"submit_p95_ms": TARGET_P95_MS, "queue_s": TARGET_QUEUE_S},
        },
        "runs": runs,
        "total_wall_s": round(time.perf_counter() - t0, 1),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.output} ({result['total_wall_s']} s)")
    return 0 if all(r["integrity"]["exactly_once"] for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
