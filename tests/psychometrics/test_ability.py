"""EAP, MAP and ML ability estimation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from numpy.testing import assert_allclose
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.stats import norm

from hocvuso.psychometrics import (
    estimate_eap,
    estimate_eap_many,
    estimate_map,
    estimate_map_many,
    estimate_ml,
    estimate_ml_many,
    irt_prob,
    test_information,
)

Draw = Callable[..., npt.NDArray[np.float64]]

# ltm 2PL estimates for LSAT-6 (Rizopoulos, 2006, JSS 17(5); `ltm(LSAT ~ z1)`).
LTM_B = np.array([-3.3597, -1.3696, -0.2799, -1.8659, -3.1236])
LTM_A = np.array([0.8254, 0.7229, 0.8905, 0.6886, 0.6575])


@pytest.mark.parametrize(
    ("pattern", "theta", "se"),
    [
        ([0, 0, 0, 0, 0], -1.895, 0.795),
        ([0, 0, 0, 1, 1], -1.041, 0.800),
        ([1, 0, 1, 1, 1], 0.093, 0.831),
        ([1, 1, 0, 1, 1], -0.022, 0.827),
        ([1, 1, 1, 1, 1], 0.606, 0.855),
    ],
)
def test_map_matches_ltm_factor_scores(
    pattern: list[int], theta: float, se: float
) -> None:
    """MAP ('empirical Bayes') scores agree with ltm's factor.scores for LSAT-6."""
    est = estimate_map(pattern, LTM_A, LTM_B)
    assert_allclose(est.theta, theta, atol=1.5e-3)
    assert_allclose(est.se, se, atol=1.5e-3)
    assert est.method == "map"
    assert est.n_items == 5


def test_eap_matches_adaptive_quadrature() -> None:
    """EAP and posterior SD equal integrals computed by scipy.integrate.quad."""
    a = np.array([1.2, 0.8, 1.7, 1.0])
    b = np.array([-0.5, 0.3, 1.1, -1.4])
    c = np.array([0.0, 0.2, 0.1, 0.0])
    y = np.array([1, 0, 1, 1])

    def posterior(t: float, power: int) -> float:
        p = irt_prob(t, a, b, c)
        lik = float(np.prod(np.where(y == 1, p, 1 - p)))
        return t**power * lik * float(norm.pdf(t, 0.2, 1.3))

    z = quad(posterior, -10, 10, args=(0,))[0]
    mean = quad(posterior, -10, 10, args=(1,))[0] / z
    var = quad(posterior, -10, 10, args=(2,))[0] / z - mean**2
    est = estimate_eap(
        y, a, b, c, prior_mean=0.2, prior_sd=1.3, n_quad=121, bounds=(-8, 8)
    )
    assert_allclose(est.theta, mean, atol=1e-6)
    assert_allclose(est.se, np.sqrt(var), atol=1e-6)


def test_ml_solves_the_likelihood_equation() -> None:
    """The ML estimate is the root of the score function and SE = 1/sqrt(I)."""
    a = np.array([1.0, 1.5, 0.7, 2.0, 1.1])
    b = np.array([-1.0, 0.0, 0.5, 1.0, -0.3])
    y = np.array([1, 1, 0, 0, 1])

    def score(t: float) -> float:
        return float(np.sum(a * (y - irt_prob(t, a, b))))

    root = brentq(score, -4, 4, xtol=1e-12)
    est = estimate_ml(y, a, b)
    assert_allclose(est.theta, root, atol=1e-7)
    assert_allclose(est.se, 1 / np.sqrt(test_information(root, a, b)), rtol=1e-6)
    assert not est.boundary


@pytest.mark.parametrize(("pattern", "bound"), [([1, 1, 1], 4.0), ([0, 0, 0], -4.0)])
def test_ml_extreme_patterns_return_the_bound(pattern: list[int], bound: float) -> None:
    """All correct / all wrong: no finite ML, so the bound is returned and flagged."""
    est = estimate_ml(pattern, [1.0, 1.2, 0.8], [0.0, 0.5, -0.5])
    assert est.theta == bound
    assert est.boundary
    assert np.isfinite(est.se) and est.se > 1.0


