"""EM internals of :func:`hocvuso.psychometrics.calibration.calibrate`.

Pattern blocks and the E-step (Bock & Aitkin, 1981), the item-wise M-steps for
the 2PL/3PL and the 1PL, the quadrature grid and the log priors. The method and
its references are described in :mod:`hocvuso.psychometrics.calibration`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from hocvuso.psychometrics._util import (
    BoolArray,
    FloatArray,
    IntArray,
)
from hocvuso.psychometrics.models import _log_prob

if TYPE_CHECKING:
    from hocvuso.psychometrics.calibration import LongResponses, Model


#: Persons sharing one set of administered items are handled as a dense block
#: when at least this many share it; the rest go through sparse products.
DENSE_GROUP_MIN = 16


_LOG_A_RANGE = (math.log(0.01), math.log(50.0))


#: Upper bound on rows x items x nodes of one dense product in the E-step; it is
#: below OpenBLAS's multithreading threshold (4 x 65,536).
_BLAS_CHUNK = 200_000


@dataclass
class _Block:
    """Persons sharing one item set (dense) or the sparse remainder."""

    items: IntArray | None  # None for the sparse remainder
    persons: IntArray
    dense: FloatArray | None = None
    step: int = 1
    ones: sp.csr_array | None = None
    observed: sp.csr_array | None = None


def _build_blocks(data: LongResponses, n_quad: int) -> list[_Block]:
    order = np.lexsort((data.item, data.person))
    person = data.person[order]
    item = data.item[order]
    resp = data.response[order].astype(np.float64)
    counts = np.bincount(person, minlength=data.n_persons)
    indptr = np.concatenate(([0], np.cumsum(counts)))
    groups: dict[bytes, list[int]] = {}
    for p in np.flatnonzero(counts):
        key = item[indptr[p] : indptr[p + 1]].tobytes()
        groups.setdefault(key, []).append(int(p))
    blocks: list[_Block] = []
    rest: list[int] = []
    for members in groups.values():
        if len(members) < DENSE_GROUP_MIN:
            rest.extend(members)
            continue
        persons = np.asarray(members, dtype=np.intp)
        first = persons[0]
        items = item[indptr[first] : indptr[first + 1]].copy()
        rows = np.concatenate([np.arange(indptr[p], indptr[p + 1]) for p in persons])
        dense = resp[rows].reshape(persons.size, items.size)
        # Products are done in row chunks small enough to keep OpenBLAS
        # single-threaded: threads buy nothing at this size and cost 10-50x when
        # the cores are busy with other work.
        step = max(8, _BLAS_CHUNK // (items.size * n_quad))
        blocks.append(_Block(items=items, persons=persons, dense=dense, step=step))
    if rest:
        persons = np.sort(np.asarray(rest, dtype=np.intp))
        rows = np.concatenate([np.arange(indptr[p], indptr[p + 1]) for p in persons])
        local = np.repeat(np.arange(persons.size), counts[persons])
        shape = (persons.size, data.n_items)
        ones = sp.csr_array((resp[rows], (local, item[rows])), shape=shape)
        observed = sp.csr_array((np.ones(rows.size), (local, item[rows])), shape=shape)
        blocks.append(_Block(items=None, persons=persons, ones=ones, observed=observed))
    return blocks


@dataclass
class _EStep:
    r: FloatArray  # expected correct counts (J, Q)
    n: FloatArray  # expected examinee counts (J, Q)
    node_mass: FloatArray  # posterior mass per node summed over persons (Q,)
    log_likelihood: float


def _e_step(
    blocks: list[_Block],
    nodes: FloatArray,
    log_w: FloatArray,
    a: FloatArray,
    b: FloatArray,
    c: FloatArray,
    n_items: int,
    person_out: tuple[FloatArray, FloatArray] | None = None,
) -> _EStep:
    log_p, log_q = _log_prob(nodes, a, b, c)  # (Q, J)
    dlog = np.ascontiguousarray((log_p - log_q).T)  # (J, Q)
    log_q_t = np.ascontiguousarray(log_q.T)
    q = nodes.size
    r = np.zeros((n_items, q))
    n = np.zeros((n_items, q))
    mass = np.zeros(q)
    total = 0.0
    for block in blocks:
        dense = block.dense
        if block.items is not None and dense is not None:
            items = block.items
            d_items = dlog[items]
            ll = np.empty((dense.shape[0], q))
            for start in range(0, dense.shape[0], block.step):
                stop = start + block.step
                np.matmul(dense[start:stop], d_items, out=ll[start:stop])
            ll += log_q_t[items].sum(axis=0) + log_w
        else:
            assert block.ones is not None and block.observed is not None
            ll = block.observed @ log_q_t + block.ones @ dlog + log_w
        peak = ll.max(axis=1, keepdims=True)
        w = np.exp(ll - peak)
        s = w.sum(axis=1, keepdims=True)
        total += float(np.sum(peak) + np.sum(np.log(s)))
        w /= s
        col = w.sum(axis=0)
        mass += col
        if block.items is not None and dense is not None:
            r_items = np.zeros((block.items.size, q))
            for start in range(0, dense.shape[0], block.step):
                stop = start + block.step
                r_items += dense[start:stop].T @ w[start:stop]
            r[block.items] += r_items
            n[block.items] += col
        else:
            assert block.ones is not None and block.observed is not None
            r += block.ones.T @ w
            n += block.observed.T @ w
        if person_out is not None:
            mean = w @ nodes
            var = w @ nodes**2 - mean**2
            person_out[0][block.persons] = mean
            person_out[1][block.persons] = np.sqrt(np.maximum(var, 0.0))
    return _EStep(r=r, n=n, node_mass=mass, log_likelihood=total)


def _fit_2pl_items(
    r: FloatArray,
    n: FloatArray,
    nodes: FloatArray,
    log_a: FloatArray,
    d: FloatArray,
    a_prior: tuple[float, float] | None,
    n_steps: int = 3,
) -> tuple[FloatArray, FloatArray]:
    """Fisher scoring on ``(log a, d)`` for each row of the counts ``r``, ``n``."""
    for _ in range(n_steps):
        a = np.exp(log_a)
        p = expit(a[:, None] * nodes + d[:, None])
        e = r - n * p
        w = n * p * (1.0 - p)
        g_d = e.sum(axis=1)
        g_l = a * (e @ nodes)
        i_dd = w.sum(axis=1) + 1e-10
        i_ll = a**2 * (w @ nodes**2) + 1e-10
        i_ld = a * (w @ nodes)
        if a_prior is not None:
            mu, sd = a_prior
            g_l = g_l - (log_a - mu) / sd**2
            i_ll = i_ll + 1.0 / sd**2
        det = i_ll * i_dd - i_ld**2
        det = np.where(det > 1e-12, det, 1e-12)
        step_l = (i_dd * g_l - i_ld * g_d) / det
        step_d = (i_ll * g_d - i_ld * g_l) / det
        log_a = np.clip(log_a + np.clip(step_l, -0.5, 0.5), *_LOG_A_RANGE)
        d = d + np.clip(step_d, -2.0, 2.0)
        if (
            max(
                np.max(np.abs(step_l), initial=0.0), np.max(np.abs(step_d), initial=0.0)
            )
            < 1e-7
        ):
            break
    return log_a, d


def _fit_1pl_items(
    r: FloatArray,
    n: FloatArray,
    nodes: FloatArray,
    log_a: float,
    d: FloatArray,
    a_prior: tuple[float, float] | None,
    n_steps: int = 3,
) -> tuple[float, FloatArray]:
    """Fisher scoring for one shared slope and per-item intercepts."""
    for _ in range(n_steps):
        a = math.exp(log_a)
        p = expit(a * nodes + d[:, None])
        e = r - n * p
        w = n * p * (1.0 - p)
        step_d = e.sum(axis=1) / (w.sum(axis=1) + 1e-10)
        d = d + np.clip(step_d, -2.0, 2.0)
        p = expit(a * nodes + d[:, None])
        e = r - n * p
        w = n * p * (1.0 - p)
        g_l = a * float(np.sum(e * nodes))
        # Information for the shared slope after profiling out the intercepts:
        # I_ll - sum_j I_ld,j^2 / I_dd,j (Schur complement of the block Hessian).
        i_dd = w.sum(axis=1) + 1e-10
        i_ld = a * (w @ nodes)
        i_ll = a**2 * float(np.sum(w * nodes**2)) - float(np.sum(i_ld**2 / i_dd))
        i_ll = max(i_ll, 1e-10)
        if a_prior is not None:
            mu, sd = a_prior
            g_l -= (log_a - mu) / sd**2
            i_ll += 1.0 / sd**2
        step_l = float(np.clip(g_l / i_ll, -0.5, 0.5))
        log_a = float(np.clip(log_a + step_l, *_LOG_A_RANGE))
        if abs(step_l) < 1e-7 and np.max(np.abs(step_d), initial=0.0) < 1e-7:
            break
    return log_a, d


def _log_prior(
    model: Model,
    a: FloatArray,
    c: FloatArray,
    free: BoolArray,
    a_prior: tuple[float, float] | None,
    c_prior: tuple[float, float],
    shared_log_a: float,
) -> float:
    total = 0.0
    if a_prior is not None and free.any():
        mu, sd = a_prior
        log_a = np.array([shared_log_a]) if model == "1pl" else np.log(a[free])
        total += float(
            np.sum(
                -0.5 * ((log_a - mu) / sd) ** 2 - math.log(sd * math.sqrt(2 * math.pi))
            )
        )
    if model == "3pl" and free.any():
        alpha, beta = c_prior
        cf = c[free]
        log_beta = math.lgamma(alpha) + math.lgamma(beta) - math.lgamma(alpha + beta)
        total += float(
            np.sum((alpha - 1) * np.log(cf) + (beta - 1) * np.log1p(-cf) - log_beta)
        )
    return total
