"""Scoring for decisions: Warm's weighted likelihood and the pass/fail rule.

EAP pulls every estimate towards the prior mean.  On a short form that is a
problem for decisions: a learner who answers every question of a six-item form
(one item per level CB1 .. NC2) wrong gets an EAP of ``-1.75`` — above the CB1
cut of ``-2.5`` — and "passes".  A pass must rest on evidence, so pass/fail
uses an estimator that does not lean on the prior, plus a minimum of correct
answers:

* **WLE** (Warm, 1989) maximises ``L(theta) * sqrt(I(theta))``: finite for
  all-correct and all-wrong patterns, with the first-order bias of ML removed.
  It solves ``d log L / d theta + J(theta) / (2 I(theta)) = 0`` with
  ``J = sum P'_i P''_i / (P_i Q_i)``; for the 3PL
  ``P' = (1 - c) a P* Q*`` and ``P'' = (1 - c) a² P* Q* (1 - 2 P*)``.
  The root is bracketed on ``bounds`` (the score function falls from positive
  to negative over the range for 1PL/2PL items); without a sign change the
  nearer bound is returned with ``boundary=True``.
* :func:`pass_decision` passes only when the WLE is at or above the cut **and**
  at least ``min_correct`` (>= 1) answers are correct.  The WLE of an
  all-wrong pattern lies below the easiest item's difficulty, but on a form of
  hard items alone it can still sit above an easy cut; the minimum of correct
  answers is what makes an all-wrong pass impossible on any form.

References
----------
.. [1] Warm, T. A. (1989). Weighted likelihood estimation of ability in item
   response theory. *Psychometrika, 54*, 427-450.
.. [2] Magis, D., & Raîche, G. (2012). Random generation of response patterns
   under computerized adaptive testing with the R package catR. *Journal of
   Statistical Software, 48*(8) (the WLE of ``catR::thetaEst``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq
from scipy.special import expit

from hocvuso.psychometrics._util import as_float_array, iv_items
from hocvuso.psychometrics.ability import AbilityEstimate

__all__ = ["PassDecision", "estimate_wle", "pass_decision"]


def _iv(
    responses: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None,
) -> tuple[npt.NDArray[np.float64], ...]:
    y = as_float_array(responses, "responses")
    if y.ndim != 1:
        raise ValueError("responses must be a vector")
    a_arr, b_arr, c_arr = iv_items(a, b, c)
    a_arr, b_arr, c_arr = (np.broadcast_to(x, y.shape) for x in (a_arr, b_arr, c_arr))
    keep = ~np.isnan(y)
    y = y[keep]
    if np.any((y != 0) & (y != 1)):
        raise ValueError("responses must be 0, 1 or NaN")
    return y, a_arr[keep], b_arr[keep], c_arr[keep]


def _terms(
    t: float,
    y: npt.NDArray[np.float64],
    a: npt.NDArray[np.float64],
    b: npt.NDArray[np.float64],
    c: npt.NDArray[np.float64],
) -> tuple[float, float]:
    """Return the weighted score ``dlogL + J / (2 I)`` and ``I`` at ``t``."""
    ps = expit(a * (t - b))
    qs = 1.0 - ps
    p = np.clip(c + (1.0 - c) * ps, 1e-300, 1.0 - 1e-16)
    q = 1.0 - p
    d1 = (1.0 - c) * a * ps * qs
    d2 = d1 * a * (1.0 - 2.0 * ps)
    info = float(np.sum(d1 * d1 / (p * q)))
    score = float(np.sum((y - p) * d1 / (p * q)))
    j = float(np.sum(d1 * d2 / (p * q)))
    return score + j / (2.0 * max(info, 1e-300)), info


def estimate_wle(
    responses: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None = None,
    *,
    bounds: tuple[float, float] = (-6.0, 6.0),
) -> AbilityEstimate:
    """Return Warm's weighted likelihood estimate of one response vector.

    Parameters
    ----------
    responses : array_like
        ``1``, ``0`` or ``NaN`` (not administered) per item.
    a, b, c : array_like
        Item parameters (logistic metric, ``D = 1``).
    bounds : (float, float)
        Search interval.

    Returns
    -------
    AbilityEstimate
        ``method="wle"``; ``se = 1 / sqrt(I(theta))``.  No responses give
        ``theta = nan``, ``se = inf``.

    Examples
    --------
    >>> from hocvuso.psychometrics.scoring import estimate_wle
    >>> est = estimate_wle([0] * 6, a=[1.2] * 6, b=[-2.5] * 6)
    >>> est.theta < -2.5
    True
    """
    y, a_arr, b_arr, c_arr = _iv(responses, a, b, c)
    lo, hi = float(bounds[0]), float(bounds[1])
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError("bounds must be two finite numbers with lower < upper")
    if y.size == 0:
        return AbilityEstimate(math.nan, math.inf, "wle", 0)
    f_lo, _ = _terms(lo, y, a_arr, b_arr, c_arr)
    f_hi, _ = _terms(hi, y, a_arr, b_arr, c_arr)
    boundary = False
    if f_lo <= 0.0:
        theta, boundary = lo, True
    elif f_hi >= 0.0:
        theta, boundary = hi, True
    else:
        theta = float(
            brentq(lambda t: _terms(t, y, a_arr, b_arr, c_arr)[0], lo, hi, xtol=1e-8)
        )
    _, info = _terms(theta, y, a_arr, b_arr, c_arr)
    se = 1.0 / math.sqrt(info) if info > 0 else math.inf
    return AbilityEstimate(theta, se, "wle", int(y.size), boundary)


@dataclass(frozen=True)
class PassDecision:
    """Outcome of :func:`pass_decision`.

    Attributes
    ----------
    passed : bool
        ``True`` when ``wle.theta >= cut`` and ``n_correct >= min_correct``.
    wle : AbilityEstimate
        The estimate the decision rests on.
    n_correct : int
        Correct answers.
    reason : str
        ``"pass"``, ``"below_cut"``, ``"too_few_correct"`` or ``"no_answers"``.
    """

    passed: bool
    wle: AbilityEstimate
    n_correct: int
    reason: str


def pass_decision(
    responses: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None = None,
    *,
    cut: float,
    min_correct: int = 1,
    bounds: tuple[float, float] = (-6.0, 6.0),
) -> PassDecision:
    """Return pass/fail at ``cut`` from the WLE and a minimum of correct answers.

    An all-wrong pattern never passes: ``min_correct >= 1`` is enforced, and its
    WLE lies below the easiest item's difficulty anyway.

    Examples
    --------
    >>> from hocvuso.psychometrics.scoring import pass_decision
    >>> pass_decision([0] * 6, [1.2] * 6, [-2.5] * 6, cut=-2.5).passed
    False
    >>> pass_decision([1] * 6, [1.2] * 6, [-2.5] * 6, cut=-2.5).passed
    True
    """
    if not math.isfinite(cut):
        raise ValueError("cut must be finite")
    if not isinstance(min_correct, int) or min_correct < 1:
        raise ValueError("min_correct must be an int >= 1")
    y, a_arr, b_arr, c_arr = _iv(responses, a, b, c)
    wle = estimate_wle(y, a_arr, b_arr, c_arr, bounds=bounds)
    n_correct = int(np.sum(y))
    if y.size == 0:
        return PassDecision(False, wle, 0, "no_answers")
    if n_correct < min_correct:
        return PassDecision(False, wle, n_correct, "too_few_correct")
    if wle.theta < cut:
        return PassDecision(False, wle, n_correct, "below_cut")
    return PassDecision(True, wle, n_correct, "pass")
