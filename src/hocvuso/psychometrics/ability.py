"""Ability estimation for known item parameters: EAP, MAP and ML.

All three estimators take a response vector (or a persons x items matrix) coded
``1`` correct, ``0`` incorrect and ``NaN`` not administered, plus the 3PL item
parameters (logistic metric, ``D = 1``; see :mod:`hocvuso.psychometrics.models`).

* **EAP** integrates the posterior on a rectangular grid of ``n_quad`` equally
  spaced nodes over ``bounds`` with a normal prior (Bock & Mislevy, 1982); the
  standard error is the posterior standard deviation.
* **MAP** maximises the log posterior with a normal prior by Fisher scoring with
  step halving; the standard error is ``1 / sqrt(I(theta) + 1 / prior_sd**2)``.
* **ML** maximises the likelihood by Fisher scoring inside ``bounds``.  Patterns
  without an interior maximum (all correct, all incorrect, or 3PL patterns whose
  likelihood keeps rising towards a bound) return the bound with
  ``boundary=True``; the standard error is ``1 / sqrt(I(theta))`` at the returned
  value.  A person with no responses gets ``theta = nan`` and ``se = inf``.

References
----------
.. [1] Bock, R. D., & Mislevy, R. J. (1982). Adaptive EAP estimation of ability in
   a microcomputer environment. *Applied Psychological Measurement, 6*, 431-444.
.. [2] Baker, F. B., & Kim, S.-H. (2004). *Item response theory: Parameter
   estimation techniques* (2nd ed.), ch. 5 and 7.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.special import expit

from hocvuso.psychometrics._util import (
    BoolArray,
    FloatArray,
    IntArray,
    as_float_array,
    iv_items,
    iv_prior,
    iv_quadrature,
)
from hocvuso.psychometrics.models import _information, _log_prob

__all__ = [
    "AbilityEstimate",
    "AbilityEstimates",
    "estimate_eap",
    "estimate_eap_many",
    "estimate_map",
    "estimate_map_many",
    "estimate_ml",
    "estimate_ml_many",
]

Method = Literal["eap", "map", "ml", "wle"]


@dataclass(frozen=True)
class AbilityEstimate:
    """One person's ability estimate.

    Attributes
    ----------
    theta : float
        Estimated ability (logistic metric).
    se : float
        Standard error (posterior SD for EAP; see the module docstring).
    method : {"eap", "map", "ml"}
        Estimator that produced the value.
    n_items : int
        Number of responses used.
    boundary : bool
        ``True`` when an ML estimate sits on the search bound because the
        likelihood has no interior maximum (for example all answers correct).
    """

    theta: float
    se: float
    method: Method
    n_items: int
    boundary: bool = False


@dataclass(frozen=True, eq=False)
class AbilityEstimates:
    """Ability estimates for many persons (arrays of equal length)."""

    theta: FloatArray
    se: FloatArray
    method: Method
    n_items: IntArray
    boundary: BoolArray

    def __getitem__(self, index: int) -> AbilityEstimate:
        """Return the estimate of person ``index``."""
        return AbilityEstimate(
            theta=float(self.theta[index]),
            se=float(self.se[index]),
            method=self.method,
            n_items=int(self.n_items[index]),
            boundary=bool(self.boundary[index]),
        )

    def __len__(self) -> int:
        return int(self.theta.shape[0])


def _iv_responses(
    responses: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    resp = as_float_array(responses, "responses")
    if resp.ndim == 1:
        resp = resp[np.newaxis, :]
    if resp.ndim != 2:
        raise ValueError("responses must be a vector or a persons x items matrix")
    a_arr, b_arr, c_arr = iv_items(a, b, c)
    if a_arr.ndim == 0:
        a_arr, b_arr, c_arr = (np.full(resp.shape[1], x) for x in (a_arr, b_arr, c_arr))
    if a_arr.ndim != 1 or a_arr.shape[0] != resp.shape[1]:
        raise ValueError(
            f"responses have {resp.shape[1]} items but {a_arr.size} item parameters "
            "were given"
        )
    observed = resp[~np.isnan(resp)]
    if np.any((observed != 0) & (observed != 1)):
        raise ValueError("responses must be 0, 1 or NaN (not administered)")
    return resp, a_arr, b_arr, c_arr


def _indicators(resp: FloatArray) -> tuple[FloatArray, FloatArray]:
    ones = (resp == 1).astype(np.float64)
    zeros = (resp == 0).astype(np.float64)
    return ones, zeros


def quadrature_grid(
    n_quad: int, bounds: tuple[float, float], prior_mean: float, prior_sd: float
) -> tuple[FloatArray, FloatArray]:
    """Return equally spaced nodes and normalised log prior weights."""
    nodes = np.linspace(bounds[0], bounds[1], n_quad)
    log_w = -0.5 * ((nodes - prior_mean) / prior_sd) ** 2
    log_w -= np.logaddexp.reduce(log_w)
    return nodes, log_w


def posterior_moments(
    log_lik: FloatArray, log_prior: FloatArray, nodes: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Return posterior mean and SD from log-likelihoods on quadrature nodes.

    ``log_lik`` has shape ``(..., Q)``; the result has shape ``(...)``.
    """
    log_post = log_lik + log_prior
    log_post = log_post - np.max(log_post, axis=-1, keepdims=True)
    w = np.exp(log_post)
    w /= np.sum(w, axis=-1, keepdims=True)
    mean: FloatArray = w @ nodes
    var = w @ (nodes**2) - mean**2
    sd: FloatArray = np.sqrt(np.maximum(var, 0.0))
    return mean, sd


