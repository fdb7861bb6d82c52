"""CAT simulation and Sympson-Hetter exposure-parameter calibration.

:func:`simulate_cat` runs the real :class:`~hocvuso.psychometrics.cat.CatSession`
for simulees of known ability, drawing their answers from the 3PL model, and
summarises precision, test length, exposure and content-constraint compliance.
:func:`sympson_hetter_calibrate` sets the Sympson-Hetter ``k`` parameters by the
iterative simulation of Sympson & Hetter (1985): with ``P(S_i)`` the rate at which
item ``i`` is *selected* (offered to the exposure lottery) and ``r`` the target
maximum exposure rate, ``k_i = 1`` if ``P(S_i) <= r`` else ``r / P(S_i)``,
repeated until the rates settle.

References
----------
.. [1] Sympson, J. B., & Hetter, R. D. (1985). Controlling item-exposure rates in
   computerized adaptive testing. *Proceedings of the 27th annual meeting of the
   Military Testing Association*, 973-977.
.. [2] Hetter, R. D., & Sympson, J. B. (1997). Item exposure control in CAT-ASVAB.
   In W. A. Sands, B. K. Waters & J. R. McBride (Eds.), *Computerized adaptive
   testing: From inquiry to operation* (pp. 141-144). APA.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from hocvuso.psychometrics._util import FloatArray, IntArray, as_float_array
from hocvuso.psychometrics.cat import CatSession
from hocvuso.psychometrics.catbank import CatConfig, ItemBank

__all__ = [
    "SimulationReport",
    "eligibility_calibrate",
    "overlap_rate",
    "simulate_cat",
    "sympson_hetter_calibrate",
]


@dataclass(frozen=True, eq=False)
class SimulationReport:
    """Summary of :func:`simulate_cat`.

    Attributes
    ----------
    mean_items : float
        Mean test length.
    rmse, bias : float
        Root mean squared error and mean of ``theta_hat - theta``.
    max_exposure : float
        Largest item exposure rate (administrations / simulees).
    content_violations : int
        Simulees whose test broke a content minimum or maximum.
    reached_se : float or None
        Share of simulees whose final standard error is at or below
        ``se_target`` (``None`` without an SE target).
    classification_accuracy : float or None
        Share of simulees classified on the same side of ``cut`` as their true
        ability (``None`` without a cut).
    seconds : float
        Wall-clock time of the simulation.
    theta, theta_hat, se : ndarray
        True abilities, final estimates and standard errors.
    lengths : ndarray of intp
        Test length per simulee.
    exposure : ndarray
        Exposure rate of every bank item.
    selection_rate : ndarray
        Rate at which each item was selected (administered or set aside by
        Sympson-Hetter), ``P(S_i)``.
    stop_reasons : dict of str to int
        How many tests ended for each reason.
    tests : tuple of ndarray
        The items (bank positions) each simulee answered, in order.
    selection_ms : ndarray
        Wall time of every ``next_item`` call that chose an item, in ms.
    """

    mean_items: float
    rmse: float
    bias: float
    max_exposure: float
    content_violations: int
    reached_se: float | None
    classification_accuracy: float | None
    seconds: float
    theta: FloatArray
    theta_hat: FloatArray
    se: FloatArray
    lengths: IntArray
    exposure: FloatArray
    selection_rate: FloatArray
    stop_reasons: dict[str, int]
    tests: tuple[IntArray, ...] = ()
    selection_ms: FloatArray = field(default_factory=lambda: np.zeros(0))

    def summary(self) -> dict[str, float | int | None]:
        """Return the figures printed by ``hocvuso irt simulate --json``."""
        return {
            "mean_items": self.mean_items,
            "rmse": self.rmse,
            "bias": self.bias,
            "max_exposure": self.max_exposure,
            "content_violations": self.content_violations,
            "reached_se": self.reached_se,
            "classification_accuracy": self.classification_accuracy,
            "seconds": self.seconds,
        }


def _iv(bank: ItemBank, config: CatConfig, thetas: npt.ArrayLike) -> FloatArray:
    if not isinstance(bank, ItemBank):
        raise TypeError("bank must be an ItemBank")
    if not isinstance(config, CatConfig):
        raise TypeError("config must be a CatConfig")
    th = as_float_array(thetas, "thetas")
    if th.ndim != 1 or th.size == 0:
        raise ValueError("thetas must be a non-empty one-dimensional array")
    if not np.all(np.isfinite(th)):
        raise ValueError("thetas must be finite")
    return th


def simulate_cat(
    bank: ItemBank,
    config: CatConfig,
    thetas: npt.ArrayLike,
    rng: np.random.Generator | int | None = None,
) -> SimulationReport:
    """Simulate adaptive tests for simulees of known ability.

    Parameters
    ----------
    bank : ItemBank
        Items (with ``sh_k`` when ``config.exposure == "sympson_hetter"``).
    config : CatConfig
        Test blueprint.
    thetas : array_like
        True abilities, one per simulee.
    rng : numpy.random.Generator or int or None
        Source of randomness; each simulee gets two independent child streams
        (exposure control and answers) spawned from it.

    Returns
    -------
    SimulationReport

    Examples
    --------
    >>> import numpy as np
    >>> from hocvuso.psychometrics import CatConfig, ItemBank, simulate_cat
    >>> rng = np.random.default_rng(0)
    >>> ids = [f"i{j}" for j in range(100)]
    >>> a, b = rng.lognormal(0, 0.3, 100), rng.normal(size=100)
    >>> bank = ItemBank.from_arrays(ids, a, b)
    >>> rep = simulate_cat(bank, CatConfig(max_items=20), rng.normal(size=50), rng=1)
    >>> rep.mean_items <= 20
    True
    """
    th = _iv(bank, config, thetas)
    gen = np.random.default_rng(rng)
    start = time.perf_counter()
    n = th.size
    n_items = len(bank)
    theta_hat = np.empty(n)
    se = np.empty(n)
    lengths = np.empty(n, dtype=np.intp)
    administered = np.zeros(n_items, dtype=np.int64)
    selected = np.zeros(n_items, dtype=np.int64)
    violations = 0
    correct_side = 0
    reasons: Counter[str] = Counter()
    tests: list[IntArray] = []
    timings: list[float] = []
    clock = time.perf_counter
    a, b, c = bank.a, bank.b, bank.c
    bounds = {area: pair for area, pair in config.content.items()}
    for i, child in enumerate(gen.spawn(n)):
        session_rng, answer_rng = child.spawn(2)
        session = CatSession(bank, config, rng=session_rng)
        true = th[i]
        while True:
            t0 = clock()
            item_id = session.next_item()
            if item_id is None:
                break
            timings.append(clock() - t0)
            j = bank.index(item_id)
            p = c[j] + (1.0 - c[j]) / (1.0 + math.exp(-a[j] * (true - b[j])))
            session.record(item_id, int(answer_rng.random() < p))
        est = session.estimate
        theta_hat[i] = est.theta
        se[i] = est.se
        used = [bank.index(x) for x in session.administered]
        lengths[i] = len(used)
        tests.append(np.asarray(used, dtype=np.intp))
        administered[used] += 1
        selected[used] += 1
        rejected = [bank.index(x) for x in session.rejected]
        selected[rejected] += 1
        reasons[str(session.stop_reason)] += 1
        counts = session.area_counts
        if any(
            counts.get(area, 0) < lo or (hi is not None and counts.get(area, 0) > hi)
            for area, (lo, hi) in bounds.items()
        ):
            violations += 1
        if config.cut is not None and (est.theta >= config.cut) == (true >= config.cut):
            correct_side += 1
    seconds = time.perf_counter() - start
    err = theta_hat - th
    exposure = administered / n
    return SimulationReport(
        mean_items=float(lengths.mean()),
        rmse=float(np.sqrt(np.mean(err**2))),
        bias=float(np.mean(err)),
        max_exposure=float(exposure.max()),
        content_violations=violations,
        reached_se=(
            None
            if config.se_target is None
            else float(np.mean(se <= config.se_target + 1e-12))
        ),
        classification_accuracy=None if config.cut is None else correct_side / n,
        seconds=seconds,
        theta=th,
        theta_hat=theta_hat,
        se=se,
        lengths=lengths,
        exposure=exposure,
        selection_rate=selected / n,
        stop_reasons=dict(reasons),
        tests=tuple(tests),
        selection_ms=np.asarray(timings) * 1e3,
    )


def overlap_rate(
    tests: tuple[IntArray, ...],
    n_pairs: int = 5000,
    rng: np.random.Generator | int | None = None,
) -> float:
    """Return the mean share of items two random sittings have in common.

    For a pair of tests ``A``, ``B`` the overlap is ``|A ∩ B| / mean(|A|, |B|)``
    (Way, 1998; for fixed-length tests it is ``|A ∩ B| / L``); the mean is over
    ``n_pairs`` random pairs of distinct simulees.
    """
    if len(tests) < 2:
        raise ValueError("overlap needs at least two tests")
    gen = np.random.default_rng(rng)
    sets = [set(t.tolist()) for t in tests]
    total = 0.0
    for _ in range(n_pairs):
        i, j = gen.choice(len(sets), size=2, replace=False)
        size = (len(sets[i]) + len(sets[j])) / 2.0
        total += len(sets[i] & sets[j]) / size if size else 0.0
    return total / n_pairs


def eligibility_calibrate(
    bank: ItemBank,
    config: CatConfig,
    target_rate: float | None = None,
    n_simulees: int = 2000,
    iterations: int = 10,
    rng: np.random.Generator | int | None = None,
) -> FloatArray:
    """Return item-eligibility probabilities by iterative simulation.

    The update of van der Linden & Veldkamp (2004, eq. 11) is
    ``e_i <- min(1, r * e_i / P(A_i))`` with ``P(A_i)`` the exposure rate of
    item ``i`` in the last round (``e_i <- 1`` for an item never given), so an
    item given more often than ``r`` is made eligible for proportionally fewer
    examinees.  ``config.exposure`` is forced to ``"eligibility"``.

    Parameters and return value as :func:`sympson_hetter_calibrate`; pass the
    result to :meth:`ItemBank.with_eligibility`.
    """
    r = config.max_exposure if target_rate is None else float(target_rate)
    if not 0 < r <= 1:
        raise ValueError("target_rate must lie in (0, 1]")
    if n_simulees < 1 or iterations < 1:
        raise ValueError("n_simulees and iterations must be positive")
    gen = np.random.default_rng(rng)
    cfg = replace(config, exposure="eligibility")
    e = (
        np.ones(len(bank))
        if bank.eligibility is None
        else np.array(bank.eligibility, dtype=float)
    )
    for _ in range(iterations):
        thetas = gen.normal(cfg.prior_mean, cfg.prior_sd, n_simulees)
        report = simulate_cat(bank.with_eligibility(e), cfg, thetas, gen)
        rate = report.exposure
        e = np.where(rate > 0, np.minimum(1.0, r * e / np.maximum(rate, 1e-12)), 1.0)
    return e


def sympson_hetter_calibrate(
    bank: ItemBank,
    config: CatConfig,
    target_rate: float | None = None,
    n_simulees: int = 2000,
    iterations: int = 10,
    rng: np.random.Generator | int | None = None,
) -> FloatArray:
    """Return Sympson-Hetter exposure parameters ``k`` by iterative simulation.

    Parameters
    ----------
    bank : ItemBank
        Items; any ``sh_k`` already present is used as the starting point.
    config : CatConfig
        Blueprint of the operational test; its ``exposure`` is forced to
        ``"sympson_hetter"`` during the simulations.
    target_rate : float, optional
        Target maximum exposure rate ``r``; defaults to ``config.max_exposure``.
    n_simulees : int
        Simulees per iteration, drawn from ``N(prior_mean, prior_sd)``.
    iterations : int
        Number of adjustment rounds.
    rng : numpy.random.Generator or int or None
        Source of randomness.

    Returns
    -------
    ndarray
        ``k`` in ``[0, 1]`` for every item; pass it to
        :meth:`ItemBank.with_sh_k`.

    Notes
    -----
    After each simulation ``k_i <- 1`` if ``P(S_i) <= r`` else ``r / P(S_i)``,
    where ``P(S_i)`` is the selection rate (Sympson & Hetter, 1985).  The
    exposure rate of an item is ``P(S_i) k_i``, so at convergence no item exceeds
    ``r`` up to simulation noise.
    """
    r = config.max_exposure if target_rate is None else float(target_rate)
    if not 0 < r <= 1:
        raise ValueError("target_rate must lie in (0, 1]")
    if n_simulees < 1 or iterations < 1:
        raise ValueError("n_simulees and iterations must be positive")
    gen = np.random.default_rng(rng)
    cfg = replace(config, exposure="sympson_hetter")
    k = np.ones(len(bank)) if bank.sh_k is None else np.array(bank.sh_k, dtype=float)
    for _ in range(iterations):
        thetas = gen.normal(cfg.prior_mean, cfg.prior_sd, n_simulees)
        report = simulate_cat(bank.with_sh_k(k), cfg, thetas, gen)
        p_sel = report.selection_rate
        k = np.where(p_sel > r, r / np.maximum(p_sel, 1e-12), 1.0)
    return k
