"""Measures for ``assessment_load.py``: percentiles, server-side times, profiles."""

from __future__ import annotations

import contextlib
import importlib.metadata
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loadserver import BIN

ACCESS_LINE = re.compile(r"ACCESS (\S+) (\S+) (\d+) ([0-9.]+)")


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


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


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


def machine_speed(rounds: int = 5, syncs: int = 40) -> dict[str, float]:
    """Return how fast this machine is now: a fixed Python workload, an fsync.

    Machines of the same kind differ from day to day (a run on a slower or
    busier one gave 2-5x the latencies), so results carry these two figures:
    the best time of a pure-Python loop (the app's per-request work is
    Python) and the median time to write and ``fsync`` 4 KiB in the temporary
    directory (every answer commits with a synced write).
    """
    best = math.inf
    for _ in range(rounds):
        t = time.perf_counter()
        total = 0
        for i in range(200_000):
            total += i % 7
        best = min(best, time.perf_counter() - t)
    times: list[float] = []
    with tempfile.TemporaryFile() as fh:
        block = os.urandom(4096)
        for _ in range(syncs):
            t = time.perf_counter()
            fh.write(block)
            fh.flush()
            os.fsync(fh.fileno())
            times.append(time.perf_counter() - t)
    times.sort()
    return {
        "python_loop_ms": round(best * 1000, 2),
        "fsync_4k_p50_ms": round(times[len(times) // 2] * 1000, 3),
    }


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
        "speed": machine_speed(),
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory": mem,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {
            n: version(n) for n in ("django", "django-ninja", "granian", "httpx")
        },
    }
