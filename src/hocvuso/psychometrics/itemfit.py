"""Item fit, parameter standard errors and differential item functioning.

**Standard errors** (:func:`item_fit`).  At the final parameters the
posterior of every person over the quadrature nodes gives the expected counts
``n_jq`` (examinees of item ``j`` at node ``q``); the information of the
2PL parameters ``(a, d)`` with ``logit P = a θ + d`` is
``sum_q n_jq P (1 - P) [θ², θ; θ, 1]`` (Bock & Aitkin, 1981; the "empirical
Fisher" information BILOG reports), inverted for the covariance; ``b = -d/a``
by the delta method.  Anchors (fixed items) have no standard error.

**S-X²** (Orlando & Thissen, 2000).  Persons are grouped by their number of
correct answers on the *other* items they answered; within a group the
observed proportion correct on item ``j`` is compared with the model's
expectation ``E[P_j | S = s] = ∫ P_j(θ) f(s | θ) φ(θ) dθ / ∫ f(s | θ) φ(θ) dθ``,
with ``f(s | θ)`` from the Lord-Wingersky recursion.  Adaptive and field-test
data are incomplete (persons answered different items), so the expectation is
computed per person on *that person's* other items and summed within a
group; for complete data this is exactly Orlando & Thissen's statistic.
Adjacent groups are merged until the expected counts of right and wrong are
both at least ``min_expected`` (5); ``S-X² = sum_g N_g (O_g - E_g)² /
(E_g (1 - E_g))`` with ``G - 2`` degrees of freedom (two item parameters) and
the chi-square p-value.

**Mantel-Haenszel DIF** (:func:`mantel_haenszel`; Holland & Thayer, 1988).
Reference and focal group are matched on strata of a matching variable (for
adaptive tests the ability estimate, as in Zwick, Thayer & Wingersky, 1994);
``α_MH = Σ_k A_k D_k / N_k / Σ_k B_k C_k / N_k``, ``Δ_MH = -2.35 ln α_MH``
(negative: the item is harder for the focal group), its standard error from
Robins, Breslow & Greenland (1986), and the ETS classes: **A** if
``|Δ| < 1`` or ``Δ`` is not significantly different from 0 (5 %); **C** if
``|Δ| >= 1.5`` and ``|Δ|`` is significantly above 1; **B** otherwise
(Zieky, 1993).

References
----------
.. [1] Orlando, M., & Thissen, D. (2000). Likelihood-based item-fit indices for
   dichotomous item response theory models. *Applied Psychological
   Measurement, 24*, 50-64.
.. [2] Lord, F. M., & Wingersky, M. S. (1984). Comparison of IRT true-score and
   equipercentile observed-score "equatings". *APM, 8*, 453-461.
.. [3] Holland, P. W., & Thayer, D. T. (1988). Differential item performance
   and the Mantel-Haenszel procedure. In H. Wainer & H. Braun (Eds.), *Test
   validity* (pp. 129-145).
.. [4] Robins, J., Breslow, N., & Greenland, S. (1986). Estimators of the
   Mantel-Haenszel variance consistent in both sparse data and large-strata
   limiting models. *Biometrics, 42*, 311-323.
.. [5] Zieky, M. (1993). Practical questions in the use of DIF statistics in
   test development. In P. W. Holland & H. Wainer (Eds.), *Differential item
   functioning* (pp. 337-347).
.. [6] Zwick, R., Thayer, D. T., & Wingersky, M. (1994). A simulation study of
   methods for assessing differential item functioning in computerized
   adaptive tests. *APM, 18*, 121-140.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.stats import chi2

from hocvuso.psychometrics._util import FloatArray, as_float_array, iv_items
from hocvuso.psychometrics.ability import quadrature_grid
from hocvuso.psychometrics.models import _prob

__all__ = ["DifResult", "ItemFit", "item_fit", "mantel_haenszel"]


@dataclass(frozen=True)
class ItemFit:
    """Standard errors and S-X² fit of one item (see the module docstring).

    ``None`` where a value cannot be computed (an anchor's SEs; fewer than 3
    score groups for S-X²).
    """

    se_a: float | None
    se_b: float | None
    sx2: float | None
    df: int | None
    p_value: float | None
    n: int


def _lw(p: FloatArray) -> FloatArray:
    """Return ``f(s | θ)`` (rows s = 0..L) for items with P of shape (L, Q)."""
    n_items, n_q = p.shape
    f = np.zeros((n_items + 1, n_q))
    f[0] = 1.0
    for k in range(n_items):
        pk = p[k]
        nxt = f[: k + 2] * (1.0 - pk)
        nxt[1:] += f[: k + 1] * pk
        f[: k + 2] = nxt
    return f


def item_fit(
    responses: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike | None = None,
    *,
    items: Sequence[int] | None = None,
    anchored: Sequence[bool] | None = None,
    population: tuple[float, float] = (0.0, 1.0),
    n_quad: int = 41,
    bounds: tuple[float, float] = (-6.0, 6.0),
    min_expected: float = 5.0,
) -> list[ItemFit]:
    """Return standard errors and S-X² for ``items`` (default: all columns).

    Parameters
    ----------
    responses : array_like
        Persons x items, ``1``/``0``/``NaN`` (not administered).
    a, b, c : array_like
        Final item parameters (``c`` is held fixed: SEs are those of a and b).
    items : sequence of int, optional
        Columns to report.
    anchored : sequence of bool, optional
        Items whose parameters were fixed (no standard errors).
    population : (mean, sd)
        Normal ability distribution of the calibration.
    """
    resp = as_float_array(responses, "responses")
    if resp.ndim != 2:
        raise ValueError("responses must be a persons x items matrix")
    a_arr, b_arr, c_arr = iv_items(a, b, c)
    n_items = resp.shape[1]
    if a_arr.shape != (n_items,):
        raise ValueError("a, b and c need one value per column of responses")
    fixed = np.zeros(n_items, bool) if anchored is None else np.asarray(anchored)
    cols = list(range(n_items)) if items is None else [int(j) for j in items]
    nodes, log_w = quadrature_grid(n_quad, bounds, population[0], population[1])
    prior = np.exp(log_w - log_w.max())
    prior /= prior.sum()
    p = _prob(nodes, a_arr, b_arr, c_arr).T  # (J, Q)
    given = ~np.isnan(resp)
    y = np.where(given, resp, 0.0)
    log_p, log_q = np.log(np.clip(p, 1e-300, 1)), np.log(np.clip(1 - p, 1e-300, 1))
    log_post = y @ log_p + (given & (y == 0)) @ log_q + np.log(prior)
    post = np.exp(log_post - log_post.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    out: list[ItemFit] = []
    for j in cols:
        who = np.flatnonzero(given[:, j])
        se_a = se_b = None
        if not fixed[j] and who.size:
            n_q = post[who].sum(axis=0)
            ps = (p[j] - c_arr[j]) / (1.0 - c_arr[j])
            w = n_q * (1.0 - c_arr[j]) ** 2 * ps * (1 - ps) * ps * (1 - ps)
            w = w / np.clip(p[j] * (1 - p[j]), 1e-300, None)
            info = np.array(
                [
                    [np.sum(w * nodes**2), np.sum(w * nodes)],
                    [np.sum(w * nodes), np.sum(w)],
                ]
            )
            try:
                cov = np.linalg.inv(info)
            except np.linalg.LinAlgError:
                cov = None
            if cov is not None and np.all(np.isfinite(cov)) and cov[0, 0] > 0:
                aj = a_arr[j]
                d = -aj * b_arr[j]
                grad = np.array([d / aj**2, -1.0 / aj])
                se_a = math.sqrt(cov[0, 0])
                se_b = math.sqrt(max(float(grad @ cov @ grad), 0.0))
        out.append(_sx2(j, who, given, y, p, prior, min_expected, se_a, se_b))
    return out


def _sx2(
    j: int,
    who: npt.NDArray[np.intp],
    given: npt.NDArray[np.bool_],
    y: FloatArray,
    p: FloatArray,
    prior: FloatArray,
    min_expected: float,
    se_a: float | None,
    se_b: float | None,
) -> ItemFit:
    scores: list[int] = []
    expected: list[float] = []
    observed: list[float] = []
    for person in who.tolist():
        others = np.flatnonzero(given[person])
        others = others[others != j]
        s = int(y[person, others].sum())
        f = _lw(p[others])[s]
        den = float(np.sum(f * prior))
        if den <= 0:
            continue
        scores.append(s)
        expected.append(float(np.sum(p[j] * f * prior)) / den)
        observed.append(float(y[person, j]))
    n = len(scores)
    if n == 0:
        return ItemFit(se_a, se_b, None, None, None, 0)
    s_arr = np.asarray(scores)
    e_arr = np.asarray(expected)
    o_arr = np.asarray(observed)
    groups: list[tuple[int, float, float]] = []  # (N, sum O, sum E)
    for s in np.unique(s_arr):
        m = s_arr == s
        groups.append((int(m.sum()), float(o_arr[m].sum()), float(e_arr[m].sum())))

    def small(g: tuple[int, float, float]) -> bool:
        return g[2] < min_expected or g[0] - g[2] < min_expected

    merged: list[tuple[int, float, float]] = []
    for g in groups:  # low scores upwards
        if merged and small(merged[-1]):
            last = merged.pop()
            g = (last[0] + g[0], last[1] + g[1], last[2] + g[2])
        merged.append(g)
    while len(merged) > 1 and small(merged[-1]):
        last = merged.pop()
        prev = merged.pop()
        merged.append((last[0] + prev[0], last[1] + prev[1], last[2] + prev[2]))
    df = len(merged) - 2
    if df < 1:
        return ItemFit(se_a, se_b, None, None, None, n)
    stat = 0.0
    for size, o_sum, e_sum in merged:
        e = e_sum / size
        o = o_sum / size
        stat += size * (o - e) ** 2 / max(e * (1 - e), 1e-12)
    return ItemFit(se_a, se_b, stat, df, float(chi2.sf(stat, df)), n)


EtsClass = Literal["A", "B", "C"]


@dataclass(frozen=True)
class DifResult:
    """Mantel-Haenszel DIF of one item between a reference and a focal group.

    Attributes
    ----------
    alpha : float
        Common odds ratio (> 1: easier for the reference group).
    delta : float
        ``-2.35 ln alpha`` on the ETS delta scale (negative: harder for the
        focal group).
    se_delta : float
        Standard error of ``delta`` (Robins-Breslow-Greenland).
    ets : {"A", "B", "C"}
        ETS classification (negligible, moderate, large).
    n_reference, n_focal : int
        Answers in each group (in strata holding both groups).
    """

    alpha: float
    delta: float
    se_delta: float
    ets: EtsClass
    n_reference: int
    n_focal: int


def mantel_haenszel(
    correct: npt.ArrayLike,
    focal: npt.ArrayLike,
    strata: npt.ArrayLike,
    *,
    z: float = 1.96,
) -> DifResult | None:
    """Return the MH DIF statistics of one item, or ``None`` without data.

    Parameters
    ----------
    correct : array_like of {0, 1}
        Answers to the item.
    focal : array_like of bool
        ``True`` for the focal group, ``False`` for the reference group.
    strata : array_like of int
        Matching stratum of each answer.

    Examples
    --------
    >>> import numpy as np
    >>> from hocvuso.psychometrics.itemfit import mantel_haenszel
    >>> rng = np.random.default_rng(0)
    >>> strata = rng.integers(0, 5, 4000)
    >>> focal = rng.random(4000) < 0.5
    >>> p = 1 / (1 + np.exp(-(strata - 2 - 1.2 * focal)))
    >>> mantel_haenszel(rng.random(4000) < p, focal, strata).ets
    'C'
    """
    y = np.asarray(correct, dtype=float)
    f = np.asarray(focal, dtype=bool)
    k = np.asarray(strata)
    if not (y.shape == f.shape == k.shape) or y.ndim != 1:
        raise ValueError("correct, focal and strata must be vectors of one length")
    num = den = 0.0
    pr = ps_ = qs = 0.0  # RBG sums: P R, P S + Q R, Q S
    n_ref = n_foc = 0
    for s in np.unique(k):
        m = k == s
        ref, foc = m & ~f, m & f
        if not ref.any() or not foc.any():
            continue
        a_ = float(np.sum(y[ref]))  # reference right
        b_ = float(np.sum(1 - y[ref]))  # reference wrong
        c_ = float(np.sum(y[foc]))  # focal right
        d_ = float(np.sum(1 - y[foc]))  # focal wrong
        n = a_ + b_ + c_ + d_
        r, s_ = a_ * d_ / n, b_ * c_ / n
        pp, qq = (a_ + d_) / n, (b_ + c_) / n
        num += r
        den += s_
        pr += pp * r
        ps_ += pp * s_ + qq * r
        qs += qq * s_
        n_ref += int(ref.sum())
        n_foc += int(foc.sum())
    if num <= 0 or den <= 0:
        return None
    alpha = num / den
    var_ln = pr / (2 * num**2) + ps_ / (2 * num * den) + qs / (2 * den**2)
    delta = -2.35 * math.log(alpha)
    se = 2.35 * math.sqrt(var_ln)
    size = abs(delta)
    if size < 1.0 or size < z * se:
        ets: EtsClass = "A"
    elif size >= 1.5 and size - 1.0 > z * se:
        ets = "C"
    else:
        ets = "B"
    return DifResult(alpha, delta, se, ets, n_ref, n_foc)
