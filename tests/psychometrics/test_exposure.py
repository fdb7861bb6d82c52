"""Shadow tests, item eligibility, a-stratification with b-blocking, overlap."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from hocvuso.psychometrics import (
    CatConfig,
    CatSession,
    ItemBank,
    eligibility_calibrate,
    overlap_rate,
    simulate_cat,
)
from hocvuso.psychometrics.shadow import shadow_assemble

BIG = np.iinfo(np.int64).max


def make_bank(n: int = 160, seed: int = 0, areas: int = 4) -> ItemBank:
    rng = np.random.default_rng(seed)
    return ItemBank.from_arrays(
        [f"item{j:04d}" for j in range(n)],
        rng.lognormal(0, 0.3, n),
        rng.normal(0, 1, n),
        areas=[f"area{j % areas}" for j in range(n)],
    )


def run(session: CatSession, theta: float, rng: np.random.Generator) -> None:
    bank = session.bank
    while (item := session.next_item()) is not None:
        j = bank.index(item)
        p = 1.0 / (1.0 + math.exp(-bank.a[j] * (theta - bank.b[j])))
        session.record(item, int(rng.random() < p))


@pytest.mark.parametrize("seed", range(8))
def test_greedy_shadow_test_matches_the_milp_optimum(seed: int) -> None:
    """The exact greedy assembly reaches the objective of scipy's MILP."""
    rng = np.random.default_rng(seed)
    n = 60
    area = rng.integers(0, 3, n).astype(np.intp)
    lo = np.array([2, 3, 1], dtype=np.int64)
    hi = np.array([8, BIG, 6], dtype=np.int64)
    value = rng.random(n)
    given = np.zeros(n, dtype=bool)
    given[rng.choice(n, 4, replace=False)] = True
    available = rng.random(n) < 0.7
    greedy = shadow_assemble(value, area, lo, hi, 15, given, available, "auto")
    exact = shadow_assemble(value, area, lo, hi, 15, given, available, "milp")
    assert greedy is not None and exact is not None
    assert np.sum(value[greedy]) == pytest.approx(np.sum(value[exact]), abs=1e-9)
    for chosen in (greedy, exact):
        assert chosen.sum() == 15
        assert np.all(chosen[given])
        assert not np.any(chosen & ~available & ~given)
        counts = np.bincount(area[chosen], minlength=3)
        assert np.all(counts >= lo) and np.all(counts <= hi)


def test_infeasible_shadow_test_is_none() -> None:
    """A minimum the available items cannot meet gives no shadow test."""
    area = np.array([0, 0, 1, 1], dtype=np.intp)
    lo = np.array([0, 2], dtype=np.int64)
    hi = np.array([BIG, BIG], dtype=np.int64)
    available = np.array([True, True, True, False])
    given = np.zeros(4, dtype=bool)
    for solver in ("auto", "milp"):
        assert (
            shadow_assemble(np.ones(4), area, lo, hi, 3, given, available, solver)  # type: ignore[arg-type]
            is None
        )


def test_shadow_selection_meets_content_and_gives_the_best_item() -> None:
    """The first shadow-test item is the most informative one at the start."""
    bank = make_bank()
    cfg = CatConfig(selection="shadow", content={f"area{i}": (4, 9) for i in range(4)})
    session = CatSession(bank, cfg, rng=0)
    first = session.next_item()
    mfi = CatSession(bank, replace(cfg, selection="mfi"), rng=0).next_item()
    assert first == mfi
    run(session, 0.3, np.random.default_rng(1))
    counts = session.area_counts
    assert all(4 <= counts[f"area{i}"] <= 9 for i in range(4))


