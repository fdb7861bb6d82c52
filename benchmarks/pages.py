"""Page weight: bytes transferred for the main learner pages (compressed).

Starts ``hocvuso serve`` on a fresh data directory (or uses ``--base URL``),
fetches each page the way a phone browser does (``Accept-Encoding: br, gzip``)
with the stylesheets and scripts it references, and compares the total with
the budget of the learning issue: 100 KB per page, images excluded.

    .venv/bin/python benchmarks/pages.py [--base http://127.0.0.1:8000]

Prints a table and writes ``benchmarks/results/pages.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUDGET = 100 * 1024
PAGES = [
    "/",
    "/learn/",
    "/learn/vneid/",
    "/learn/vneid/vneid-activate-level1/",
    "/learn/online-safety/online-safety-recognise-scams/",
    "/accounts/register/",
]
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')
RESULTS = Path(__file__).resolve().parent / "results" / "pages.json"


def fetch(url: str) -> tuple[int, str]:
    """Return (bytes on the wire, body text when sent uncompressed)."""
    req = urllib.request.Request(url, headers={"Accept-Encoding": "br, gzip"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        raw = resp.read()
        encoding = resp.headers.get("Content-Encoding", "")
    text = ""
    if not encoding:
        text = raw.decode("utf-8", "replace")
    return len(raw), text


@contextmanager
def server() -> Iterator[str]:
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, HOCVUSO_DATA_DIR=data, PORT="8765")
        env.pop("DATABASE_URL", None)
        subprocess.run(
            [bin_dir / "hocvuso", "init"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        proc = subprocess.Popen(
            [bin_dir / "hocvuso", "serve", "--port", "8765"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = "http://127.0.0.1:8765"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            proc.wait(10)


def measure(base: str) -> list[dict[str, object]]:
    rows = []
    for path in PAGES:
        html_bytes, text = fetch(base + path)
        assets = sorted(set(ASSET.findall(text)))
        asset_bytes = sum(fetch(base + a)[0] for a in assets)
        total = html_bytes + asset_bytes
        rows.append(
            {
                "page": path,
                "html_bytes": html_bytes,
                "assets": len(assets),
                "asset_bytes": asset_bytes,
                "total_bytes": total,
                "ratio_to_budget": round(total / BUDGET, 3),
                "within_budget": total <= BUDGET,
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", help="measure a running server instead")
    args = parser.parse_args()
    if args.base:
        rows = measure(args.base.rstrip("/"))
    else:
        with server() as base:
            rows = measure(base)
    print(f"{'page':55} {'html':>8} {'assets':>8} {'total':>8}  ratio to 100 KB")
    for r in rows:
        print(
            f"{r['page']:55} {r['html_bytes']:>8} {r['asset_bytes']:>8} "
            f"{r['total_bytes']:>8}  {r['ratio_to_budget']:.3f}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps({"budget_bytes": BUDGET, "pages": rows}, indent=2) + "\n",
        encoding="utf-8",
    )
    return 0 if all(r["within_budget"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
