"""CAT simulation reports and Sympson-Hetter calibration."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from hocvuso.psychometrics import (
    CatConfig,
    ItemBank,
    simulate_cat,
    sympson_hetter_calibrate,
)


def bank(n: int = 120, seed: int = 1) -> ItemBank:
    rng = np.random.default_rng(seed)
    return ItemBank.from_arrays(
        [f"q{j}" for j in range(n)],
        rng.lognormal(0.1, 0.25, n),
        rng.normal(0, 1, n),
        areas=[f"A{j % 3}" for j in range(n)],
    )


def test_simulation_report_figures() -> None:
    """Length, precision and exposure figures are consistent (seeded)."""
    items = bank()
    thetas = np.random.default_rng(3).normal(size=150)
    cfg = CatConfig(se_target=0.4, max_items=25)
    rep = simulate_cat(items, cfg, thetas, rng=11)
    assert rep.mean_items == pytest.approx(float(np.mean(rep.lengths)))
    assert rep.rmse < 0.5
    assert abs(rep.bias) < 0.15
    assert rep.reached_se is not None and rep.reached_se > 0.9
    assert rep.content_violations == 0
    assert rep.classification_accuracy is None
    assert rep.exposure.sum() == pytest.approx(rep.mean_items)
    assert rep.max_exposure == pytest.approx(1.0)  # everyone starts with one item
    assert sum(rep.stop_reasons.values()) == 150
    assert set(rep.summary()) == {
        "mean_items",
        "rmse",
        "bias",
        "max_exposure",
        "content_violations",
        "reached_se",
        "classification_accuracy",
        "seconds",
    }


def test_simulation_is_reproducible() -> None:
    """The same generator seed gives the same simulation."""
    items = bank()
    thetas = np.linspace(-2, 2, 40)
    cfg = CatConfig(exposure="randomesque", se_target=0.45)
    one = simulate_cat(items, cfg, thetas, rng=5)
    two = simulate_cat(items, cfg, thetas, rng=np.random.default_rng(5))
    assert_array_equal(one.theta_hat, two.theta_hat)
    assert_array_equal(one.lengths, two.lengths)
    other = simulate_cat(items, cfg, thetas, rng=6)
    assert not np.array_equal(one.theta_hat, other.theta_hat)


def test_classification_accuracy() -> None:
    """A classification CAT decides most simulees correctly."""
    thetas = np.random.default_rng(0).normal(size=150)
    cfg = CatConfig(se_target=None, max_items=30, cut=0.0)
    rep = simulate_cat(bank(), cfg, thetas, rng=1)
    assert rep.classification_accuracy is not None
    assert rep.classification_accuracy > 0.85
    assert rep.stop_reasons.get("classification", 0) > 80


def test_content_violations_are_counted_as_zero_under_constraints() -> None:
    """Tests obey the content blueprint."""
    thetas = np.random.default_rng(2).normal(size=60)
    cfg = CatConfig(
        se_target=0.4, max_items=20, content={"A0": (5, None), "A1": (2, 4)}
    )
    rep = simulate_cat(bank(), cfg, thetas, rng=3)
    assert rep.content_violations == 0


def test_sympson_hetter_lowers_the_maximum_exposure() -> None:
    """Calibrated k bring the most exposed items towards the target rate."""
    items = bank(100)
    cfg = CatConfig(se_target=None, max_items=10, max_exposure=0.3)
    thetas = np.random.default_rng(4).normal(size=300)
    free = simulate_cat(items, cfg, thetas, rng=8)
    k = sympson_hetter_calibrate(items, cfg, n_simulees=300, iterations=4, rng=9)
    assert k.shape == (100,) and np.all((k > 0) & (k <= 1)) and k.min() < 0.5
    controlled = simulate_cat(
        items.with_sh_k(k),
        replace(cfg, exposure="sympson_hetter"),
        thetas,
        rng=8,
    )
    assert free.max_exposure > 0.9
    assert controlled.max_exposure < 0.42
    assert controlled.selection_rate.max() >= controlled.max_exposure


@pytest.mark.parametrize(
    ("thetas", "message"),
    [([], "non-empty"), ([[0.0]], "one-dimensional"), ([np.nan], "finite")],
)
def test_validation(thetas: object, message: str) -> None:
    """Bad simulee abilities are rejected."""
    with pytest.raises(ValueError, match=message):
        simulate_cat(bank(), CatConfig(), thetas)  # type: ignore[arg-type]


def test_sympson_hetter_validation() -> None:
    """The target rate must be a rate."""
    with pytest.raises(ValueError, match="target_rate"):
        sympson_hetter_calibrate(bank(), CatConfig(), target_rate=1.5)
