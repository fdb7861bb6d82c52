"""Item calibration by marginal maximum likelihood with the EM algorithm.

The E-step follows Bock & Aitkin (1981): the latent ability is integrated on a
rectangular grid of ``n_quad`` nodes, giving for every item ``j`` and node ``q``
the expected number of examinees ``n_jq`` and of correct answers ``r_jq``.  The
M-step maximises, item by item, the expected complete-data log likelihood plus
log priors (Bayes modal estimation, Mislevy 1986):

* 2PL: Fisher scoring on ``(log a, d)`` with ``logit P = a * theta + d`` and
  ``b = -d / a``; a normal prior on ``log a`` (default ``N(0, 0.5**2)``, the
  BILOG-MG default) keeps slopes finite for items with few or extreme answers.
* 1PL: one slope shared by all free items plus one intercept per item.
* 3PL: the pseudo-guessing parameter is treated as a latent-class mixture — a
  correct answer came either from knowing (probability ``P*``) or from guessing
  (probability ``c``) — so that ``c`` has a closed-form update under a
  ``Beta(alpha, beta)`` prior (default ``Beta(5, 17)``) and ``(a, d)`` are fitted
  to the expected "knew it" counts (an ECM step; von Davier, 2009).

Incomplete designs (linked booklets, CAT data) need no imputation: each person
contributes only the items they answered.  Persons sharing a set of administered
items are processed together with dense BLAS products; the remaining persons
(typical of CAT data, where every pattern is unique) go through sparse products.

Anchor items keep fixed parameters.  With anchors the mean and standard deviation
of the (normal) ability distribution are estimated from the posterior moments at
each cycle, so the new items land on the anchors' scale (fixed-parameter
calibration with multiple prior-weight updates; Kim, 2006).  Without anchors the
scale is fixed by ``theta ~ N(0, 1)``.

References
----------
.. [1] Bock, R. D., & Aitkin, M. (1981). Marginal maximum likelihood estimation of
   item parameters: Application of an EM algorithm. *Psychometrika, 46*, 443-459.
.. [2] Mislevy, R. J. (1986). Bayes modal estimation in item response models.
   *Psychometrika, 51*, 177-195.
.. [3] von Davier, M. (2009). Is there need for the 3PL model? Guess what?
   *Measurement: Interdisciplinary Research and Perspectives, 7*, 110-114.
.. [4] Kim, S. (2006). A comparative study of IRT fixed parameter calibration
   methods. *Journal of Educational Measurement, 43*, 355-381.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypedDict

import numpy as np
import numpy.typing as npt
from scipy.special import expit, logit

from hocvuso.psychometrics._em import (
    _build_blocks,
    _e_step,
    _fit_1pl_items,
    _fit_2pl_items,
    _log_prior,
)
from hocvuso.psychometrics._util import (
    BoolArray,
    FloatArray,
    IntArray,
    as_float_array,
    iv_items,
    iv_quadrature,
)
from hocvuso.psychometrics.ability import quadrature_grid

__all__ = [
    "CalibrationReport",
    "CalibrationResult",
    "ItemReport",
    "LongResponses",
    "calibrate",
]

Model = Literal["1pl", "2pl", "3pl"]
MODELS: tuple[Model, ...] = ("1pl", "2pl", "3pl")


#: Item flag thresholds (see :attr:`CalibrationResult.flags`).
FLAG_MIN_RESPONSES = 100
FLAG_LOW_A = 0.3
FLAG_HIGH_A = 4.0
FLAG_EXTREME_B = 4.0
FLAG_HIGH_C = 0.35


@dataclass(frozen=True, eq=False)
class LongResponses:
    """Responses in long form: one entry per (person, item) administered.

    Attributes
    ----------
    person, item : ndarray of intp
        0-based person and item indices, equal length.
    response : ndarray of int8
        ``0`` or ``1``.
    n_persons, n_items : int
        Size of the design (persons or items without entries are allowed).
    """

    person: IntArray
    item: IntArray
    response: npt.NDArray[np.int8]
    n_persons: int
    n_items: int

    def __post_init__(self) -> None:
        if not (self.person.shape == self.item.shape == self.response.shape):
            raise ValueError("person, item and response must have the same length")
        if self.person.ndim != 1:
            raise ValueError("person, item and response must be one-dimensional")
        if self.person.size:
            if self.person.min() < 0 or self.person.max() >= self.n_persons:
                raise ValueError("person index out of range")
            if self.item.min() < 0 or self.item.max() >= self.n_items:
                raise ValueError("item index out of range")
        if np.any((self.response != 0) & (self.response != 1)):
            raise ValueError("responses must be 0 or 1")
        key = self.person.astype(np.int64) * self.n_items + self.item
        if not np.all(key[1:] > key[:-1]):
            key = np.sort(key)
            if np.any(key[1:] == key[:-1]):
                raise ValueError("a (person, item) pair occurs more than once")

    @classmethod
    def from_matrix(
        cls, matrix: npt.ArrayLike, mask: npt.ArrayLike | None = None
    ) -> LongResponses:
        """Build from a persons x items matrix.

        Parameters
        ----------
        matrix : array_like
            ``0``/``1`` responses; ``NaN`` marks items not administered.
        mask : array_like of bool, optional
            ``True`` where a response was administered; when given, entries
            outside the mask are ignored whatever their value.
        """
        resp = as_float_array(matrix, "responses")
        if resp.ndim != 2:
            raise ValueError("responses must be a persons x items matrix")
        observed = ~np.isnan(resp)
        if mask is not None:
            mask_arr = np.asarray(mask, dtype=bool)
            if mask_arr.shape != resp.shape:
                raise ValueError("mask must have the shape of responses")
            if np.any(np.isnan(resp[mask_arr])):
                raise ValueError("responses are NaN where mask is True")
            observed = mask_arr
        person, item = np.nonzero(observed)
        values = resp[person, item]
        if np.any((values != 0) & (values != 1)):
            raise ValueError("responses must be 0, 1 or NaN (not administered)")
        return cls(
            person=person.astype(np.intp),
            item=item.astype(np.intp),
            response=values.astype(np.int8),
            n_persons=int(resp.shape[0]),
            n_items=int(resp.shape[1]),
        )


class ItemReport(TypedDict):
    """One item of :meth:`CalibrationResult.report`."""

    item_id: str
    a: float
    b: float
    c: float
    anchor: bool
    n_responses: int
    p_value: float | None
    flags: list[str]


class CalibrationReport(TypedDict):
    """JSON fit and convergence report written by ``hocvuso irt calibrate``."""

    model: str
    metric: str
    converged: bool
    iterations: int
    max_change: float
    log_likelihood: float
    log_posterior: float
    n_parameters: int
    aic: float
    bic: float
    n_persons: int
    n_items: int
    n_responses: int
    population_mean: float
    population_sd: float
    flagged_items: int
    items: list[ItemReport]


@dataclass(frozen=True, eq=False)
class CalibrationResult:
    """Item parameters and convergence report of :func:`calibrate`.

    Attributes
    ----------
    model : {"1pl", "2pl", "3pl"}
        Model fitted (logistic metric, ``D = 1``).
    a, b, c : ndarray
        Item parameters; ``c`` is zero for the 1PL and 2PL.
    anchored : ndarray of bool
        Items whose parameters were held fixed.
    converged : bool
        Whether the largest parameter change fell below ``tol``.
    n_iterations : int
        EM cycles run.
    max_change : float
        Largest absolute change of ``a``, ``b``, ``c`` (or of the population mean
        and SD) in the last cycle.
    log_likelihood : float
        Marginal log likelihood at the returned parameters.
    log_posterior : float
        ``log_likelihood`` plus the log prior densities of the free parameters.
    n_parameters : int
        Number of free parameters (population mean and SD included when
        estimated).
    aic, bic : float
        Information criteria from ``log_likelihood``.
    population_mean, population_sd : float
        Ability distribution (0 and 1 unless estimated because of anchors).
    n_responses : ndarray of intp
        Responses per item.
    p_value : ndarray
        Proportion correct per item among those who answered it.
    flags : tuple of tuple of str
        Per item: ``"few_responses"`` (< 100), ``"all_correct"``,
        ``"all_incorrect"``, ``"low_discrimination"`` (a < 0.3),
        ``"high_discrimination"`` (a > 4), ``"extreme_difficulty"`` (|b| > 4),
        ``"high_guessing"`` (c > 0.35).
    person_theta, person_se : ndarray
        EAP ability and posterior SD of each person at the final parameters
        (``NaN`` for persons without responses).
    log_likelihood_history : tuple of float
        Marginal log likelihood at each E-step.
    """

    model: Model
    a: FloatArray
    b: FloatArray
    c: FloatArray
    anchored: BoolArray
    converged: bool
    n_iterations: int
    max_change: float
    log_likelihood: float
    log_posterior: float
    n_parameters: int
    aic: float
    bic: float
    population_mean: float
    population_sd: float
    n_responses: IntArray
    p_value: FloatArray
    flags: tuple[tuple[str, ...], ...]
    person_theta: FloatArray
    person_se: FloatArray
    log_likelihood_history: tuple[float, ...] = field(default=())

    def report(self, item_ids: list[str] | None = None) -> CalibrationReport:
        """Return a JSON-serialisable fit and convergence report.

        Parameters
        ----------
        item_ids : list of str, optional
            Names of the items; defaults to ``"0"``, ``"1"``, ...
        """
        ids = item_ids if item_ids is not None else [str(i) for i in range(self.a.size)]
        if len(ids) != self.a.size:
            raise ValueError("item_ids must name every item")
        items: list[ItemReport] = [
            {
                "item_id": ids[j],
                "a": float(self.a[j]),
                "b": float(self.b[j]),
                "c": float(self.c[j]),
                "anchor": bool(self.anchored[j]),
                "n_responses": int(self.n_responses[j]),
                "p_value": _none_if_nan(float(self.p_value[j])),
                "flags": list(self.flags[j]),
            }
            for j in range(self.a.size)
        ]
        return {
            "model": self.model,
            "metric": "logistic (D = 1)",
            "converged": self.converged,
            "iterations": self.n_iterations,
            "max_change": self.max_change,
            "log_likelihood": self.log_likelihood,
            "log_posterior": self.log_posterior,
            "n_parameters": self.n_parameters,
            "aic": self.aic,
            "bic": self.bic,
            "n_persons": int(np.sum(~np.isnan(self.person_theta))),
            "n_items": int(self.a.size),
            "n_responses": int(self.n_responses.sum()),
            "population_mean": self.population_mean,
            "population_sd": self.population_sd,
            "flagged_items": sum(1 for f in self.flags if f),
            "items": items,
        }


def _none_if_nan(x: float) -> float | None:
    return None if math.isnan(x) else x


def _iv(
    responses: npt.ArrayLike | LongResponses,
    model: str,
    mask: npt.ArrayLike | None,
    anchors: Mapping[int, tuple[float, float, float]] | None,
    a_prior: tuple[float, float] | None,
    c_prior: tuple[float, float],
    n_quad: int,
    bounds: tuple[float, float],
    max_iter: int,
    tol: float,
) -> tuple[LongResponses, dict[int, tuple[float, float, float]]]:
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    if isinstance(responses, LongResponses):
        if mask is not None:
            raise ValueError("mask is only used with a response matrix")
        data = responses
    else:
        data = LongResponses.from_matrix(responses, mask)
    if data.response.size == 0:
        raise ValueError("there are no responses to calibrate")
    iv_quadrature(n_quad, bounds)
    if a_prior is not None and not (math.isfinite(a_prior[0]) and a_prior[1] > 0):
        raise ValueError("a_prior must be (mean, sd) of log(a) with sd > 0")
    if not (c_prior[0] >= 1 and c_prior[1] >= 1):
        raise ValueError("c_prior must be Beta(alpha, beta) with alpha, beta >= 1")
    if max_iter < 1:
        raise ValueError("max_iter must be at least 1")
    if not tol > 0:
        raise ValueError("tol must be positive")
    fixed: dict[int, tuple[float, float, float]] = {}
    for j, params in (anchors or {}).items():
        if not 0 <= j < data.n_items:
            raise ValueError(f"anchor item index {j} out of range")
        a_j, b_j, c_j = (float(x) for x in iv_items(*params))
        if model != "3pl" and c_j != 0:
            raise ValueError(f"anchor item {j} has c != 0 but the model is {model}")
        fixed[int(j)] = (a_j, b_j, c_j)
    n_per_item = np.bincount(data.item, minlength=data.n_items)
    empty = [j for j in np.flatnonzero(n_per_item == 0) if int(j) not in fixed]
    if empty:
        shown = [int(j) for j in empty[:10]]
        raise ValueError(f"items without any response cannot be calibrated: {shown}")
    return data, fixed


def calibrate(
    responses: npt.ArrayLike | LongResponses,
    model: Model = "2pl",
    *,
    mask: npt.ArrayLike | None = None,
    anchors: Mapping[int, tuple[float, float, float]] | None = None,
    a_prior: tuple[float, float] | None = (0.0, 0.5),
    c_prior: tuple[float, float] = (5.0, 17.0),
    estimate_population: bool | None = None,
    n_quad: int = 41,
    bounds: tuple[float, float] = (-6.0, 6.0),
    max_iter: int = 500,
    tol: float = 1e-4,
) -> CalibrationResult:
    """Calibrate dichotomous items by marginal maximum likelihood (EM).

    Parameters
    ----------
    responses : array_like or LongResponses
        A persons x items matrix of ``0``/``1`` with ``NaN`` for items not
        administered, or a :class:`LongResponses`.
    model : {"1pl", "2pl", "3pl"}
        Logistic model (``D = 1``).  The 1PL shares one estimated slope.
    mask : array_like of bool, optional
        ``True`` where a response was administered (matrix input only).
    anchors : mapping of int to (a, b, c), optional
        Column index -> fixed parameters of anchor items.
    a_prior : (mean, sd) or None
        Normal prior on ``log(a)``; ``None`` gives plain maximum likelihood.
    c_prior : (alpha, beta)
        Beta prior on ``c`` (3PL only).
    estimate_population : bool, optional
        Estimate the mean and SD of the ability distribution.  Defaults to
        ``True`` when anchors are given (otherwise the scale is unidentified and
        ``N(0, 1)`` is used).
    n_quad : int
        Number of quadrature nodes (default 41).
    bounds : tuple of float
        Quadrature range, also the admissible range of ``b`` (default ±6).
    max_iter : int
        Maximum number of EM cycles.
    tol : float
        Convergence criterion on the largest absolute change of any ``a``,
        ``b``, ``c`` (and population mean/SD) between cycles.

    Returns
    -------
    CalibrationResult
        Parameters, convergence report and per-item flags.

    Notes
    -----
    The algorithm is deterministic, so no random generator is taken.  See the
    module docstring for the E- and M-steps and the references.

    Examples
    --------
    >>> import numpy as np
    >>> from hocvuso.psychometrics import calibrate, irt_prob
    >>> rng = np.random.default_rng(1)
    >>> a, b = rng.lognormal(0, 0.25, 10), rng.normal(0, 1, 10)
    >>> x = (rng.random((2000, 10)) < irt_prob(rng.normal(size=2000), a, b)) * 1.0
    >>> fit = calibrate(x, "2pl")
    >>> fit.converged, bool(np.sqrt(np.mean((fit.b - b) ** 2)) < 0.15)
    (True, True)
    """
    data, fixed = _iv(
        responses, model, mask, anchors, a_prior, c_prior, n_quad, bounds, max_iter, tol
    )
    if estimate_population is None:
        estimate_population = bool(fixed)
    n_items = data.n_items
    anchored = np.zeros(n_items, dtype=bool)
    anchored[list(fixed)] = True
    free = ~anchored

    n_resp = np.bincount(data.item, minlength=n_items).astype(np.intp)
    n_right = np.bincount(data.item, weights=data.response, minlength=n_items)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_value = n_right / n_resp

    # Starting values: a = 1, intercepts from the proportion correct corrected for
    # the spread of abilities (logistic-normal approximation), c at its prior mean.
    a = np.ones(n_items)
    c = np.zeros(n_items)
    if model == "3pl":
        c[:] = c_prior[0] / (c_prior[0] + c_prior[1])
    p_adj = (n_right + 0.5) / (n_resp + 1.0)
    p_star = np.clip((p_adj - c) / (1.0 - c), 0.02, 0.98)
    d = logit(p_star) * math.sqrt(1.0 + math.pi / 8.0)
    for j, (a_j, b_j, c_j) in fixed.items():
        a[j], c[j], d[j] = a_j, c_j, -a_j * b_j
    b = -d / a
    log_a = np.log(a)
    shared_log_a = 0.0

    blocks = _build_blocks(data, n_quad)
    mu, sigma = 0.0, 1.0
    history: list[float] = []
    converged = False
    max_change = math.inf
    iteration = 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 - used after the loop
        nodes, log_w = quadrature_grid(n_quad, bounds, mu, sigma)
        est = _e_step(blocks, nodes, log_w, a, b, c, n_items)
        history.append(est.log_likelihood)
        old = np.concatenate((a[free], b[free], c[free], [mu, sigma]))
        r, n = est.r[free], est.n[free]
        if model == "3pl":
            # Latent-class ECM step: expected "knew it" counts, closed-form c.
            p_s = expit(a[free, None] * nodes + d[free, None])
            p_full = c[free, None] + (1.0 - c[free, None]) * p_s
            knew = r * p_s / p_full
            alpha, beta = c_prior
            c[free] = (np.sum(r - knew, axis=1) + alpha - 1.0) / (
                np.sum(n - knew, axis=1) + alpha + beta - 2.0
            )
            r = knew
        if model == "1pl":
            shared_log_a, d_free = _fit_1pl_items(
                r, n, nodes, shared_log_a, d[free], a_prior
            )
            log_a[free] = shared_log_a
        else:
            log_a[free], d_free = _fit_2pl_items(
                r, n, nodes, log_a[free], d[free], a_prior
            )
        a[free] = np.exp(log_a[free])
        b[free] = np.clip(-d_free / a[free], bounds[0], bounds[1])
        d[free] = -a[free] * b[free]
        if estimate_population:
            total = est.node_mass.sum()
            mu = float(est.node_mass @ nodes / total)
            sigma = float(
                math.sqrt(max(est.node_mass @ (nodes - mu) ** 2 / total, 1e-4))
            )
        new = np.concatenate((a[free], b[free], c[free], [mu, sigma]))
        max_change = float(np.max(np.abs(new - old)))
        if max_change < tol:
            converged = True
            break

    nodes, log_w = quadrature_grid(n_quad, bounds, mu, sigma)
    person_theta = np.full(data.n_persons, np.nan)
    person_se = np.full(data.n_persons, np.nan)
    final = _e_step(
        blocks, nodes, log_w, a, b, c, n_items, person_out=(person_theta, person_se)
    )
    log_lik = final.log_likelihood
    log_prior = _log_prior(model, a, c, free, a_prior, c_prior, shared_log_a)
    n_free = int(free.sum())
    k = {"1pl": n_free + (1 if n_free else 0), "2pl": 2 * n_free, "3pl": 3 * n_free}[
        model
    ] + (2 if estimate_population else 0)
    n_persons_obs = int(np.sum(~np.isnan(person_theta)))
    flags = _item_flags(model, a, b, c, n_resp, p_value, anchored)
    return CalibrationResult(
        model=model,
        a=a,
        b=b,
        c=c,
        anchored=anchored,
        converged=converged,
        n_iterations=iteration,
        max_change=max_change,
        log_likelihood=log_lik,
        log_posterior=log_lik + log_prior,
        n_parameters=k,
        aic=-2.0 * log_lik + 2.0 * k,
        bic=-2.0 * log_lik + k * math.log(max(n_persons_obs, 1)),
        population_mean=mu,
        population_sd=sigma,
        n_responses=n_resp,
        p_value=p_value,
        flags=flags,
        person_theta=person_theta,
        person_se=person_se,
        log_likelihood_history=tuple(history),
    )


def _item_flags(
    model: Model,
    a: FloatArray,
    b: FloatArray,
    c: FloatArray,
    n_resp: IntArray,
    p_value: FloatArray,
    anchored: BoolArray,
) -> tuple[tuple[str, ...], ...]:
    out: list[tuple[str, ...]] = []
    for j in range(a.size):
        f: list[str] = []
        if n_resp[j] < FLAG_MIN_RESPONSES:
            f.append("few_responses")
        if n_resp[j] and p_value[j] == 1.0:
            f.append("all_correct")
        if n_resp[j] and p_value[j] == 0.0:
            f.append("all_incorrect")
        if not anchored[j]:
            if a[j] < FLAG_LOW_A:
                f.append("low_discrimination")
            if a[j] > FLAG_HIGH_A:
                f.append("high_discrimination")
            if abs(b[j]) > FLAG_EXTREME_B:
                f.append("extreme_difficulty")
            if model == "3pl" and c[j] > FLAG_HIGH_C:
                f.append("high_guessing")
        out.append(tuple(f))
    return tuple(out)
