"""WLE and the pass/fail rule that rests on evidence."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.special import expit

from hocvuso.psychometrics import estimate_eap, estimate_wle, pass_decision


def _warm_objective(t: float, y: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    p = expit(a * (t - b))
    ll = float(np.sum(y * np.log(p) + (1 - y) * np.log1p(-p)))
    info = float(np.sum(a * a * p * (1 - p)))
    return -(ll + 0.5 * np.log(info))


@pytest.mark.parametrize("seed", range(5))
def test_wle_maximises_likelihood_times_root_information_for_2pl(seed: int) -> None:
    """For the 2PL the WLE is the maximum of L(θ)·√I(θ) (Warm, 1989)."""
    rng = np.random.default_rng(seed)
    a, b = rng.lognormal(0, 0.3, 12), rng.normal(size=12)
    y = (rng.random(12) < 0.5).astype(float)
    ref = minimize_scalar(
        _warm_objective,
        bounds=(-6, 6),
        args=(y, a, b),
        method="bounded",
        options={"xatol": 1e-9},
    )
    assert estimate_wle(y, a, b).theta == pytest.approx(ref.x, abs=1e-5)


def test_wle_is_symmetric_and_finite_for_extreme_patterns() -> None:
    """Mirrored items and answers mirror the estimate; all wrong is finite."""
    a = np.array([1.0, 1.3, 0.8, 1.1])
    b = np.array([-1.0, -0.2, 0.2, 1.0])
    y = np.array([1, 1, 0, 0])
    assert estimate_wle(y, a, b).theta == pytest.approx(
        -estimate_wle(1 - y[::-1], a[::-1], -b[::-1]).theta, abs=1e-7
    )
    wrong = estimate_wle([0, 0, 0, 0], a, b)
    right = estimate_wle([1, 1, 1, 1], a, b)
    assert -6 < wrong.theta < b.min() and b.max() < right.theta < 6
    assert not wrong.boundary and not right.boundary
    none = estimate_wle([np.nan] * 4, a, b)
    assert np.isnan(none.theta) and none.n_items == 0


def test_all_wrong_short_form_fails_although_eap_is_above_the_cut() -> None:
    """The bug of issue #14: EAP passes an all-wrong 6-item form, WLE does not."""
    a, b = [1.2] * 6, [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]  # CB1 .. NC2
    cut = -2.5  # CB1
    assert estimate_eap([0] * 6, a, b).theta > cut
    decision = pass_decision([0] * 6, a, b, cut=cut)
    assert not decision.passed and decision.reason == "too_few_correct"
    assert decision.wle.theta < cut
    assert pass_decision([1] * 6, a, b, cut=cut).passed
    # On hard items alone even the WLE of all-wrong is above an easy cut: the
    # minimum of one correct answer is what rules the pass out.
    hard = [0.5] * 6
    assert estimate_wle([0] * 6, a, hard).theta > cut
    assert not pass_decision([0] * 6, a, hard, cut=cut).passed


def test_min_correct_rule_and_validation() -> None:
    """A minimum of correct answers is enforced on top of the WLE cut."""
    a, b = [1.2] * 6, [-2.5] * 6
    y = [1, 1, 0, 1, 1, 1]
    assert pass_decision(y, a, b, cut=-2.5, min_correct=5).passed
    d = pass_decision(y, a, b, cut=-2.5, min_correct=6)
    assert not d.passed and d.reason == "too_few_correct"
    assert pass_decision([1, 0], [1, 1], [0, 0], cut=3.0).reason == "below_cut"
    with pytest.raises(ValueError, match="min_correct"):
        pass_decision(y, a, b, cut=0.0, min_correct=0)
    with pytest.raises(ValueError, match="cut"):
        pass_decision(y, a, b, cut=float("inf"))
    with pytest.raises(ValueError, match="0, 1 or NaN"):
        estimate_wle([2], [1], [0])
