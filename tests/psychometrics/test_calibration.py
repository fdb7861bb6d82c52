"""Marginal maximum likelihood calibration (Bock-Aitkin EM)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from numpy.testing import assert_allclose

from hocvuso.psychometrics import LongResponses, calibrate
from hocvuso.psychometrics import _em as em_module

Draw = Callable[..., npt.NDArray[np.float64]]
FloatArray = npt.NDArray[np.float64]

# R mirt 2PL estimates for LSAT-7 (mirt's own test suite, tests/testthat:
# `mirt(expand.table(LSAT7), 1)`, slope-intercept form a1, d).
MIRT_LSAT7_A = [0.9879, 1.0809, 1.7058, 0.7652, 0.7358]
MIRT_LSAT7_D = [1.8561, 0.8080, 1.8042, 0.4860, 1.8545]
# ltm estimates for LSAT-6 (Rizopoulos, 2006): 2PL and the 1PL with a common
# discrimination, with their log-likelihoods.
LTM_LSAT6_A = [0.8254, 0.7229, 0.8905, 0.6886, 0.6575]
LTM_LSAT6_B = [-3.3597, -1.3696, -0.2799, -1.8659, -3.1236]
LTM_LSAT6_LOGLIK = -2466.653
LTM_RASCH_A = 0.755
LTM_RASCH_B = [-3.615, -1.322, -0.318, -1.730, -2.780]
LTM_RASCH_LOGLIK = -2466.938


def test_2pl_matches_r_mirt_on_lsat7(lsat7: FloatArray) -> None:
    """Slopes and intercepts agree with R mirt to about 2e-3."""
    fit = calibrate(lsat7, "2pl", a_prior=None, n_quad=61, tol=1e-6)
    assert fit.converged
    assert_allclose(fit.a, MIRT_LSAT7_A, atol=3e-3)
    assert_allclose(-fit.a * fit.b, MIRT_LSAT7_D, atol=3e-3)


def test_2pl_matches_ltm_on_lsat6(lsat6: FloatArray) -> None:
    """Parameters and log-likelihood agree with ltm (Gauss-Hermite, 21 points)."""
    fit = calibrate(lsat6, "2pl", a_prior=None, n_quad=61, tol=1e-7)
    assert_allclose(fit.a, LTM_LSAT6_A, atol=2e-3)
    assert_allclose(fit.b, LTM_LSAT6_B, atol=5e-3)
    assert_allclose(fit.log_likelihood, LTM_LSAT6_LOGLIK, atol=5e-3)
    assert fit.n_parameters == 10
    assert_allclose(fit.aic, -2 * fit.log_likelihood + 20)


def test_1pl_matches_ltm_rasch_on_lsat6(lsat6: FloatArray) -> None:
    """The 1PL estimates one common slope (ltm `rasch(LSAT)`)."""
    fit = calibrate(lsat6, "1pl", a_prior=None, n_quad=61, tol=1e-7)
    assert_allclose(fit.a, LTM_RASCH_A, atol=1e-3)
    assert_allclose(fit.b, LTM_RASCH_B, atol=2e-3)
    assert_allclose(fit.log_likelihood, LTM_RASCH_LOGLIK, atol=2e-3)
    assert fit.n_parameters == 6


def test_em_log_likelihood_never_decreases(lsat7: FloatArray) -> None:
    """EM (without priors) increases the marginal likelihood at every cycle."""
    fit = calibrate(lsat7, "2pl", a_prior=None, tol=1e-6)
    hist = np.array(fit.log_likelihood_history)
    assert np.all(np.diff(hist) > -1e-8)
    assert fit.log_likelihood >= hist[-1] - 1e-8


def booklet_data(
    rng: np.random.Generator, draw: Draw, n_items: int, n_persons: int, n_booklets: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Linked booklets: booklet k holds item blocks k and k + 1 (cyclic)."""
    a = rng.lognormal(0, 0.25, n_items)
    b = rng.normal(0, 1, n_items)
    theta = rng.normal(0, 1, n_persons)
    x = draw(rng, theta, a, b)
    blocks = np.arange(n_items).reshape(n_booklets, -1)
    booklet = rng.integers(0, n_booklets, n_persons)
    shown = np.zeros_like(x, dtype=bool)
    for k in range(n_booklets):
        items = np.concatenate([blocks[k], blocks[(k + 1) % n_booklets]])
        shown[np.ix_(booklet == k, items)] = True
    x[~shown] = np.nan
    return x, a, b, theta