def _eap(
    resp: FloatArray,
    a: FloatArray,
    b: FloatArray,
    c: FloatArray,
    prior_mean: float,
    prior_sd: float,
    n_quad: int,
    bounds: tuple[float, float],
) -> tuple[FloatArray, FloatArray]:
    nodes, log_w = quadrature_grid(n_quad, bounds, prior_mean, prior_sd)
    log_p, log_q = _log_prob(nodes, a, b, c)  # (Q, J)
    ones, zeros = _indicators(resp)
    log_lik = ones @ log_p.T + zeros @ log_q.T  # (N, Q)
    return posterior_moments(log_lik, log_w, nodes)


def _score_terms(
    theta: FloatArray,
    ones: FloatArray,
    observed: FloatArray,
    a: FloatArray,
    b: FloatArray,
    c: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return log-likelihood, gradient and Fisher information per person."""
    z = a * (theta[:, np.newaxis] - b)
    p_star = expit(z)
    p = c + (1.0 - c) * p_star
    log_p, log_q = _log_prob(theta, a, b, c)
    loglik = np.sum(ones * log_p + (observed - ones) * log_q, axis=1)
    # d log L / d theta = sum_j a_j (y_j - P_j) P*_j / P_j  (Baker & Kim, eq. 5.18)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(p > 0, p_star / p, 1.0)
    grad = np.sum(observed * a * (ones - p) * ratio, axis=1)
    info = np.sum(observed * _information(theta, a, b, c), axis=1)
    return loglik, grad, info


def _fisher_scoring(
    resp: FloatArray,
    a: FloatArray,
    b: FloatArray,
    c: FloatArray,
    start: FloatArray,
    bounds: tuple[float, float],
    prior: tuple[float, float] | None,
    tol: float,
    max_iter: int,
) -> tuple[FloatArray, FloatArray]:
    """Maximise the log likelihood (or posterior) per person; return theta, info."""
    ones, zeros = _indicators(resp)
    observed = ones + zeros
    lo, hi = bounds
    theta = np.clip(start, lo, hi)

    def objective(th: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        ll, g, info = _score_terms(th, ones, observed, a, b, c)
        if prior is not None:
            mu, sd = prior
            ll = ll - 0.5 * ((th - mu) / sd) ** 2
            g = g - (th - mu) / sd**2
            info = info + 1.0 / sd**2
        return ll, g, info

    f, g, info = objective(theta)
    active = np.ones(theta.shape, dtype=bool)
    for _ in range(max_iter):
        if not np.any(active):
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(info > 0, g / info, np.sign(g))
        step = np.clip(step, -1.0, 1.0)
        step[~active] = 0.0
        new = np.clip(theta + step, lo, hi)
        f_new, g_new, info_new = objective(new)
        # Step halving keeps each Fisher-scoring update an ascent step, which
        # matters for 3PL likelihoods that are not log-concave.
        for _halving in range(30):
            worse = active & (f_new < f - 1e-12)
            if not np.any(worse):
                break
            step[worse] *= 0.5
            new = np.clip(theta + step, lo, hi)
            f_new, g_new, info_new = objective(new)
        moved = np.abs(new - theta)
        theta, f, g, info = new, f_new, g_new, info_new
        active &= moved > tol
    return theta, info


def _result(
    theta: FloatArray,
    se: FloatArray,
    method: Method,
    resp: FloatArray,
    boundary: BoolArray | None = None,
) -> AbilityEstimates:
    n_items = np.sum(~np.isnan(resp), axis=1).astype(np.intp)
    if boundary is None:
        boundary = np.zeros(theta.shape, dtype=bool)
    return AbilityEstimates(
        theta=theta, se=se, method=method, n_items=n_items, boundary=boundary
    )


def estimate_eap_many(
    responses: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None = None,
    *,
    prior_mean: float = 0.0,
    prior_sd: float = 1.0,
    n_quad: int = 61,
    bounds: tuple[float, float] = (-6.0, 6.0),
) -> AbilityEstimates:
    """Return expected-a-posteriori abilities for a persons x items matrix.

    Parameters
    ----------
    responses : array_like
        Shape ``(n_persons, n_items)`` (a vector is one person): ``1``, ``0`` or
        ``NaN`` for items not administered.
    a, b, c : array_like
        Item parameters, one per column (``c`` defaults to 0).
    prior_mean, prior_sd : float
        Normal prior on ability.
    n_quad : int
        Number of equally spaced quadrature nodes (default 61).
    bounds : tuple of float
        Range of the quadrature grid (default ``(-6, 6)``).

    Returns
    -------
    AbilityEstimates
        Posterior means and posterior standard deviations.

    References
    ----------
    .. [1] Bock, R. D., & Mislevy, R. J. (1982). Adaptive EAP estimation of
       ability in a microcomputer environment. *Applied Psychological
       Measurement, 6*, 431-444.
    """
    resp, a_arr, b_arr, c_arr = _iv_responses(responses, a, b, c)
    iv_prior(prior_mean, prior_sd)
    iv_quadrature(n_quad, bounds)
    theta, se = _eap(resp, a_arr, b_arr, c_arr, prior_mean, prior_sd, n_quad, bounds)
    return _result(theta, se, "eap", resp)


def estimate_eap(
    responses: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None = None,
    *,
    prior_mean: float = 0.0,
    prior_sd: float = 1.0,
    n_quad: int = 61,
    bounds: tuple[float, float] = (-6.0, 6.0),
) -> AbilityEstimate:
    """Return the EAP ability of one response vector.

    See :func:`estimate_eap_many` for the parameters.

    Examples
    --------
    >>> from hocvuso.psychometrics import estimate_eap
    >>> est = estimate_eap([1, 0, 1, float("nan")], a=[1.0] * 4, b=[-1, 0, 1, 2])
    >>> round(est.theta, 3), round(est.se, 3)
    (0.315, 0.796)
    """
    return _single(
        estimate_eap_many(
            _as_vector(responses),
            a,
            b,
            c,
            prior_mean=prior_mean,
            prior_sd=prior_sd,
            n_quad=n_quad,
            bounds=bounds,
        )
    )


def estimate_map_many(
    responses: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None = None,
    *,
    prior_mean: float = 0.0,
    prior_sd: float = 1.0,
    bounds: tuple[float, float] = (-6.0, 6.0),
    tol: float = 1e-8,
    max_iter: int = 100,
) -> AbilityEstimates:
    """Return maximum-a-posteriori abilities (normal prior) for many persons.

    The mode is found by Fisher scoring with step halving, started at the EAP
    estimate and confined to ``bounds``.  The standard error is
    ``1 / sqrt(I(theta) + 1 / prior_sd**2)``.

    Parameters
    ----------
    responses, a, b, c, prior_mean, prior_sd
        As in :func:`estimate_eap_many`.
    bounds : tuple of float
        Search interval (default ``(-6, 6)``).
    tol : float
        Convergence tolerance on the change of theta.
    max_iter : int
        Maximum number of Fisher-scoring iterations.
    """
    resp, a_arr, b_arr, c_arr = _iv_responses(responses, a, b, c)
    iv_prior(prior_mean, prior_sd)
    iv_quadrature(61, bounds)
    start, _ = _eap(resp, a_arr, b_arr, c_arr, prior_mean, prior_sd, 61, bounds)
    theta, info = _fisher_scoring(
        resp, a_arr, b_arr, c_arr, start, bounds, (prior_mean, prior_sd), tol, max_iter
    )
    se = 1.0 / np.sqrt(info)
    return _result(theta, se, "map", resp)


def estimate_map(
    responses: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None = None,
    *,
    prior_mean: float = 0.0,
    prior_sd: float = 1.0,
    bounds: tuple[float, float] = (-6.0, 6.0),
    tol: float = 1e-8,
    max_iter: int = 100,
) -> AbilityEstimate:
    """Return the MAP ability of one response vector (see :func:`estimate_map_many`).

    Examples
    --------
    >>> from hocvuso.psychometrics import estimate_map
    >>> est = estimate_map([1, 1, 1], a=[1.0] * 3, b=[0.0] * 3)
    >>> round(est.theta, 3), round(est.se, 3)
    (0.88, 0.785)
    """
    return _single(
        estimate_map_many(
            _as_vector(responses),
            a,
            b,
            c,
            prior_mean=prior_mean,
            prior_sd=prior_sd,
            bounds=bounds,
            tol=tol,
            max_iter=max_iter,
        )
    )


def estimate_ml_many(
    responses: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None = None,
    *,
    bounds: tuple[float, float] = (-4.0, 4.0),
    tol: float = 1e-8,
    max_iter: int = 100,
) -> AbilityEstimates:
    """Return maximum-likelihood abilities, confined to ``bounds``, for many persons.

    All-correct and all-incorrect patterns have no finite maximum: they get the
    upper or lower bound and ``boundary=True`` without iterating.  Mixed patterns
    are solved by Fisher scoring with step halving started at the EAP estimate;
    a solution that ends on a bound is flagged ``boundary=True`` as well.  The
    standard error is ``1 / sqrt(I(theta))``.  Persons without responses get
    ``theta = nan`` and ``se = inf``.

    Parameters
    ----------
    responses, a, b, c
        As in :func:`estimate_eap_many`.
    bounds : tuple of float
        Search interval (default ``(-4, 4)``).
    tol, max_iter
        Convergence controls of Fisher scoring.
    """
    resp, a_arr, b_arr, c_arr = _iv_responses(responses, a, b, c)
    iv_quadrature(61, bounds)
    lo, hi = bounds
    ones, zeros = _indicators(resp)
    n_right = ones.sum(axis=1)
    n_wrong = zeros.sum(axis=1)
    start, _ = _eap(resp, a_arr, b_arr, c_arr, 0.0, 1.0, 61, (-6.0, 6.0))
    theta, _info = _fisher_scoring(
        resp, a_arr, b_arr, c_arr, start, bounds, None, tol, max_iter
    )
    theta = np.where(n_wrong == 0, hi, theta)
    theta = np.where(n_right == 0, lo, theta)
    empty = (n_right + n_wrong) == 0
    theta = np.where(empty, np.nan, theta)
    boundary = ~empty & ((theta <= lo + 1e-6) | (theta >= hi - 1e-6))
    observed = ones + zeros
    safe = np.where(empty, 0.0, theta)
    info = np.sum(observed * _information(safe, a_arr, b_arr, c_arr), axis=1)
    with np.errstate(divide="ignore"):
        se = np.where(empty, np.inf, 1.0 / np.sqrt(info))
    return _result(theta, se, "ml", resp, boundary)


def estimate_ml(
    responses: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None = None,
    *,
    bounds: tuple[float, float] = (-4.0, 4.0),
    tol: float = 1e-8,
    max_iter: int = 100,
) -> AbilityEstimate:
    """Return the ML ability of one response vector (see :func:`estimate_ml_many`).

    Examples
    --------
    >>> from hocvuso.psychometrics import estimate_ml
    >>> est = estimate_ml([1, 1, 1], a=[1.0] * 3, b=[0.0] * 3)
    >>> est.theta, est.boundary
    (4.0, True)
    """
    return _single(
        estimate_ml_many(
            _as_vector(responses), a, b, c, bounds=bounds, tol=tol, max_iter=max_iter
        )
    )


def _as_vector(responses: npt.ArrayLike) -> FloatArray:
    resp = as_float_array(responses, "responses")
    if resp.ndim != 1:
        raise ValueError("responses must be a vector; use the *_many function")
    return resp


def _single(est: AbilityEstimates) -> AbilityEstimate:
    return est[0]
