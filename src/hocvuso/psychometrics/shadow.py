"""Shadow-test assembly (van der Linden & Reese, 1998) for adaptive tests.

Before each item a *shadow test* is assembled: a full-length test that holds
every item already given, meets every content constraint and maximises the
information at the current ability estimate.  The item administered is the
most informative unused item of the shadow test, so whatever happens next the
test can always be completed feasibly.

The assembly is the 0-1 program

    maximise    sum_i v_i x_i
    subject to  sum_i x_i = L,
                lo_k <= sum_{i in area k} x_i <= hi_k   for every area k,
                x_i = 1 for items given, x_i = 0 for items not available,
                x_i in {0, 1},

solved with :func:`scipy.optimize.milp` (HiGHS).  With only these constraints
the constraint matrix is totally unimodular and the area totals have concave
value (prefix sums of sorted values), so a greedy pass — the ``lo_k`` best
items of every area, then the best remaining items under the maxima — reaches
the same optimum exactly; ``solver="auto"`` uses it and ``solver="milp"`` the
general solver (the two are checked against each other in the tests).  Item
eligibility constraints (van der Linden & Veldkamp, 2004) enter as
``x_i = 0`` for the items an examinee is not eligible for.

References
----------
.. [1] van der Linden, W. J., & Reese, L. M. (1998). A model for optimal
   constrained adaptive testing. *Applied Psychological Measurement, 22*,
   259-270.
.. [2] van der Linden, W. J., & Veldkamp, B. P. (2004). Constraining item
   exposure in computerized adaptive testing with shadow tests. *Journal of
   Educational and Behavioral Statistics, 29*, 273-291.
.. [3] van der Linden, W. J., & Veldkamp, B. P. (2007). Conditional item-exposure
   control in adaptive testing using item-ineligibility probabilities. *Journal
   of Educational and Behavioral Statistics, 32*, 398-418.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array, vstack

from hocvuso.psychometrics._util import BoolArray, FloatArray, IntArray

__all__ = ["ShadowSolver", "shadow_assemble"]

ShadowSolver = Literal["auto", "milp"]


def _greedy(
    value: FloatArray,
    area_idx: IntArray,
    lo: IntArray,
    hi: IntArray,
    length: int,
    given: BoolArray,
    available: BoolArray,
) -> BoolArray | None:
    n_areas = lo.size
    chosen = given.copy()
    count = np.bincount(area_idx[given], minlength=n_areas)
    if np.any(count > hi):
        return None
    free = available & ~given
    # Candidates of each area, best first (ties: bank order).
    order = np.lexsort((np.arange(value.size), -value))
    order = order[free[order]]
    by_area = [order[area_idx[order] == k] for k in range(n_areas)]
    taken = np.zeros(n_areas, dtype=np.intp)
    for k in range(n_areas):
        need = int(max(lo[k] - count[k], 0))
        if need > by_area[k].size:
            return None
        chosen[by_area[k][:need]] = True
        taken[k] = need
    remaining = length - int(np.count_nonzero(chosen))
    if remaining < 0:
        return None
    if remaining:
        room = hi - count - taken
        for idx in order.tolist():
            if chosen[idx]:
                continue
            k = area_idx[idx]
            if room[k] > 0:
                chosen[idx] = True
                room[k] -= 1
                remaining -= 1
                if remaining == 0:
                    break
        if remaining:
            return None
    return chosen


class _MilpModel:
    """The constraint matrix of one bank and blueprint, built once and reused."""

    def __init__(self, area_idx: IntArray, lo: IntArray, hi: IntArray) -> None:
        n = area_idx.size
        rows = csr_array((np.ones(n), (area_idx, np.arange(n))), shape=(lo.size, n))
        self.matrix = vstack([csr_array(np.ones((1, n))), rows]).tocsr()
        self.lo = lo.astype(np.float64)
        self.hi = np.where(hi >= np.iinfo(np.int64).max, np.inf, hi).astype(np.float64)


_MODELS: dict[tuple[bytes, bytes, bytes], _MilpModel] = {}


def _milp(
    value: FloatArray,
    area_idx: IntArray,
    lo: IntArray,
    hi: IntArray,
    length: int,
    given: BoolArray,
    available: BoolArray,
) -> BoolArray | None:
    # Dominance: no optimal shadow test holds a free item ranked below the
    # ``length - given`` best free items of its area, so only those (and the
    # items given) enter the program.
    free = available & ~given
    keep = given.copy()
    room = length - int(np.count_nonzero(given))
    for k in range(lo.size):
        idx = np.flatnonzero(free & (area_idx == k))
        if idx.size > room:
            idx = idx[np.argsort(-value[idx], kind="stable")[: max(room, 0)]]
        keep[idx] = True
    cols = np.flatnonzero(keep)
    sub_area = np.ascontiguousarray(area_idx[cols])
    key = (sub_area.tobytes(), lo.tobytes(), hi.tobytes())
    model = _MODELS.get(key)
    if model is None:
        if len(_MODELS) > 64:
            _MODELS.clear()
        model = _MODELS[key] = _MilpModel(sub_area, lo, hi)
    constraint = LinearConstraint(
        model.matrix,
        np.concatenate(([length], model.lo)),
        np.concatenate(([length], model.hi)),
    )
    res = milp(
        c=-value[cols],
        constraints=constraint,
        integrality=np.ones(cols.size, dtype=np.int64),
        bounds=Bounds(given[cols].astype(np.float64), np.ones(cols.size)),
        options={"presolve": False},
    )
    if res.x is None or not res.success:
        return None
    out = np.zeros(value.size, dtype=bool)
    out[cols[np.asarray(res.x) > 0.5]] = True
    return out


def shadow_assemble(
    value: FloatArray,
    area_idx: IntArray,
    lo: IntArray,
    hi: IntArray,
    length: int,
    given: BoolArray,
    available: BoolArray,
    solver: ShadowSolver = "auto",
) -> BoolArray | None:
    """Return the items of the optimal shadow test, or ``None`` if infeasible.

    Parameters
    ----------
    value : ndarray
        Objective weight of every item (information at the current estimate).
    area_idx : ndarray of intp
        Content area of every item (``0 .. n_areas - 1``).
    lo, hi : ndarray of int64
        Minimum and maximum items per area (``hi`` may be ``iinfo(int64).max``).
    length : int
        Shadow-test length (the maximum test length).
    given : ndarray of bool
        Items already administered (forced into the shadow test).
    available : ndarray of bool
        Items the examinee may still receive.
    solver : {"auto", "milp"}
        ``"auto"``: the exact greedy solution for count constraints;
        ``"milp"``: :func:`scipy.optimize.milp`.
    """
    if solver == "milp":
        return _milp(value, area_idx, lo, hi, length, given, available)
    return _greedy(value, area_idx, lo, hi, length, given, available)
