"""IRT probability, information and standard error."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from hocvuso.psychometrics import (
    irt_prob,
    item_information,
    standard_error,
    test_information,
)

thetas = st.floats(-8, 8, allow_nan=False)
slopes = st.floats(0.05, 5.0)
difficulties = st.floats(-5, 5)
guessing = st.floats(0.0, 0.5)


def test_prob_reference_values() -> None:
    """P equals c + (1 - c) / 2 at theta = b and follows the logistic curve."""
    assert_allclose(irt_prob(0.7, 1.3, 0.7, 0.2), 0.6)
    assert_allclose(irt_prob(1.0, 1.0, 0.0), 1 / (1 + np.exp(-1.0)), rtol=1e-15)
    # D = 1: a 2PL item with a = 1.702 approximates the normal ogive with a = 1.
    assert_allclose(irt_prob(1.0, 1.702, 0.0), 0.8413, atol=0.01)


def test_prob_shape_is_outer_product() -> None:
    """theta of shape S and items of shape J give S + J."""
    p = irt_prob(np.zeros((4, 3)), np.ones(5), np.zeros(5))
    assert p.shape == (4, 3, 5)
    assert irt_prob(0.0, 1.0, 0.0).shape == ()


def test_information_reference_values() -> None:
    """2PL information a^2 P Q, 3PL maximum near b (Lord, 1980, eq. 5-6)."""
    assert_allclose(item_information(0.0, 2.0, 0.0), 1.0)
    assert_allclose(item_information(1.0, 1.0, 0.0), np.exp(-1) / (1 + np.exp(-1)) ** 2)
    # 3PL with c = .2, a = 1, theta = b: I = (1 - P)/P * (P - c)^2/(1 - c)^2.
    p = 0.6
    assert_allclose(item_information(0.0, 1.0, 0.0, 0.2), (1 - p) / p * 0.4**2 / 0.64)


def test_information_matches_numerical_derivative() -> None:
    """I(theta) = P'(theta)^2 / (P (1 - P)) for the 3PL."""
    theta = np.linspace(-3, 3, 13)
    a, b, c = (
        np.array([0.6, 1.4, 2.2]),
        np.array([-1.0, 0.3, 1.2]),
        np.array([0, 0.15, 0.3]),
    )
    h = 1e-6
    dp = (irt_prob(theta + h, a, b, c) - irt_prob(theta - h, a, b, c)) / (2 * h)
    p = irt_prob(theta, a, b, c)
    assert_allclose(item_information(theta, a, b, c), dp**2 / (p * (1 - p)), rtol=1e-6)


def test_information_stays_finite_far_from_b() -> None:
    """No NaN where P underflows."""
    info = item_information(
        np.array([-800.0, 800.0]), [1.0, 1.0], [0.0, 0.0], [0.0, 0.2]
    )
    assert np.all(np.isfinite(info))
    assert_allclose(info, 0.0, atol=1e-300)


def test_test_information_and_standard_error() -> None:
    """Test information sums items; SE = 1 / sqrt(I)."""
    a, b = np.array([1.0, 2.0, 0.5]), np.array([0.0, 1.0, -1.0])
    theta = np.array([-1.0, 0.5])
    assert_allclose(
        test_information(theta, a, b), item_information(theta, a, b).sum(-1)
    )
    assert_allclose(
        standard_error(theta, a, b), 1 / np.sqrt(test_information(theta, a, b))
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"a": 0.0}, "a must be finite and positive"),
        ({"a": -1.0}, "a must be finite and positive"),
        ({"b": np.inf}, "b must be finite"),
        ({"c": 1.0}, r"c must lie in \[0, 1\)"),
        ({"c": -0.1}, r"c must lie in \[0, 1\)"),
        ({"theta": np.nan}, "theta must not contain NaN"),
        ({"a": [1.0, 1.0], "b": [0.0, 0.0, 0.0]}, "broadcastable"),
        ({"a": "x"}, "a must be numeric"),
    ],
)
def test_validation_messages(kwargs: dict[str, object], message: str) -> None:
    """Each invalid argument is named in the error."""
    args: dict[str, object] = {"theta": 0.0, "a": 1.0, "b": 0.0, "c": 0.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        irt_prob(args["theta"], args["a"], args["b"], args["c"])  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(theta=thetas, a=slopes, b=difficulties, c=guessing)
def test_prob_between_c_and_one(theta: float, a: float, b: float, c: float) -> None:
    """c <= P <= 1 everywhere."""
    p = float(irt_prob(theta, a, b, c))
    assert c - 1e-12 <= p <= 1.0


@settings(max_examples=200, deadline=None)
@given(t1=thetas, t2=thetas, a=slopes, b=difficulties, c=guessing)
def test_prob_monotone_in_theta(
    t1: float, t2: float, a: float, b: float, c: float
) -> None:
    """P does not decrease as theta rises."""
    lo, hi = min(t1, t2), max(t1, t2)
    assert float(irt_prob(lo, a, b, c)) <= float(irt_prob(hi, a, b, c)) + 1e-15


@settings(max_examples=200, deadline=None)
@given(theta=thetas, a=slopes, b=difficulties, c=guessing)
def test_information_non_negative_and_bounded(
    theta: float, a: float, b: float, c: float
) -> None:
    """0 <= I <= a^2 / 4 (the 2PL maximum)."""
    info = float(item_information(theta, a, b, c))
    assert 0.0 <= info <= a * a / 4 + 1e-12


@settings(max_examples=100, deadline=None)
@given(a=slopes, b=difficulties)
def test_2pl_information_peaks_at_b(a: float, b: float) -> None:
    """The 2PL information is largest at theta = b."""
    grid = b + np.linspace(-3, 3, 61)
    info = item_information(grid, a, b)
    assert float(item_information(b, a, b)) >= info.max() - 1e-15


@settings(max_examples=100, deadline=None)
@given(
    theta=thetas,
    params=st.lists(st.tuples(slopes, difficulties, guessing), min_size=1, max_size=8),
)
def test_test_information_is_additive(
    theta: float, params: list[tuple[float, float, float]]
) -> None:
    """Test information equals the sum of item informations and is >= 0."""
    a, b, c = (np.array(x) for x in zip(*params, strict=True))
    total = float(test_information(theta, a, b, c))
    assert total >= 0
    assert_allclose(total, float(np.sum(item_information(theta, a, b, c))), rtol=1e-12)
