"""Private helpers shared by the psychometrics modules (types, validation)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


def as_float_array(x: npt.ArrayLike, name: str) -> FloatArray:
    """Return ``x`` as a float64 array or raise a ``ValueError`` naming it."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric") from exc
    return arr


def iv_items(
    a: npt.ArrayLike, b: npt.ArrayLike, c: npt.ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate item parameters and broadcast them to one common shape.

    ``a`` must be finite and positive, ``b`` finite and ``c`` in ``[0, 1)``.
    """
    a_arr = as_float_array(a, "a")
    b_arr = as_float_array(b, "b")
    c_arr = np.zeros(()) if c is None else as_float_array(c, "c")
    try:
        a_arr, b_arr, c_arr = np.broadcast_arrays(a_arr, b_arr, c_arr)
    except ValueError as exc:
        raise ValueError("a, b and c must have broadcastable shapes") from exc
    if not np.all(np.isfinite(a_arr)) or np.any(a_arr <= 0):
        raise ValueError("a must be finite and positive")
    if not np.all(np.isfinite(b_arr)):
        raise ValueError("b must be finite")
    if not np.all(np.isfinite(c_arr)) or np.any(c_arr < 0) or np.any(c_arr >= 1):
        raise ValueError("c must lie in [0, 1)")
    return a_arr, b_arr, c_arr


def iv_quadrature(n_quad: int, bounds: tuple[float, float]) -> None:
    """Validate a rectangular quadrature specification."""
    if not isinstance(n_quad, int | np.integer) or n_quad < 5:
        raise ValueError("n_quad must be an integer >= 5")
    lo, hi = bounds
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError("bounds must be two finite numbers with lower < upper")


def iv_prior(mean: float, sd: float) -> None:
    """Validate a normal prior."""
    if not math.isfinite(mean):
        raise ValueError("prior_mean must be finite")
    if not (math.isfinite(sd) and sd > 0):
        raise ValueError("prior_sd must be finite and positive")
