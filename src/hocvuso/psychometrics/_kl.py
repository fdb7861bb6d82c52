"""Kullback-Leibler item selection index of Chang & Ying (1996), used by ``cat``."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit, spence

from hocvuso.psychometrics._util import FloatArray

_KL_POINTS = 11


def _softplus_integral(u: FloatArray) -> FloatArray:
    """Return ``F(u) = integral of log(1 + e^t) dt from -inf to u = -Li2(-e^u)``.

    Uses ``Li2(x) = spence(1 - x)`` and, for ``u > 0``, the inversion formula
    ``-Li2(-e^u) = pi^2 / 6 + u^2 / 2 + Li2(-e^-u)`` so that nothing overflows.
    """
    s = spence(1.0 + np.exp(-np.abs(u)))
    out: FloatArray = np.where(u > 0, math.pi**2 / 6.0 + 0.5 * u * u + s, -s)
    return out


def _kl_index(
    theta: float, a: FloatArray, b: FloatArray, c: FloatArray, z: float, n: int
) -> FloatArray:
    """Return the KL index of Chang & Ying (1996) over ``theta ± z / sqrt(n)``.

    For ``c = 0`` the integral has a closed form: with ``u = a (t - b)``,
    ``KL(theta || t) = softplus(u) - softplus(u0) - P0 (u - u0)``, whose last
    term integrates to zero over the symmetric interval, leaving
    ``(F(u+) - F(u-)) / a - 2 delta softplus(u0)``.  Items with ``c > 0`` are
    integrated by Simpson's rule on 11 points.
    """
    delta = z / math.sqrt(max(n, 1))
    u0 = a * (theta - b)
    closed = (
        _softplus_integral(a * (theta + delta - b))
        - _softplus_integral(a * (theta - delta - b))
    ) / a - 2.0 * delta * np.logaddexp(0.0, u0)
    out: FloatArray = np.maximum(closed, 0.0)
    guess = c > 0
    if guess.any():
        ag, bg, cg = a[guess], b[guess], c[guess]
        pts = np.linspace(theta - delta, theta + delta, _KL_POINTS)
        p0 = np.clip(cg + (1.0 - cg) * expit(ag * (theta - bg)), 1e-12, 1.0 - 1e-12)
        p = cg + (1.0 - cg) * expit(ag * (pts[:, None] - bg))
        p = np.clip(p, 1e-12, 1.0 - 1e-12)
        kl = p0 * np.log(p0 / p) + (1.0 - p0) * np.log((1.0 - p0) / (1.0 - p))
        h = 2.0 * delta / (_KL_POINTS - 1)
        w = np.ones(_KL_POINTS)
        w[1:-1:2] = 4.0
        w[2:-1:2] = 2.0
        out[guess] = (h / 3.0) * (w @ kl)
    return out
