"""Dichotomous logistic IRT models: probability, information, standard error.

Conventions used throughout :mod:`hocvuso.psychometrics`:

* The three-parameter logistic model (3PL) in the *logistic metric*, i.e. with the
  scaling constant ``D = 1``:

  .. math:: P_j(\\theta) = c_j + (1 - c_j)\\,\\frac{1}{1 + e^{-a_j(\\theta - b_j)}}

  The 2PL is the 3PL with ``c = 0``; the 1PL is the 2PL with one ``a`` shared by
  every item.  Parameters estimated on the normal-ogive metric (``D = 1.702``)
  must be converted with ``a_logistic = 1.702 * a_normal`` before use.
* ``a > 0`` (discrimination), ``b`` finite (difficulty), ``0 <= c < 1``
  (pseudo-guessing).
* Vectorisation is an *outer* product: an array of abilities of shape ``S`` and
  item parameters broadcasting to shape ``J`` give results of shape ``S + J``.

References
----------
.. [1] Lord, F. M. (1980). *Applications of item response theory to practical
   testing problems*. Hillsdale, NJ: Erlbaum.  (Eq. 5-6 for the 3PL item
   information used in :func:`item_information`.)
.. [2] Baker, F. B., & Kim, S.-H. (2004). *Item response theory: Parameter
   estimation techniques* (2nd ed.). New York: Dekker.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import expit, log_expit

from hocvuso.psychometrics._util import FloatArray, as_float_array, iv_items

__all__ = [
    "irt_prob",
    "item_information",
    "standard_error",
    "test_information",
]


def _iv(
    theta: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    theta_arr = as_float_array(theta, "theta")
    if np.any(np.isnan(theta_arr)):
        raise ValueError("theta must not contain NaN")
    a_arr, b_arr, c_arr = iv_items(a, b, c)
    return theta_arr, a_arr, b_arr, c_arr


def _outer_z(theta: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    """Return ``a * (theta - b)`` with shape ``theta.shape + a.shape``."""
    th = theta.reshape(theta.shape + (1,) * a.ndim)
    z: FloatArray = a * (th - b)
    return z


def _prob(theta: FloatArray, a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    p: FloatArray = c + (1.0 - c) * expit(_outer_z(theta, a, b))
    return p


def _log_prob(
    theta: FloatArray, a: FloatArray, b: FloatArray, c: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Return ``(log P, log(1 - P))`` computed without cancellation.

    ``log P = logaddexp(log c, log(1 - c) + log expit(z))`` and
    ``log(1 - P) = log(1 - c) + log expit(-z)``.
    """
    z = _outer_z(theta, a, b)
    with np.errstate(divide="ignore"):
        log_c = np.log(c)
    log_1mc = np.log1p(-c)
    log_p: FloatArray = np.logaddexp(log_c, log_1mc + log_expit(z))
    log_q: FloatArray = log_1mc + log_expit(-z)
    return log_p, log_q


def _information(
    theta: FloatArray, a: FloatArray, b: FloatArray, c: FloatArray
) -> FloatArray:
    p_star = expit(_outer_z(theta, a, b))
    p = c + (1.0 - c) * p_star
    # Lord (1980, eq. 5-6): I = a^2 (1 - P) / P * ((P - c) / (1 - c))^2, written as
    # a^2 (1 - c) P*(1 - P*) (P*/P) so that it stays finite when P* underflows.
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(p > 0, p_star / p, 1.0)
    info: FloatArray = a**2 * (1.0 - c) * p_star * (1.0 - p_star) * ratio
    return info


def irt_prob(
    theta: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None = None,
) -> FloatArray:
    """Return the probability of a correct response under the 3PL model.

    Parameters
    ----------
    theta : array_like
        Abilities, any shape ``S``.
    a, b : array_like
        Discrimination (``> 0``) and difficulty, broadcasting to item shape ``J``.
    c : array_like, optional
        Pseudo-guessing in ``[0, 1)``; ``None`` (default) means 0, i.e. the 2PL.

    Returns
    -------
    ndarray
        ``P(theta)`` of shape ``S + J`` with values in ``[c, 1]``.

    Notes
    -----
    :math:`P = c + (1 - c) / (1 + \\exp(-a(\\theta - b)))`, logistic metric
    (``D = 1``); see the module docstring and [1]_.

    References
    ----------
    .. [1] Lord, F. M. (1980). *Applications of item response theory to practical
       testing problems*, eq. 2-1.

    Examples
    --------
    >>> from hocvuso.psychometrics import irt_prob
    >>> irt_prob(0.0, a=1.0, b=0.0)
    array(0.5)
    >>> irt_prob([-1.0, 1.0], a=[1.0, 2.0], b=[0.0, 0.0], c=[0.2, 0.0]).round(3)
    array([[0.415, 0.119],
           [0.785, 0.881]])
    """
    th, a_arr, b_arr, c_arr = _iv(theta, a, b, c)
    return np.asarray(_prob(th, a_arr, b_arr, c_arr))


def item_information(
    theta: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None = None,
) -> FloatArray:
    """Return the Fisher information of each item at each ability.

    Parameters
    ----------
    theta : array_like
        Abilities, shape ``S``.
    a, b, c : array_like
        Item parameters broadcasting to shape ``J`` (``c`` defaults to 0).

    Returns
    -------
    ndarray
        Non-negative information of shape ``S + J``.

    Notes
    -----
    .. math:: I_j(\\theta) = a_j^2 \\frac{1 - P_j}{P_j}
              \\left(\\frac{P_j - c_j}{1 - c_j}\\right)^2

    (Lord, 1980, eq. 5-6), which reduces to :math:`a^2 P (1 - P)` for the 2PL.

    Examples
    --------
    >>> from hocvuso.psychometrics import item_information
    >>> float(item_information(0.0, a=2.0, b=0.0))
    1.0
    """
    th, a_arr, b_arr, c_arr = _iv(theta, a, b, c)
    return np.asarray(_information(th, a_arr, b_arr, c_arr))


def test_information(
    theta: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None = None,
) -> FloatArray:
    """Return the test information, the sum of item informations.

    Parameters
    ----------
    theta : array_like
        Abilities, shape ``S``.
    a, b, c : array_like
        Parameters of the items in the test, broadcasting to shape ``J``.

    Returns
    -------
    ndarray
        Test information of shape ``S``.

    Examples
    --------
    >>> from hocvuso.psychometrics import test_information
    >>> float(test_information(0.0, a=[2.0, 2.0], b=[0.0, 0.0]))
    2.0
    """
    th, a_arr, b_arr, c_arr = _iv(theta, a, b, c)
    info = _information(th, a_arr, b_arr, c_arr)
    axes = tuple(range(th.ndim, info.ndim))
    total: FloatArray = np.asarray(np.sum(info, axis=axes))
    return total


# pytest would otherwise collect ``test_information`` as a test function.
test_information.__test__ = False  # type: ignore[attr-defined]


def standard_error(
    theta: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None = None,
) -> FloatArray:
    """Return the asymptotic standard error ``1 / sqrt(test information)``.

    This is the standard error of the maximum-likelihood ability estimate; it is
    ``inf`` where the test carries no information.

    Examples
    --------
    >>> from hocvuso.psychometrics import standard_error
    >>> float(standard_error(0.0, a=[2.0] * 4, b=[0.0] * 4))
    0.5
    """
    info = test_information(theta, a, b, c)
    with np.errstate(divide="ignore"):
        se: FloatArray = np.asarray(1.0 / np.sqrt(info))
    return se
