"""Shared data for the psychometrics tests (no Django needed)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest

PATTERNS = np.array([[int(x) for x in f"{i:05b}"] for i in range(32)], dtype=float)

# Bock & Lieberman (1970) LSAT section 6 and 7 pattern counts, patterns ordered
# 00000, 00001, ..., 11111 (as distributed with R's ltm and mirt packages).
LSAT6_COUNTS = [3, 6, 2, 11, 1, 1, 3, 4, 1, 8, 0, 16, 0, 3, 2, 15]
LSAT6_COUNTS += [10, 29, 14, 81, 3, 28, 15, 80, 16, 56, 21, 173, 11, 61, 28, 298]
LSAT7_COUNTS = [12, 19, 1, 7, 3, 19, 3, 17, 10, 5, 3, 7, 7, 23, 8, 28]
LSAT7_COUNTS += [7, 39, 11, 34, 14, 51, 15, 90, 6, 25, 7, 35, 18, 136, 32, 308]


@pytest.fixture(scope="session")
def lsat6() -> npt.NDArray[np.float64]:
    """The LSAT-6 data, 1000 x 5."""
    return np.repeat(PATTERNS, LSAT6_COUNTS, axis=0)


@pytest.fixture(scope="session")
def lsat7() -> npt.NDArray[np.float64]:
    """The LSAT-7 data, 1000 x 5."""
    return np.repeat(PATTERNS, LSAT7_COUNTS, axis=0)


def simulate_2pl(
    rng: np.random.Generator,
    theta: npt.NDArray[np.float64],
    a: npt.NDArray[np.float64],
    b: npt.NDArray[np.float64],
    c: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.float64]:
    """Draw 0/1 responses from the 3PL (2PL when ``c`` is None)."""
    cc = np.zeros_like(a) if c is None else c
    p = cc + (1 - cc) / (1 + np.exp(-a * (theta[:, None] - b)))
    out: npt.NDArray[np.float64] = (rng.random(p.shape) < p).astype(np.float64)
    return out


Draw = Callable[..., npt.NDArray[np.float64]]


@pytest.fixture(scope="session")
def draw_responses() -> Draw:
    """Return :func:`simulate_2pl` (test modules cannot import conftest)."""
    return simulate_2pl
