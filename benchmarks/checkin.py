"""Event check-in: 500 people in 10 minutes, no one counted twice.

Serves a fresh site with ``hocvuso serve`` on 127.0.0.1 (SQLite and/or
PostgreSQL), creates a commune officer, a published event happening now and
500 signed-in learners (sessions made in the database, no password hashing),
then:

1. baseline: the same number of ``GET /healthz`` at the same concurrency;
2. check-in: every learner opens the URL of the check-in screen's QR code
   (``/community/events/<id>/checkin?t=…``), ``--repeat`` of them scan twice;
   the token is read from the screen's HTMX partial, as the organiser's
   screen polls it, and refreshed every 5 s;
3. reads back the attendance rows: one per learner, duplicates = 0.

Prints rates and p95 latencies, the ratio to the baseline and the margin over
the target (500 per 10 minutes = 0.83/s). Writes
``benchmarks/results/checkin.json``; exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
from loadserver import ROOT, Server, db_version, hocvuso, server
from loadstats import pct, ratio, summary

RESULTS = ROOT / "benchmarks" / "results" / "checkin.json"
TARGET_PER_S = 500 / 600

# Run inside ``hocvuso shell``: an officer, an event happening now, a session
# per learner (the learners were made by loadserver's setup).
SETUP = """
import json
from datetime import timedelta
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.conf import settings
from django.utils import timezone
from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.community.events import EventData, event_create, event_publish
from hocvuso.community.models import EventKind
from hocvuso.geo.models import Commune

commune = Commune.objects.order_by("code").first()
officer = User.objects.create(username="officer", full_name="Cán bộ xã")
RoleAssignment.objects.create(user=officer, role=Role.COMMUNE_OFFICER, commune=commune)
now = timezone.now()
event = event_publish(actor=officer, event=event_create(
    actor=officer, commune=commune,
    data=EventData(kind=EventKind.FESTIVAL, title="Ngày hội", venue="Hội trường",
                   starts_at=now - timedelta(minutes=5),
                   ends_at=now + timedelta(hours=2), capacity=1000)))

def session_for(user):
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key

learners = list(User.objects.exclude(pk=officer.pk).order_by("username")[:{users}])
out = {{"event": str(event.pk), "officer": session_for(officer),
       "learners": [session_for(u) for u in learners]}}
with open({path!r}, "w") as fh:
    json.dump(out, fh)
"""

VERIFY = """
import json
from django.db.models import Count
from hocvuso.community.models import Attendance
rows = Attendance.objects.filter(event_id={event!r})
dupes = rows.values("user_id").annotate(n=Count("id")).filter(n__gt=1).count()
with open({path!r}, "w") as fh:
    json.dump({{"rows": rows.count(),
               "distinct": rows.values("user_id").distinct().count(),
               "duplicated_people": dupes}}, fh)
"""

TOKEN = re.compile(r'data-token="([^"]+)"')


class TokenFeed:
    """The organiser's screen: polls the QR partial and keeps the current token."""

    def __init__(self, base: str, event: str, session: str) -> None:
        self.url = f"{base}/community/events/{event}/screen/qr/"
        self.client = httpx.Client(cookies={"sessionid": session}, timeout=10)
        self.token = self._fetch()
        self.refreshes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _fetch(self) -> str:
        r = self.client.get(self.url, headers={"HX-Request": "true"})
        r.raise_for_status()
        m = TOKEN.search(r.text)
        assert m, "no token in the check-in partial"
        return m.group(1)

    def _run(self) -> None:
        while not self._stop.wait(5):
            self.token = self._fetch()
            self.refreshes += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.client.close()


def timed_gets(
    urls: list[tuple[str, dict[str, str]]], concurrency: int
) -> tuple[list[float], list[int], float]:
    """GET each (url, cookies) with ``concurrency`` threads; return times, codes."""
    local = threading.local()

    def one(item: tuple[str, dict[str, str]]) -> tuple[float, int, str]:
        url, cookies = item
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(timeout=30)
        t0 = time.perf_counter()
        r = client.get(url, cookies=cookies)
        return time.perf_counter() - t0, r.status_code, r.text

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        out = list(pool.map(one, urls))
    wall = time.perf_counter() - t0
    return [o[0] for o in out], [o[1] for o in out], wall