def test_2pl_recovery_with_linked_booklets(draw_responses: Draw) -> None:
    """Parameters are recovered from an incomplete linked design (seeded)."""
    rng = np.random.default_rng(20240601)
    x, a, b, theta = booklet_data(rng, draw_responses, 40, 8000, 4)
    fit = calibrate(x, "2pl")
    assert fit.converged
    # About 4,000 answers per item: sampling error alone gives RMSE near 0.05.
    assert np.sqrt(np.mean((fit.a - a) ** 2)) < 0.08
    assert np.sqrt(np.mean((fit.b - b) ** 2)) < 0.08
    # Person EAPs come for free from the final E-step.
    assert np.corrcoef(fit.person_theta, theta)[0, 1] > 0.85
    assert fit.report()["n_responses"] == int(np.sum(~np.isnan(x)))


def test_sparse_and_dense_paths_agree(draw_responses: Draw) -> None:
    """Pattern blocks (dense BLAS) and the sparse remainder give the same fit."""
    rng = np.random.default_rng(5)
    x, *_ = booklet_data(rng, draw_responses, 20, 800, 4)
    # Add CAT-like persons whose patterns are all different.
    extra = draw_responses(rng, rng.normal(size=60), np.ones(20), np.zeros(20))
    extra[rng.random(extra.shape) < 0.5] = np.nan
    x = np.vstack([x, extra])
    dense = calibrate(x, "2pl", tol=1e-7)
    old = em_module.DENSE_GROUP_MIN
    try:
        em_module.DENSE_GROUP_MIN = 10**9
        sparse = calibrate(x, "2pl", tol=1e-7)
    finally:
        em_module.DENSE_GROUP_MIN = old
    assert_allclose(sparse.a, dense.a, rtol=1e-9)
    assert_allclose(sparse.b, dense.b, rtol=1e-9, atol=1e-12)
    assert_allclose(sparse.log_likelihood, dense.log_likelihood, rtol=1e-12)


def test_long_form_and_mask_inputs_agree(draw_responses: Draw) -> None:
    """A NaN matrix, a mask and LongResponses describe the same data."""
    rng = np.random.default_rng(8)
    x = draw_responses(rng, rng.normal(size=300), np.ones(6), np.linspace(-1, 1, 6))
    mask = rng.random(x.shape) < 0.8
    with_nan = np.where(mask, x, np.nan)
    garbage = np.where(mask, x, 7.0)  # ignored outside the mask
    long = LongResponses.from_matrix(with_nan)
    fits = [
        calibrate(with_nan, "2pl"),
        calibrate(garbage, "2pl", mask=mask),
        calibrate(long, "2pl"),
    ]
    for fit in fits[1:]:
        assert_allclose(fit.a, fits[0].a)
        assert_allclose(fit.b, fits[0].b)


def test_anchors_put_new_items_on_the_bank_scale(draw_responses: Draw) -> None:
    """Fixed anchors carry the scale; the population mean and SD are estimated."""
    rng = np.random.default_rng(77)
    n_items = 30
    a = rng.lognormal(0, 0.25, n_items)
    b = rng.normal(0, 1, n_items)
    theta = rng.normal(0.6, 1.3, 5000)  # this cohort is abler than the bank's
    x = draw_responses(rng, theta, a, b)
    anchors = {j: (float(a[j]), float(b[j]), 0.0) for j in range(10)}
    fit = calibrate(x, "2pl", anchors=anchors)
    assert fit.converged
    assert_allclose(fit.a[:10], a[:10])
    assert_allclose(fit.b[:10], b[:10])
    assert fit.anchored[:10].all() and not fit.anchored[10:].any()
    assert fit.population_mean == pytest.approx(0.6, abs=0.08)
    assert fit.population_sd == pytest.approx(1.3, abs=0.08)
    assert np.sqrt(np.mean((fit.b[10:] - b[10:]) ** 2)) < 0.1
    # Without anchors the same items land on the cohort's own N(0, 1) scale.
    free = calibrate(x, "2pl")
    assert np.mean(free.b[10:] - b[10:]) < -0.3