def test_ml_3pl_pattern_without_interior_maximum_is_flagged() -> None:
    """A 3PL pattern whose likelihood rises towards -inf ends on the bound."""
    est = estimate_ml([0, 0, 0, 1], [2.0] * 4, [-2.0, -1.0, 0.0, 2.0], [0.25] * 4)
    assert est.boundary
    assert est.theta == pytest.approx(-4.0)


def test_no_responses() -> None:
    """Without answers EAP/MAP return the prior; ML returns nan and infinite SE."""
    y = [np.nan, np.nan]
    eap = estimate_eap(y, [1, 1], [0, 0], prior_mean=0.5, prior_sd=0.8)
    assert_allclose([eap.theta, eap.se], [0.5, 0.8], atol=1e-6)
    mp = estimate_map(y, [1, 1], [0, 0], prior_mean=0.5, prior_sd=0.8)
    assert_allclose([mp.theta, mp.se], [0.5, 0.8], atol=1e-9)
    ml = estimate_ml(y, [1, 1], [0, 0])
    assert np.isnan(ml.theta) and ml.se == np.inf and ml.n_items == 0


def test_missing_items_are_ignored(draw_responses: Draw) -> None:
    """NaN entries give the same estimate as dropping the items."""
    rng = np.random.default_rng(11)
    a, b = rng.lognormal(0, 0.3, 12), rng.normal(size=12)
    y = draw_responses(rng, rng.normal(size=1), a, b)[0]
    keep = np.arange(12) % 3 != 0
    holey = y.copy()
    holey[~keep] = np.nan
    for fn in (estimate_eap, estimate_map, estimate_ml):
        full = fn(y[keep], a[keep], b[keep])
        part = fn(holey, a, b)
        assert_allclose(part.theta, full.theta, rtol=1e-10)
        assert part.n_items == keep.sum()


def test_many_matches_single(draw_responses: Draw) -> None:
    """Vectorised estimators give the per-person results."""
    rng = np.random.default_rng(3)
    a, b = rng.lognormal(0, 0.3, 15), rng.normal(size=15)
    c = np.full(15, 0.1)
    x = draw_responses(rng, rng.normal(size=20), a, b, c)
    x[rng.random(x.shape) < 0.2] = np.nan
    for many, one in (
        (estimate_eap_many, estimate_eap),
        (estimate_map_many, estimate_map),
        (estimate_ml_many, estimate_ml),
    ):
        res = many(x, a, b, c)
        assert len(res) == 20
        for i in (0, 7, 19):
            single = one(x[i], a, b, c)
            assert_allclose(
                [res[i].theta, res[i].se], [single.theta, single.se], rtol=1e-9
            )


def test_eap_recovers_ability(draw_responses: Draw) -> None:
    """With 40 informative items EAP tracks the true ability (seeded)."""
    rng = np.random.default_rng(2024)
    a, b = rng.lognormal(0.2, 0.2, 40), rng.normal(size=40)
    theta = rng.normal(size=400)
    res = estimate_eap_many(draw_responses(rng, theta, a, b), a, b)
    err = res.theta - theta
    assert np.sqrt(np.mean(err**2)) < 0.4
    # Posterior SDs are calibrated: the mean SD is close to the RMSE.
    assert abs(np.mean(res.se) - np.sqrt(np.mean(err**2))) < 0.05


@pytest.mark.parametrize(
    ("responses", "message"),
    [
        ([1, 2, 0], "responses must be 0, 1 or NaN"),
        ([1, 0], "responses have 2 items but 3 item parameters"),
        ([[[1, 0, 1]]], "vector"),
    ],
)
def test_validation_messages(responses: object, message: str) -> None:
    """Malformed responses are rejected with a clear message."""
    with pytest.raises(ValueError, match=message):
        estimate_eap(responses, [1, 1, 1], [0, 0, 0])  # type: ignore[arg-type]


def test_prior_and_quadrature_validation() -> None:
    """Prior SD and quadrature are validated."""
    with pytest.raises(ValueError, match="prior_sd"):
        estimate_eap([1], [1], [0], prior_sd=0)
    with pytest.raises(ValueError, match="n_quad"):
        estimate_eap([1], [1], [0], n_quad=2)
    with pytest.raises(ValueError, match="bounds"):
        estimate_ml([1], [1], [0], bounds=(1.0, -1.0))