def run_db(args: argparse.Namespace, db: str) -> dict[str, Any]:
    with server(db, args.users, args.workers, args.threads, "") as srv:
        return measure(args, srv, db)


def measure(args: argparse.Namespace, srv: Server, db: str) -> dict[str, Any]:
    setup = srv.data_dir / "checkin-setup.json"
    hocvuso(srv.env, "shell", "-c", SETUP.format(users=args.users, path=str(setup)))
    data = json.loads(setup.read_text())
    event, sessions = data["event"], data["learners"]
    base = srv.base

    # Warm up both paths a little (templates, connections).
    httpx.get(base + "/healthz")
    feed = TokenFeed(base, event, data["officer"])

    health = [(base + "/healthz", {}) for _ in sessions]
    h_times, h_codes, h_wall = timed_gets(health, args.concurrency)

    order = list(sessions) + list(sessions[: args.repeat])

    def url_for(session: str) -> tuple[str, dict[str, str]]:
        url = f"{base}/community/events/{event}/checkin?t={feed.token}"
        return url, {"sessionid": session}

    local = threading.local()
    times: list[float] = []
    codes: list[int] = []
    texts: list[str] = []
    lock = threading.Lock()

    def one(session: str) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(timeout=30)
        url, cookies = url_for(session)
        t0 = time.perf_counter()
        r = client.get(url, cookies=cookies)
        dt = time.perf_counter() - t0
        with lock:
            times.append(dt)
            codes.append(r.status_code)
            texts.append("rồi" if "Bạn đã điểm danh rồi" in r.text else "")

    t0 = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(one, order))
    c_wall = time.perf_counter() - t0
    feed.stop()

    verify = srv.data_dir / "checkin-verify.json"
    hocvuso(srv.env, "shell", "-c", VERIFY.format(event=event, path=str(verify)))
    rows = json.loads(verify.read_text())
    rate = len(order) / c_wall
    h_rate = len(health) / h_wall
    result = {
        "db": db_version(srv),
        "people": len(sessions),
        "scans": len(order),
        "repeat_scans": args.repeat,
        "concurrency": args.concurrency,
        "baseline_healthz": {
            **summary(h_times),
            "rate_per_s": round(h_rate, 1),
            "errors": sum(1 for c in h_codes if c != 200),
        },
        "checkin": {
            **summary(times),
            "rate_per_s": round(rate, 1),
            "per_10_min": round(rate * 600),
            "errors": sum(1 for c in codes if c != 200),
            "said_already_checked_in": texts.count("rồi"),
            "token_refreshes": feed.refreshes,
        },
        "attendance_rows": rows["rows"],
        "distinct_people": rows["distinct"],
        "duplicates": rows["rows"] - rows["distinct"],
        "ratios": {
            "checkin_p95_vs_healthz_p95": ratio(pct(times, 95), pct(h_times, 95)),
            "healthz_rate_vs_checkin_rate": ratio(h_rate, rate),
            "checkin_rate_vs_target": ratio(rate, TARGET_PER_S),
        },
    }
    ok = (
        result["duplicates"] == 0
        and rows["rows"] == len(sessions)
        and result["checkin"]["errors"] == 0
        and result["checkin"]["said_already_checked_in"] == args.repeat
        and rate > TARGET_PER_S * 10
    )
    result["ok"] = ok
    c = result["checkin"]
    print(
        f"  [{srv.db}] check-in {c['rate_per_s']}/s (p95 {c['p95_ms']} ms), "
        f"/healthz {result['baseline_healthz']['rate_per_s']}/s "
        f"(p95 {result['baseline_healthz']['p95_ms']} ms); "
        f"{result['ratios']['checkin_rate_vs_target']}x the target; "
        f"rows {rows['rows']}, duplicates {result['duplicates']}: "
        f"{'OK' if ok else 'FAILED'}"
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=50, help="people scanning twice")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="granian workers")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    runs = {db: run_db(args, db) for db in dbs}
    out = {
        "benchmark": "checkin",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "target": "500 check-ins in 10 minutes, no duplicates",
        "runs": runs,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0 if all(r["ok"] for r in runs.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
