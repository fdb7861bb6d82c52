"""Parameter standard errors, S-X² item fit and Mantel-Haenszel DIF."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

from hocvuso.psychometrics import calibrate
from hocvuso.psychometrics.itemfit import _lw, item_fit, mantel_haenszel


def simulate(n: int, j: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    a, b = rng.lognormal(0, 0.25, j), rng.normal(size=j)
    theta = rng.normal(size=n)
    p = 1 / (1 + np.exp(-a * (theta[:, None] - b)))
    return (rng.random((n, j)) < p).astype(float), a, b, theta, rng


def test_lord_wingersky_matches_binomial_for_equal_items() -> None:
    """Equal probabilities give the binomial score distribution."""
    p = np.full((6, 3), 0.3)
    p[:, 1], p[:, 2] = 0.5, 0.8
    f = _lw(p)
    for q, pq in enumerate((0.3, 0.5, 0.8)):
        np.testing.assert_allclose(f[:, q], binom.pmf(np.arange(7), 6, pq))


def test_sx2_accepts_model_items_and_rejects_a_step_item() -> None:
    """Items from the model fit; an item answered by a step function does not."""
    y, *_rest, theta, rng = simulate(2000, 20, 0)
    y[:, 0] = rng.random(2000) < np.where(theta > 0.5, 0.9, 0.3)
    fit = calibrate(y, "2pl")
    res = item_fit(y, fit.a, fit.b)
    assert res[0].p_value is not None and res[0].p_value < 1e-6
    p_others = [r.p_value for r in res[1:]]
    assert all(p is not None for p in p_others)
    assert sum(p < 0.01 for p in p_others if p is not None) <= 1
    assert all(r.df is not None and r.df >= 5 for r in res)


def test_sx2_works_on_incomplete_data_and_standard_errors_shrink() -> None:
    """Half the answers missing: fit still computed; SEs fall like 1/sqrt(N)."""
    y, a, b, *_ = simulate(4000, 12, 1)
    rng = np.random.default_rng(2)
    y[rng.random(y.shape) < 0.5] = np.nan
    full = item_fit(y, a, b, items=[3])[0]
    quarter = item_fit(y[:1000], a, b, items=[3])[0]
    assert full.p_value is not None and full.p_value > 0.001
    assert full.se_a is not None and quarter.se_a is not None
    assert full.se_b is not None and quarter.se_b is not None
    assert quarter.se_a / full.se_a == pytest.approx(2.0, rel=0.2)
    assert quarter.se_b / full.se_b == pytest.approx(2.0, rel=0.2)
    anchored = item_fit(y, a, b, items=[3], anchored=[True] * 12)[0]
    assert anchored.se_a is None and anchored.sx2 == full.sx2


def test_mantel_haenszel_classes() -> None:
    """No DIF is A, a large shift is C, and the sign shows who is favoured."""
    rng = np.random.default_rng(3)
    n = 6000
    strata = rng.integers(0, 8, n)
    focal = rng.random(n) < 0.4
    base = strata / 2 - 2
    fair = rng.random(n) < 1 / (1 + np.exp(-base))
    res = mantel_haenszel(fair, focal, strata)
    assert res is not None and res.ets == "A"
    harder = rng.random(n) < 1 / (1 + np.exp(-(base - 1.0 * focal)))
    res = mantel_haenszel(harder, focal, strata)
    assert res is not None and res.ets == "C" and res.delta < -1.5
    assert res.n_focal + res.n_reference == n
    assert mantel_haenszel([1, 0], [True, True], [0, 0]) is None
    with pytest.raises(ValueError):
        mantel_haenszel([1, 0], [True], [0, 0])
