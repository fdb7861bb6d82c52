"""Exposure control without the length penalty (issue #14): the comparison.

On the committed CAT design (300-item 2PL bank, 4 areas >= 4 items each, SE
0.3, at most 30 items, EAP) compare Sympson-Hetter, a-stratified selection with
b-blocking and the shadow-test approach with item-eligibility constraints, and
compute an oracle lower bound on the mean length any CAT with max exposure
<= 0.25 can reach (see :func:`oracle_bound`).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
from common import SEED, FloatArray, Sizes, timer
from scipy.optimize import linprog
from scipy.sparse import coo_array, csr_array, vstack

from hocvuso.psychometrics import (
    CatConfig,
    ItemBank,
    eligibility_calibrate,
    item_information,
    overlap_rate,
    simulate_cat,
    sympson_hetter_calibrate,
)

CAP = 0.25
MARGIN = 0.015


def oracle_bound(
    thetas: FloatArray,
    a: FloatArray,
    b: FloatArray,
    areas: np.ndarray,
    *,
    se: float,
    max_items: int,
    area_min: int,
    cap: float,
    prior: float = 1.0,
    width: float = 0.05,
) -> dict[str, Any]:
    """Return a lower bound on the mean length of any CAT with exposure <= cap.

    An oracle knows every simulee's true ability and may share each item among
    at most ``cap`` of the simulees.  Simulees are grouped into bins of width
    ``width``; within a bin every item is credited with its *largest*
    information over the bin, which can only shorten tests, so the LP optimum
    is a lower bound on the mean length of the sample.  LP (fractional
    assignment x_gi in [0, 1] of item i to bin g, w_g = share of simulees):

        minimise   sum_g w_g sum_i x_gi
        subject to sum_i I+_gi x_gi >= 1/se² - prior   (posterior SD <= se)
                   sum_i x_gi <= max_items
                   sum_{i in area k} x_gi >= area_min  for each area k
                   sum_g w_g x_gi <= cap               for each item i.

    Bins whose best ``max_items`` items cannot reach the target even without
    exposure control are counted at ``max_items`` and kept out of the
    exposure constraints (a relaxation, so still a bound).
    """
    target = 1.0 / se**2 - prior
    edges = np.floor(thetas / width).astype(np.int64)
    keys, _inverse, counts = np.unique(edges, return_inverse=True, return_counts=True)
    w = counts / thetas.size
    lo_th = keys * width
    info = np.maximum(
        item_information(lo_th, a, b), item_information(lo_th + width, a, b)
    )
    peak_in = (b >= lo_th[:, None]) & (b <= lo_th[:, None] + width)
    info = np.where(peak_in, a[None, :] ** 2 / 4.0, info)
    best = -np.sort(-info, axis=1)[:, :max_items].sum(axis=1)
    reach = best >= target
    fixed = float(np.sum(w[~reach]) * max_items)
    g_idx = np.flatnonzero(reach)
    G, n = g_idx.size, a.size
    area_names = sorted(set(areas.tolist()))
    nvar = G * n
    cost = np.repeat(w[g_idx], n)
    rows: list[Any] = []
    rhs: list[float] = []
    # information:  -sum I x <= -target
    r = np.repeat(np.arange(G), n)
    cidx = np.arange(nvar)
    rows.append(coo_array((-info[g_idx].ravel(), (r, cidx)), shape=(G, nvar)))
    rhs += [-target] * G
    rows.append(coo_array((np.ones(nvar), (r, cidx)), shape=(G, nvar)))
    rhs += [float(max_items)] * G
    for name in area_names:
        mask = np.tile(areas == name, G)
        rows.append(coo_array((-mask.astype(float), (r, cidx)), shape=(G, nvar)))
        rhs += [-float(area_min)] * G
    item_of = np.tile(np.arange(n), G)
    rows.append(coo_array((cost, (item_of, cidx)), shape=(n, nvar)))
    rhs += [cap] * n
    A = vstack([csr_array(m) for m in rows]).tocsr()
    with timer() as t:
        res = linprog(cost, A_ub=A, b_ub=np.asarray(rhs), bounds=(0, 1), method="highs")
    lp = float(res.fun) if res.success else float("nan")
    free = float(
        np.sum(
            w[reach]
            * np.array(
                [
                    np.argmax(np.cumsum(np.sort(info[g])[::-1]) >= target) + 1
                    for g in g_idx
                ]
            )
        )
    )
    return {
        "mean_items_lower_bound": lp + fixed,
        "without_exposure_control": free + fixed,
        "bins": int(keys.size),
        "bins_unreachable_in_max_items": int(np.sum(~reach)),
        "lp_status": res.message,
        "lp_seconds": t[0],
        "definition": (
            "LP relaxation: an oracle knowing each simulee's true theta assigns "
            f"items so that 1/sqrt({prior:g} + I) <= {se} (the EAP posterior SD "
            f"approximation), at most {max_items} items, >= {area_min} per area, "
            f"each item to at most {cap:.0%} of the simulees; simulees binned by "
            f"theta in steps of {width}, each item credited with its largest "
            "information in the bin; bins that cannot reach the SE in "
            f"{max_items} items even without exposure control count {max_items}"
        ),
    }


def _report(rep: Any, seed: int) -> dict[str, Any]:
    sel = rep.selection_ms
    return {
        "mean_items": rep.mean_items,
        "rmse": rep.rmse,
        "bias": rep.bias,
        "reached_se": rep.reached_se,
        "max_exposure": rep.max_exposure,
        "mean_exposure": float(np.mean(rep.exposure)),
        "items_never_used": int(np.sum(rep.exposure == 0)),
        "overlap_rate": overlap_rate(rep.tests, rng=seed),
        "content_violations": rep.content_violations,
        "selection_p95_ms": float(np.percentile(sel, 95)),
        "selection_median_ms": float(np.median(sel)),
        "stop_reasons": rep.stop_reasons,
        "seconds": rep.seconds,
    }


def methods(content: dict[str, tuple[int, int | None]]) -> dict[str, CatConfig]:
    base = CatConfig(se_target=0.3, max_items=30, content=content, max_exposure=CAP)
    return {
        "sympson_hetter": replace(base, exposure="sympson_hetter"),
        "astrat_bblock": replace(
            base, selection="astrat", astrat_bblock=True, astrat_strata=4
        ),
        "shadow_eligibility": replace(base, selection="shadow", exposure="eligibility"),
        "shadow_no_exposure_control": replace(base, selection="shadow"),
    }


def calibrate_exposure(
    bank: ItemBank, cfg: CatConfig, sizes: Sizes, rng_key: int
) -> tuple[ItemBank, dict[str, Any]]:
    rng = np.random.default_rng([SEED, rng_key])
    info: dict[str, Any] = {}
    if cfg.exposure == "sympson_hetter":
        with timer() as t:
            k = sympson_hetter_calibrate(
                bank, cfg, CAP - MARGIN, sizes.sh_simulees, sizes.sh_iterations, rng
            )
        info = {"parameter": "k", "target": CAP - MARGIN, "below_1": int(np.sum(k < 1))}
        bank = bank.with_sh_k(k)
    elif cfg.exposure == "eligibility":
        with timer() as t:
            e = eligibility_calibrate(
                bank, cfg, CAP - MARGIN, sizes.sh_simulees, sizes.sh_iterations, rng
            )
        info = {
            "parameter": "eligibility",
            "target": CAP - MARGIN,
            "below_1": int(np.sum(e < 1)),
        }
        bank = bank.with_eligibility(e)
    else:
        return bank, {}
    info |= {
        "seconds": t[0],
        "iterations": sizes.sh_iterations,
        "simulees_per_iteration": sizes.sh_simulees,
    }
    return bank, info


def latency_1000(rng: np.random.Generator, n_simulees: int) -> dict[str, Any]:
    """Selection time of every method on a 1,000-item bank (exposure from k=1)."""
    n = 1000
    a = rng.lognormal(0.0, 0.25, n)
    b = rng.normal(0.0, 1.0, n)
    areas = [f"area{j % 4}" for j in range(n)]
    bank = ItemBank.from_arrays([f"q{j}" for j in range(n)], a, b, areas=areas)
    bank = bank.with_sh_k(rng.uniform(0.2, 1.0, n)).with_eligibility(
        rng.uniform(0.3, 1.0, n)
    )
    content = {f"area{i}": (4, None) for i in range(4)}
    out: dict[str, Any] = {"bank_items": n, "simulees": n_simulees}
    cases = methods(content)
    cases["shadow_eligibility_milp"] = replace(
        cases["shadow_eligibility"], shadow_solver="milp"
    )
    thetas = rng.normal(size=n_simulees)
    for name, cfg in cases.items():
        sims = n_simulees if "milp" not in name else max(5, n_simulees // 10)
        rep = simulate_cat(bank, cfg, thetas[:sims], rng=1)
        sel = rep.selection_ms
        out[name] = {
            "p95_ms": float(np.percentile(sel, 95)),
            "median_ms": float(np.median(sel)),
            "calls": int(sel.size),
        }
        print(
            f"latency {name:>28}: p95 {out[name]['p95_ms']:.3f} ms, "
            f"median {out[name]['median_ms']:.3f} ms ({sel.size} calls)",
            flush=True,
        )
    return out


def run_exposure(sizes: Sizes) -> dict[str, Any]:
    rng = np.random.default_rng([SEED, 2])
    n = sizes.cat_items
    a = rng.lognormal(0.0, 0.25, n)
    b = rng.normal(0.0, 1.0, n)
    areas = np.array([f"area{j % 4}" for j in range(n)])
    ids = [f"item{j:03d}" for j in range(n)]
    bank = ItemBank.from_arrays(ids, a, b, areas=list(areas))
    thetas = rng.normal(0.0, 1.0, sizes.cat_simulees)
    content = {f"area{i}": (4, None) for i in range(4)}
    started = time.perf_counter()
    bound = oracle_bound(thetas, a, b, areas, se=0.3, max_items=30, area_min=4, cap=CAP)
    print(
        f"oracle bound (exposure <= {CAP}): {bound['mean_items_lower_bound']:.2f} "
        f"items; without exposure control {bound['without_exposure_control']:.2f}",
        flush=True,
    )
    runs: dict[str, Any] = {}
    for key, (name, cfg) in enumerate(methods(content).items()):
        cal_bank, cal = calibrate_exposure(bank, cfg, sizes, 30 + key)
        rep = simulate_cat(cal_bank, cfg, thetas, rng=SEED + 7)
        runs[name] = _report(rep, SEED) | {"exposure_calibration": cal}
        r = runs[name]
        print(
            f"{name:>28}: {r['mean_items']:.2f} items, RMSE {r['rmse']:.4f}, "
            f"SE reached {r['reached_se']:.1%}, max exp {r['max_exposure']:.3f}, "
            f"overlap {r['overlap_rate']:.3f}, violations {r['content_violations']}, "
            f"p95 {r['selection_p95_ms']:.3f} ms",
            flush=True,
        )
    return {
        "design": {
            "bank_items": n,
            "simulees": sizes.cat_simulees,
            "content": "4 areas, item j in area j mod 4, >= 4 items each",
            "stop": "SE <= 0.3 (EAP posterior SD) or 30 items",
            "exposure_cap": CAP,
            "calibration_target": CAP - MARGIN,
        },
        "oracle_bound": bound,
        "results": runs,
        "latency_1000_items": latency_1000(
            np.random.default_rng([SEED, 5]), max(20, sizes.cat_simulees // 20)
        ),
        "seconds": time.perf_counter() - started,
    }


if __name__ == "__main__":
    import json
    import sys

    quick = "--quick" in sys.argv
    sz = Sizes(cat_simulees=300, sh_simulees=300, sh_iterations=4) if quick else Sizes()
    print(json.dumps(run_exposure(sz)["oracle_bound"], indent=1))