def test_eligibility_keeps_ineligible_items_out_and_survives_restore() -> None:
    """Items drawn ineligible are never given; the draw is kept in the state."""
    bank = make_bank()
    elig = np.where((np.arange(len(bank)) // 4) % 2 == 0, 0.0, 1.0)
    bank = bank.with_eligibility(elig)
    for selection in ("shadow", "mfi"):
        cfg = CatConfig(
            selection=selection,  # type: ignore[arg-type]
            exposure="eligibility",
            max_items=20,
            se_target=None,
            content={f"area{i}": (3, None) for i in range(4)},
        )
        session = CatSession(bank, cfg, rng=3)
        assert len(session.ineligible) == len(bank) // 2
        rng = np.random.default_rng(5)
        for _ in range(6):
            item = session.next_item()
            assert item is not None
            session.record(item, int(rng.random() < 0.5))
        restored = CatSession.from_json(session.to_json(), bank)
        assert restored.ineligible == session.ineligible
        run(session, 0.0, np.random.default_rng(9))
        run(restored, 0.0, np.random.default_rng(9))
        assert restored.administered == session.administered
        assert all((bank.index(x) // 4) % 2 == 1 for x in session.administered)


def test_eligibility_is_relaxed_when_the_content_cannot_be_met() -> None:
    """With a whole area ineligible, its minimum is still met."""
    bank = make_bank(areas=4)
    elig = np.array([0.0 if j % 4 == 0 else 1.0 for j in range(len(bank))])
    cfg = CatConfig(
        selection="shadow",
        exposure="eligibility",
        content={"area0": (3, None)},
        max_items=10,
        se_target=None,
    )
    session = CatSession(bank.with_eligibility(elig), cfg, rng=0)
    run(session, 0.0, np.random.default_rng(0))
    assert session.area_counts["area0"] >= 3


def test_eligibility_calibration_lowers_the_maximum_exposure() -> None:
    """Calibrated eligibility brings the most exposed item down towards r."""
    bank = make_bank(n=120)
    cfg = CatConfig(
        selection="shadow", exposure="eligibility", max_items=10, se_target=None
    )
    thetas = np.random.default_rng(2).normal(size=300)
    before = simulate_cat(bank, cfg, thetas, rng=4)
    e = eligibility_calibrate(bank, cfg, 0.3, n_simulees=300, iterations=4, rng=7)
    after = simulate_cat(bank.with_eligibility(e), cfg, thetas, rng=4)
    assert before.max_exposure == 1.0
    assert after.max_exposure < 0.45
    assert np.all((e >= 0) & (e <= 1)) and np.any(e < 1)


def test_b_blocking_spreads_every_stratum_over_the_difficulties() -> None:
    """Each b-blocked stratum covers the whole b range with growing a."""
    bank = make_bank(n=200)
    plain = bank._strata(4)
    blocked = bank._strata(4, bblock=True)
    assert np.bincount(blocked).tolist() == [50, 50, 50, 50]
    lo_b, hi_b = np.quantile(bank.b, [0.1, 0.9])
    for s in range(4):
        b = bank.b[blocked == s]
        assert b.min() < lo_b and b.max() > hi_b
    # The strata still rise in discrimination.
    means = [float(np.mean(bank.a[blocked == s])) for s in range(4)]
    assert means == sorted(means)
    assert not np.array_equal(plain, blocked)


def test_overlap_rate() -> None:
    """Identical tests overlap fully, disjoint tests not at all."""
    same = tuple(np.arange(5) for _ in range(4))
    assert overlap_rate(same, n_pairs=50, rng=0) == 1.0
    disjoint = tuple(np.arange(5) + 5 * k for k in range(4))
    assert overlap_rate(disjoint, n_pairs=50, rng=0) == 0.0
    with pytest.raises(ValueError):
        overlap_rate((np.arange(3),))


def test_simulation_reports_tests_and_selection_times() -> None:
    """The report carries the items of every test and a time per selection."""
    bank = make_bank()
    rep = simulate_cat(bank, CatConfig(max_items=8), np.zeros(5), rng=0)
    assert len(rep.tests) == 5
    assert rep.selection_ms.size == int(rep.lengths.sum())
    assert np.all(rep.selection_ms >= 0)
