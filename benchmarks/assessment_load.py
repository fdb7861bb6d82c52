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
otherwise; every rate limit stays on (all learners sign in from 127.0.0.1, as a
class on one Wi-Fi does: only failed sign-ins count toward an address's limit).
``--profile`` samples the server's threads that hold the GIL with py-spy (Python
CPU time) and adds the hottest functions to the results. Needs ``httpx`` (the
``bench`` extra). Writes ``benchmarks/results/assessment_load.json``; exits 1
when an answer was lost or duplicated or a request failed. Sign-in (Argon2id,
~30 ms of CPU each) is measured too; the paced run dominates the run time: about
8 minutes for both databases.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from loadserver import (
    GROUP,
    PASSWORD,
    ROOT,
    Server,
    cpu_seconds,
    db_version,
    server,
    server_pids,
)
from loadstats import (
    machine,
    pct,
    ratio,
    server_times,
    start_profiler,
    stop_profiler,
    summary,
)

RESULTS = ROOT / "benchmarks" / "results" / "assessment_load.json"
TARGET_P95_MS = 50.0
RETRY_RATE = 0.05
PROBE_RATE = 0.10


# --------------------------------------------------------------------------
# The learners (the server side is in loadserver.py, the measures in loadstats.py)


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
                f"(p50 {sign_in['latency']['p50_ms']} ms; Argon2id), "
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


# --------------------------------------------------------------------------


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
    host = machine()
    print(
        f"machine: {host['cpus']} cores, Python loop {host['speed']['python_loop_ms']}"
        f" ms, fsync 4 KiB {host['speed']['fsync_4k_p50_ms']} ms (see loadstats.py)"
    )
    t0 = time.perf_counter()
    runs = [asyncio.run(run_db(args, db)) for db in dbs]
    result = {
        "benchmark": "assessment_load",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": host,
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
