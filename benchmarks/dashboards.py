r"""Benchmark of the programs dashboards and the fact refresh on PostgreSQL.

Creates a throw-away database (``--db-name``, dropped afterwards unless
``--keep``), runs ``hocvuso init`` in it, spreads ``--learners`` synthetic
learners over all 3,321 communes (``hocvuso demo generate``'s bulk path), then
measures, in this process:

* the **full rebuild** of the fact table (``facts_rebuild``);
* **dashboard requests** for the nation, one province and one commune: through
  the dashboard URL ``programs:dashboard`` with Django's test client (a signed-in
  national admin) when that URL exists, otherwise through
  ``programs.figures.figures()`` for the unit and its children (what a
  dashboard reads) — the results say which; p50/p95/p99 over ``--requests``
  each, after warm-up;
* the **incremental refresh** after ``--new-results`` new results (10,000 by
  default) written now;
* the **Excel export of one province** when a report function exists in this
  build (otherwise recorded as skipped, with the reason).

Ratios are against a baseline measured in the same run (``GET /healthz``
through the same client, or one ``SELECT 1`` for the figures path), and the
machine's speed is recorded as ``benchmarks/assessment_load.py`` does. Targets
(issue #17, at 1,000,000 learners on PostgreSQL): dashboards p95 < 200 ms,
incremental refresh < 10 s, province Excel < 10 s; at a smaller ``--learners``
the results say so, and are a lower bound of what 1M costs.

    .venv/bin/python benchmarks/dashboards.py [--learners 20000] [--seed 1] \
        [--requests 40] [--new-results 10000] [--pg postgres://…/postgres]

Writes ``benchmarks/results/dashboards.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadstats import machine, ratio, summary  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "dashboards.json"
TARGETS = {
    "scale_learners": 1_000_000,
    "dashboard_p95_ms": 200,
    "incremental_s": 10,
    "province_excel_s": 10,
}


def _db_url(admin: str, name: str) -> str:
    parts = urlsplit(admin)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _recreate(admin: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def _timed(fn: Callable[[], Any], n: int, warm: int = 1) -> list[float]:
    for _ in range(warm):
        fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def _excel_probe() -> tuple[Callable[..., Any] | None, str]:
    """Return the province report function of this build, or why there is none."""
    for module, name in (
        ("hocvuso.programs.reports", "report_workbook"),
        ("hocvuso.programs.reports", "workbook_build"),
        ("hocvuso.programs.exports", "export_workbook"),
    ):
        try:
            found = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if callable(found):
            return found, f"{module}.{name}"
    return None, (
        "no province report function in this build (the reports/exports of "
        "#17 are not merged here)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--learners", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--new-results", type=int, default=10_000)
    ap.add_argument(
        "--pg",
        default=os.environ.get(
            "PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL URL allowed to create databases",
    )
    ap.add_argument("--db-name", default="hocvuso_bench_dashboards")
    ap.add_argument("--keep", action="store_true", help="keep the database")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()

    _recreate(args.pg, args.db_name)
    data_dir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-dash-"))
    os.environ.update(
        {
            "DATABASE_URL": _db_url(args.pg, args.db_name),
            "HOCVUSO_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "hocvuso.settings",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "HOCVUSO_ROLLUP_DEBOUNCE": "3600",
        }
    )
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from hocvuso.accounts.models import User
    from hocvuso.demo.synthetic import (
        SpreadReport,
        demo_analyze,
        demo_results_add,
        demo_spread,
    )
    from hocvuso.geo.models import Commune
    from hocvuso.programs.access import UnitRef
    from hocvuso.programs.figures import child_units, figures, indicators_active
    from hocvuso.programs.models import Fact
    from hocvuso.programs.rollup import facts_rebuild, facts_refresh

    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "postgresql",
        "scale": {"learners": args.learners, "seed": args.seed},
        "targets_at": TARGETS,
        "machine": machine(),
    }
    try:
        t = time.perf_counter()
        call_command("init", no_static=True, verbosity=0)
        results["init_s"] = round(time.perf_counter() - t, 2)
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            results["postgresql"] = cursor.fetchone()[0].split(" on ")[0]

        rng = np.random.default_rng(args.seed)
        t = time.perf_counter()
        spread = demo_spread(learners=args.learners, rng=rng)
        demo_analyze()
        results["demo_generate_s"] = round(time.perf_counter() - t, 2)
        results["demo"] = {k: v for k, v in vars(spread).items() if isinstance(v, int)}
        print(f"demo data: {results['demo']} in {results['demo_generate_s']} s")

        t = time.perf_counter()
        full = facts_rebuild()
        results["full_rebuild_s"] = round(time.perf_counter() - t, 2)
        results["full_rebuild_steps_s"] = full.timings
        results["fact_rows"] = Fact.objects.count()
        print(
            f"full rebuild: {results['full_rebuild_s']} s, {results['fact_rows']} rows"
        )
        assert not full.busy

        province = (
            Commune.objects.values_list("province_id", flat=True)
            .order_by("province_id")
            .first()
        )
        commune = Commune.objects.filter(province_id=province).order_by("code").first()
        assert province is not None and commune is not None
        units = {
            "nation": UnitRef.nation(),
            "province": UnitRef.province(province),
            "commune": UnitRef.commune(commune),
        }
        year = timezone.localtime().year
        month = timezone.localtime().month
        try:
            reverse("programs:dashboard", kwargs={"unit": "vn"})
            path = "url"
        except NoReverseMatch:
            path = "figures"
        dash: dict[str, Any] = {"path": path}
        if path == "url":
            client = Client()
            admin = User.objects.filter(is_superuser=True).first()
            assert admin is not None
            client.force_login(admin)

            def get(url: str) -> Callable[[], Any]:
                def run() -> None:
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)

                return run

            base = summary(_timed(get("/healthz"), args.requests))
            dash["baseline"] = {"what": "GET /healthz, same client", **base}
            for name, unit in units.items():
                url = reverse("programs:dashboard", kwargs={"unit": unit.slug})
                dash[name] = summary(_timed(get(url), args.requests))
        else:
            inds = indicators_active()

            def select_one() -> None:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
                    cursor.fetchone()

            base = summary(_timed(select_one, args.requests))
            dash["baseline"] = {"what": "SELECT 1 on the same connection", **base}
            dash["note"] = (
                "programs:dashboard does not resolve in this build: timed "
                "figures() for the unit and its child units, what a dashboard reads"
            )
            for name, unit in units.items():

                def read(unit: UnitRef = unit) -> None:
                    figures(
                        units=[unit, *child_units(unit)],
                        year=year,
                        month=month,
                        indicators=inds,
                    )

                dash[name] = summary(_timed(read, args.requests))
        for name in units:
            dash[name]["ratio_p95_to_baseline"] = ratio(
                dash[name]["p95_ms"], dash["baseline"]["p95_ms"]
            )
        results["dashboards"] = dash
        print(
            f"dashboards ({path}): "
            + ", ".join(f"{n} p95 {dash[n]['p95_ms']} ms" for n in units)
        )

        # New results now: the incremental refresh must count them.
        pool = list(
            User.objects.filter(username__startswith="demo-").values_list(
                "id", "profile__target_group__slug"
            )
        )
        picks = rng.choice(
            len(pool), size=min(args.new_results, len(pool)), replace=False
        )
        start = timezone.now()
        report = SpreadReport()
        demo_results_add(
            users=[(pool[int(i)][0], pool[int(i)][1] or "adults") for i in picks],
            rng=rng,
            start=start,
            end=start + timedelta(seconds=1),
            report=report,
        )
        t = time.perf_counter()
        inc = facts_refresh(now=start + timedelta(seconds=2))
        results["incremental"] = {
            "new_results": report.results,
            "new_confirmations": report.confirmations,
            "kind": str(inc.kind),
            "seconds": round(time.perf_counter() - t, 2),
            "rows": inc.rows,
            "steps_s": inc.timings,
        }
        print(f"incremental: {results['incremental']}")

        export, why = _excel_probe()
        if export is None:
            results["province_excel"] = {"skipped": why}
        else:
            t = time.perf_counter()
            export(unit=units["province"], year=year)
            results["province_excel"] = {
                "function": why,
                "seconds": round(time.perf_counter() - t, 2),
            }
        print(f"province excel: {results['province_excel']}")
        results["against_targets"] = {
            "note": (
                f"measured at {args.learners:,} learners, targets are for "
                f"{TARGETS['scale_learners']:,}"
            ),
            "dashboard_p95_ms_max": max(dash[n]["p95_ms"] for n in units),
            "incremental_s": results["incremental"]["seconds"],
        }
    finally:
        connection.close()
        if not args.keep:
            _recreate(args.pg, args.db_name, drop_only=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