def test_3pl_with_guessing_prior(draw_responses: Draw) -> None:
    """The 3PL (Beta prior on c) recovers b and keeps c in a sensible range."""
    rng = np.random.default_rng(314)
    n = 15
    a = rng.lognormal(0.2, 0.2, n)
    b = rng.normal(0, 1, n)
    c = np.full(n, 0.2)
    x = draw_responses(rng, rng.normal(size=4000), a, b, c)
    fit = calibrate(x, "3pl", max_iter=300, tol=1e-3)
    assert np.sqrt(np.mean((fit.b - b) ** 2)) < 0.3
    assert np.all((fit.c > 0.05) & (fit.c < 0.4))
    assert abs(np.mean(fit.c) - 0.2) < 0.05
    assert fit.n_parameters == 3 * n
    # The guessing prior shows up in the log posterior.
    assert fit.log_posterior != fit.log_likelihood


def test_item_flags() -> None:
    """Items answered by few, all right or all wrong are flagged for editors."""
    rng = np.random.default_rng(1)
    theta = rng.normal(size=400)
    x = (
        rng.random((400, 4)) < 1 / (1 + np.exp(-(theta[:, None] - [0, 0.5, -0.5, 0])))
    ) * 1.0
    x[:, 1] = 1.0  # everybody right
    x[:, 2] = 0.0  # everybody wrong
    x[50:, 3] = np.nan  # few answers
    fit = calibrate(x, "2pl")
    assert "all_correct" in fit.flags[1]
    assert "all_incorrect" in fit.flags[2]
    assert "few_responses" in fit.flags[3]
    assert "extreme_difficulty" in fit.flags[1] or "extreme_difficulty" in fit.flags[2]
    assert np.all(np.isfinite(fit.a)) and np.all(np.abs(fit.b) <= 6)
    report = fit.report(["q1", "q2", "q3", "q4"])
    assert report["flagged_items"] >= 3
    assert report["items"][1]["item_id"] == "q2"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "4pl"}, "model must be one of 1pl, 2pl, 3pl"),
        ({"responses": [[1, 2], [0, 1]]}, "responses must be 0, 1 or NaN"),
        (
            {"responses": [[1, np.nan], [0, np.nan]]},
            r"items without any response.*\[1\]",
        ),
        ({"responses": [[np.nan]]}, "no responses"),
        ({"mask": [[True]]}, "mask must have the shape"),
        ({"anchors": {5: (1.0, 0.0, 0.0)}}, "anchor item index 5 out of range"),
        ({"anchors": {0: (1.0, 0.0, 0.2)}}, "c != 0 but the model is 2pl"),
        ({"anchors": {0: (-1.0, 0.0, 0.0)}}, "a must be finite and positive"),
        ({"a_prior": (0.0, 0.0)}, "a_prior"),
        ({"c_prior": (0.5, 2.0)}, "c_prior"),
        ({"max_iter": 0}, "max_iter"),
        ({"tol": 0.0}, "tol"),
        ({"n_quad": 3}, "n_quad"),
    ],
)
def test_validation_messages(kwargs: dict[str, object], message: str) -> None:
    """Invalid input is rejected with a message naming the problem."""
    args: dict[str, object] = {"responses": [[1, 0], [0, 1], [1, 1]], "model": "2pl"}
    args.update(kwargs)
    responses = args.pop("responses")
    with pytest.raises(ValueError, match=message):
        calibrate(responses, **args)  # type: ignore[arg-type]


def test_long_responses_validation() -> None:
    """LongResponses rejects duplicates and out-of-range indices."""
    idx = np.array([0, 0])
    with pytest.raises(ValueError, match="more than once"):
        LongResponses(idx, idx, np.array([1, 0], np.int8), 1, 1)
    with pytest.raises(ValueError, match="item index out of range"):
        LongResponses(np.array([0]), np.array([3]), np.array([1], np.int8), 1, 2)
