"""Calibration study: linked-booklet 2PL data fitted by hocvuso, mirt and girth."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

import numpy as np
from common import SEED, FloatArray, Sizes, rmse, timer, version

from hocvuso.psychometrics import calibrate

# --------------------------------------------------------------------------- data


def booklet_design(sizes: Sizes, rng: np.random.Generator) -> dict[str, Any]:
    """Simulate a linked-booklet 2PL calibration sample.

    Items are split into ``n_booklets`` blocks; booklet ``k`` holds blocks ``k``
    and ``k + 1`` (cyclically), so neighbouring booklets share a block and every
    item appears in two booklets.  Each examinee takes one booklet.
    """
    n_items, n_book = sizes.n_items, sizes.n_booklets
    block = n_items // n_book
    assert block * n_book == n_items and 2 * block == sizes.booklet_len
    a = rng.lognormal(0.0, 0.25, n_items)
    b = rng.normal(0.0, 1.0, n_items)
    theta = rng.normal(0.0, 1.0, sizes.n_persons)
    booklet = rng.integers(0, n_book, sizes.n_persons)
    blocks = np.arange(n_items).reshape(n_book, block)
    x = np.full((sizes.n_persons, n_items), np.nan)
    for k in range(n_book):
        items = np.concatenate([blocks[k], blocks[(k + 1) % n_book]])
        rows = np.flatnonzero(booklet == k)
        p = 1.0 / (1.0 + np.exp(-a[items] * (theta[rows, None] - b[items])))
        x[np.ix_(rows, items)] = (rng.random(p.shape) < p).astype(np.float64)
    return {"a": a, "b": b, "theta": theta, "x": x}


# -------------------------------------------------------------------- calibration


def fit_hocvuso(
    x: FloatArray, prior: bool
) -> tuple[FloatArray, FloatArray, dict[str, Any]]:
    fit = calibrate(x, "2pl", a_prior=(0.0, 0.5) if prior else None)
    return fit.a, fit.b, {"iterations": fit.n_iterations, "converged": fit.converged}


def fit_mirt(x: FloatArray) -> tuple[FloatArray, FloatArray, dict[str, Any]]:
    import mirt  # type: ignore[import-not-found,import-untyped,unused-ignore]

    res = mirt.fit_mirt(x, model="2PL", compute_standard_errors=False, verbose=False)
    model: Any = res.model
    return (
        np.asarray(model.discrimination, dtype=np.float64).ravel(),
        np.asarray(model.difficulty, dtype=np.float64).ravel(),
        {"iterations": int(res.n_iterations), "converged": bool(res.converged)},
    )


def fit_girth(x: FloatArray) -> tuple[FloatArray, FloatArray, dict[str, Any]]:
    import girth  # type: ignore[import-not-found,import-untyped,unused-ignore]

    data = np.where(np.isnan(x), girth.INVALID_RESPONSE, x).astype(int).T
    res = girth.twopl_mml(data)
    return (
        np.asarray(res["Discrimination"], dtype=float),
        np.asarray(res["Difficulty"], dtype=float),
        {"iterations": None, "converged": None},
    )


def run_calibration(sizes: Sizes, skip_girth: bool) -> dict[str, Any]:
    rng = np.random.default_rng([SEED, 1])
    data = booklet_design(sizes, rng)
    x, a_true, b_true = data["x"], data["a"], data["b"]
    runners: list[
        tuple[str, Callable[[], tuple[FloatArray, FloatArray, dict[str, Any]]], int]
    ]
    runners = [
        ("hocvuso", lambda: fit_hocvuso(x, prior=True), sizes.repeats),
        ("hocvuso_no_prior", lambda: fit_hocvuso(x, prior=False), sizes.repeats),
    ]
    if version("mirt"):
        runners.append(("mirt", lambda: fit_mirt(x), sizes.repeats))
    if version("girth") and not skip_girth:
        runners.append(("girth", lambda: fit_girth(x), 1))
    results: dict[str, Any] = {}
    for name, fn, repeats in runners:
        times = []
        for _ in range(repeats):
            with timer() as t:
                a_hat, b_hat, info = fn()
            times.append(t[0])
        results[name] = {
            "seconds": statistics.median(times),
            "seconds_all": times,
            "a_rmse": rmse(a_hat, a_true),
            "b_rmse": rmse(b_hat, b_true),
            **info,
        }
        r = results[name]
        print(
            f"calibration {name:>17}: {r['seconds']:8.2f} s  "
            f"a-RMSE {r['a_rmse']:.4f}  b-RMSE {r['b_rmse']:.4f}",
            flush=True,
        )
    return {
        "design": {
            "items": sizes.n_items,
            "examinees": sizes.n_persons,
            "booklets": sizes.n_booklets,
            "items_per_booklet": sizes.booklet_len,
            "linking": "booklet k = blocks k and k+1 (cyclic); each item in 2 booklets",
            "a": "lognormal(0, 0.25)",
            "b": "N(0, 1)",
            "theta": "N(0, 1)",
            "responses": int(np.sum(~np.isnan(x))),
        },
        "results": results,
    }
