"""Issue #14 benchmark: exposure control, classification accuracy, key exposure.

Usage::

    PYTHONPATH=src python benchmarks/psychometrics/run_measurement.py [--quick]

Writes ``benchmarks/results/psychometrics_measurement.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import ROOT, SEED, Sizes, version
from exposure_study import run_exposure
from measurement_study import run_classification, run_key_exposure

OUT = ROOT / "benchmarks" / "results" / "psychometrics_measurement.json"


def targets(exp: dict[str, Any], cls: dict[str, Any]) -> dict[str, Any]:
    best = exp["results"]["shadow_eligibility"]
    lat = exp["latency_1000_items"]["shadow_eligibility"]
    t: dict[str, Any] = {
        "max_exposure_le_0.25": {"value": best["max_exposure"]},
        "content_violations_zero": {"value": best["content_violations"]},
        "mean_length_le_24": {
            "value": best["mean_items"],
            "oracle_lower_bound": exp["oracle_bound"]["mean_items_lower_bound"],
        },
        "rmse_le_0.31": {"value": best["rmse"]},
        "selection_p95_lt_5ms_1000_items": {"value": lat["p95_ms"]},
    }
    t["max_exposure_le_0.25"]["met"] = best["max_exposure"] <= 0.25
    t["content_violations_zero"]["met"] = best["content_violations"] == 0
    t["mean_length_le_24"]["met"] = best["mean_items"] <= 24
    t["rmse_le_0.31"]["met"] = best["rmse"] <= 0.31
    t["selection_p95_lt_5ms_1000_items"]["met"] = lat["p95_ms"] < 5
    for cut, res in cls["blueprints"].items():
        for name in ("provisional", "recovered"):
            acc = res[name]["classification_accuracy"]
            t[f"classification_{cut}_{name}_ge_0.90"] = {
                "value": acc,
                "met": acc >= 0.9,
            }
    return t


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    sizes = (
        Sizes(cat_simulees=300, sh_simulees=300, sh_iterations=3)
        if args.quick
        else Sizes()
    )
    started = time.perf_counter()
    exposure = run_exposure(sizes)
    classification = run_classification(
        200 if args.quick else 1000, 1000 if args.quick else 4000
    )
    keys = run_key_exposure(100 if args.quick else 500)
    result = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "seed": SEED,
        "numpy": version("numpy"),
        "scipy": version("scipy"),
        "replications": {
            "exposure_comparison_simulees": sizes.cat_simulees,
            "exposure_calibration": f"{sizes.sh_iterations} rounds x "
            f"{sizes.sh_simulees} simulees",
        },
        "exposure": exposure,
        "classification": classification,
        "key_exposure": keys,
        "targets": targets(exposure, classification),
        "total_seconds": time.perf_counter() - started,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2, default=lambda o: o.item())
    args.out.write_text(text + "\n", encoding="utf-8")
    for name, t in result["targets"].items():
        print(f"  {'MET ' if t['met'] else 'MISS'} {name}: {t['value']:.4g}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
