"""Adaptive testing: configuration, session, constraints, serialisation."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.integrate import quad

from hocvuso.psychometrics import (
    CatConfig,
    CatSession,
    CatSessionError,
    ItemBank,
    estimate_eap,
    estimate_map,
    estimate_ml,
    irt_prob,
    item_information,
)
from hocvuso.psychometrics._kl import _kl_index


def make_bank(
    n: int = 200, seed: int = 0, areas: int = 4, guessing: float = 0.0
) -> ItemBank:
    rng = np.random.default_rng(seed)
    return ItemBank.from_arrays(
        [f"item{j:04d}" for j in range(n)],
        rng.lognormal(0, 0.3, n),
        rng.normal(0, 1, n),
        np.full(n, guessing),
        areas=[f"area{j % areas}" for j in range(n)],
    )


def answer(bank: ItemBank, item: str, theta: float, rng: np.random.Generator) -> int:
    j = bank.index(item)
    return int(rng.random() < float(irt_prob(theta, bank.a[j], bank.b[j], bank.c[j])))


def run(
    session: CatSession, theta: float, rng: np.random.Generator, limit: int = 1000
) -> list[str]:
    items: list[str] = []
    for _ in range(limit):
        item = session.next_item()
        if item is None:
            break
        items.append(item)
        session.record(item, answer(session.bank, item, theta, rng))
    return items


# ----------------------------------------------------------------- configuration


def test_config_round_trip() -> None:
    """to_dict/from_dict preserve every field and survive JSON."""
    cfg = CatConfig(
        selection="kl",
        estimator="map",
        min_items=5,
        max_items=25,
        se_target=0.35,
        cut=0.4,
        confidence=0.9,
        content={"b": (2, 6), "a": (1, None)},
        exposure="sympson_hetter",
        max_exposure=0.2,
        theta_bounds=(-5.0, 5.0),
    )
    data = json.loads(json.dumps(cfg.to_dict()))
    assert data["schema_version"] == 1
    assert CatConfig.from_dict(data) == cfg
    assert list(cfg.content) == ["a", "b"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"selection": "random"}, "selection must be one of mfi, kl, astrat"),
        ({"estimator": "wle"}, "estimator must be one of"),
        ({"exposure": "cap"}, "exposure must be one of"),
        ({"max_items": 0}, "max_items"),
        ({"min_items": 40}, "min_items"),
        ({"se_target": -0.1}, "se_target"),
        ({"confidence": 1.0}, "confidence"),
        (
            {"content": {"a": (20, None), "b": (20, None)}},
            "add up to more than max_items",
        ),
        ({"content": {"a": (3, 2)}}, "maximum must be an int >= max"),
        ({"content": {"a": (-1, None)}}, "minimum must be an int >= 0"),
        ({"content": {"": (1, None)}}, "non-empty strings"),
        ({"randomesque_n": 0}, "randomesque_n"),
        ({"max_exposure": 0.0}, "max_exposure"),
        ({"n_quad": 3}, "n_quad"),
    ],
)
def test_config_validation(kwargs: dict[str, object], message: str) -> None:
    """Invalid blueprints are rejected with a message naming the field."""
    with pytest.raises(ValueError, match=message):
        CatConfig(**kwargs)  # type: ignore[arg-type]


def test_config_from_dict_rejects_unknown_keys_and_versions() -> None:
    """Stored configs from another schema are not silently misread."""
    with pytest.raises(ValueError, match="unknown CatConfig keys: colour"):
        CatConfig.from_dict({"colour": "blue"})
    with pytest.raises(ValueError, match="schema_version 2"):
        CatConfig.from_dict({"schema_version": 2})


def test_bank_validation() -> None:
    """Banks need unique ids, valid parameters and one area per item."""
    with pytest.raises(ValueError, match="unique"):
        ItemBank.from_arrays(["x", "x"], [1, 1], [0, 0])
    with pytest.raises(ValueError, match="a must be finite and positive"):
        ItemBank.from_arrays(["x"], [0], [0])
    with pytest.raises(ValueError, match="areas"):
        ItemBank.from_arrays(["x", "y"], [1, 1], [0, 0], areas=["m"])
    with pytest.raises(ValueError, match="sh_k"):
        ItemBank.from_arrays(["x"], [1], [0], sh_k=[1.5])
    with pytest.raises(ValueError, match="has no items in the bank"):
        CatSession(make_bank(), CatConfig(content={"nowhere": (1, None)}))
    with pytest.raises(ValueError, match="needs 3 items but the bank has 2"):
        CatSession(make_bank(8, areas=4), CatConfig(content={"area0": (3, None)}))


# ----------------------------------------------------------------------- session


def test_next_item_is_idempotent_and_record_checks_the_item() -> None:
    """Asking twice returns the same item; only the pending item can be answered."""
    bank = make_bank()
    session = CatSession(bank, CatConfig(exposure="randomesque"), rng=1)
    first = session.next_item()
    assert first is not None
    state = session.to_json()
    assert session.next_item() == first
    assert session.to_json() == state  # no random numbers were drawn
    other = next(i for i in bank.item_ids if i != first)
    with pytest.raises(CatSessionError, match="pending item is"):
        session.record(other, 1)
    with pytest.raises(ValueError, match="response must be 0 or 1"):
        session.record(first, 2)
    session.record(first, True)
    with pytest.raises(CatSessionError, match="call next_item"):
        session.record(first, 1)
    assert session.administered == (first,)
    assert session.responses == (1,)


@pytest.mark.parametrize("exposure", ["none", "randomesque"])
def test_sequential_selection_is_a_fixed_form(exposure: str) -> None:
    """Every examinee gets the bank's items in bank order, whatever they answer."""
    bank = make_bank(n=12)
    config = CatConfig(
        selection="sequential",
        min_items=12,
        max_items=12,
        cut=None,
        exposure=exposure,  # type: ignore[arg-type]
    )
    for theta, seed in ((-2.0, 1), (0.0, 2), (2.5, 3)):
        session = CatSession(bank, config, rng=seed)
        items = run(session, theta, np.random.default_rng(seed))
        assert items == list(bank.item_ids)
        assert session.stop_reason == "max_items"
    assert CatConfig.from_dict(config.to_dict()) == config


def test_first_item_is_most_informative_at_start_theta() -> None:
    """MFI starts with the best item at start_theta."""
    bank = make_bank()
    session = CatSession(bank, CatConfig(start_theta=0.5))
    best = int(np.argmax(item_information(0.5, bank.a, bank.b, bank.c)))
    assert session.next_item() == bank.item_ids[best]


@pytest.mark.parametrize("estimator", ["eap", "map", "ml"])
def test_session_estimate_matches_library_estimators(estimator: str) -> None:
    """The interim estimate equals the standalone estimator on the same answers."""
    bank = make_bank(guessing=0.1)
    session = CatSession(bank, CatConfig(estimator=estimator, se_target=None), rng=0)  # type: ignore[arg-type]
    run(session, 0.3, np.random.default_rng(4), limit=12)
    idx = [bank.index(i) for i in session.administered]
    y = np.array(session.responses, dtype=float)
    a, b, c = bank.a[idx], bank.b[idx], bank.c[idx]
    est = session.estimate
    if estimator == "eap":
        ref = estimate_eap(y, a, b, c)
    elif estimator == "map":
        ref = estimate_map(y, a, b, c)
    else:
        assert 0 < y.sum() < y.size
        ref = estimate_ml(y, a, b, c, bounds=(-6.0, 6.0))
    assert est.method == estimator
    assert_allclose([est.theta, est.se], [ref.theta, ref.se], atol=1e-5)


def test_ml_session_uses_eap_until_the_pattern_is_mixed() -> None:
    """All-correct so far: the ML session reports the EAP estimate."""
    bank = make_bank()
    session = CatSession(bank, CatConfig(estimator="ml"))
    item = session.next_item()
    assert item is not None
    est = session.record(item, 1)
    assert est.method == "eap" and np.isfinite(est.theta)


# ---------------------------------------------------------------------- stopping


def test_se_stop() -> None:
    """The test stops once the SE reaches the target."""
    session = CatSession(make_bank(300), CatConfig(se_target=0.4, max_items=60), rng=3)
    run(session, 0.0, np.random.default_rng(3))
    assert session.stop_reason == "se_target"
    assert session.estimate.se <= 0.4
    assert session.should_stop() and session.next_item() is None


def test_max_items_stop() -> None:
    """Without an SE target the test has max_items items."""
    session = CatSession(make_bank(), CatConfig(se_target=None, max_items=7))
    items = run(session, 0.0, np.random.default_rng(0))
    assert len(items) == 7 and session.stop_reason == "max_items"


def test_classification_stop_needs_fewer_items_far_from_the_cut() -> None:
    """Clear passes/fails stop early; the decision matches the true side."""
    bank = make_bank(300)
    cfg = CatConfig(se_target=None, max_items=40, cut=0.0, confidence=0.95)
    lengths = {}
    for theta in (-2.5, 2.5):
        session = CatSession(bank, cfg, rng=0)
        lengths[theta] = len(run(session, theta, np.random.default_rng(8)))
        assert session.stop_reason == "classification"
        assert session.decision == ("pass" if theta > 0 else "fail")
        est = session.estimate
        assert abs(est.theta) > 1.96 * est.se
    near = CatSession(bank, cfg, rng=0)
    run(near, 0.05, np.random.default_rng(8))
    assert max(lengths.values()) < len(near.administered)


def test_bank_exhausted() -> None:
    """A bank smaller than the test ends with bank_exhausted."""
    session = CatSession(make_bank(5), CatConfig(se_target=0.01, max_items=30))
    assert len(run(session, 0.0, np.random.default_rng(1))) == 5
    assert session.stop_reason == "bank_exhausted"


def test_min_items_respected() -> None:
    """The test never stops before min_items even if the SE is small."""
    session = CatSession(
        make_bank(), CatConfig(se_target=5.0, min_items=6, max_items=10), rng=0
    )
    assert len(run(session, 0.0, np.random.default_rng(0))) == 6


# -------------------------------------------------------------- content balance


@pytest.mark.parametrize("selection", ["mfi", "kl", "astrat"])
@pytest.mark.parametrize("exposure", ["none", "sympson_hetter", "progressive"])
def test_content_minimums_and_maximums_hold(selection: str, exposure: str) -> None:
    """Minimums are met before stopping and maximums are never exceeded."""
    bank = make_bank(240, seed=2).with_sh_k(np.full(240, 0.5))
    content = {"area0": (4, 6), "area1": (3, None), "area2": (0, 2), "area3": (2, 5)}
    cfg = CatConfig(
        selection=selection,  # type: ignore[arg-type]
        exposure=exposure,  # type: ignore[arg-type]
        se_target=0.45,
        max_items=16,
        content=content,
    )
    rng = np.random.default_rng(99)
    for k in range(12):
        session = CatSession(bank, cfg, rng=k)
        theta = float(rng.normal(0, 1.5))
        items = run(session, theta, rng)
        counts = session.area_counts
        for area, (lo, hi) in content.items():
            assert counts[area] >= lo, (area, counts)
            assert hi is None or counts[area] <= hi, (area, counts)
        assert len(items) <= 16
        assert session.stop_reason in ("se_target", "max_items")


def test_content_minimum_forces_items_when_the_se_is_reached() -> None:
    """An SE reachable in a few items still waits for the minimums."""
    bank = make_bank(200, seed=1)
    cfg = CatConfig(se_target=2.0, max_items=30, content={"area3": (5, None)})
    session = CatSession(bank, cfg, rng=0)
    run(session, 0.0, np.random.default_rng(2))
    assert session.area_counts["area3"] == 5
    assert session.stop_reason == "se_target"


# ------------------------------------------------------------ selection methods


def test_kl_index_closed_form_matches_quadrature() -> None:
    """The 2PL closed form and the 3PL Simpson rule match adaptive quadrature."""
    a = np.array([0.7, 1.5, 2.5, 1.0])
    b = np.array([-1.0, 0.2, 1.5, 0.0])
    c = np.array([0.0, 0.0, 0.0, 0.2])
    theta, n = 0.4, 4
    delta = 3.0 / math.sqrt(n)

    def kl(t: float, j: int) -> float:
        p0 = float(irt_prob(theta, a[j], b[j], c[j]))
        p = float(irt_prob(t, a[j], b[j], c[j]))
        return p0 * math.log(p0 / p) + (1 - p0) * math.log((1 - p0) / (1 - p))

    ref = [quad(kl, theta - delta, theta + delta, args=(j,))[0] for j in range(4)]
    got = _kl_index(theta, a, b, c, 3.0, n)
    assert_allclose(got[:3], ref[:3], rtol=1e-9)
    assert_allclose(got[3], ref[3], rtol=5e-3)


def test_astrat_starts_with_low_discrimination_items() -> None:
    """a-stratified selection uses the lowest-a stratum first."""
    bank = make_bank(200)
    cfg = CatConfig(selection="astrat", astrat_strata=4, max_items=20, se_target=None)
    session = CatSession(bank, cfg)
    items = run(session, 0.0, np.random.default_rng(0))
    a = np.array([bank.a[bank.index(i)] for i in items])
    assert np.all(a[:5] <= np.quantile(bank.a, 0.25) + 1e-12)
    assert np.all(a[-5:] >= np.quantile(bank.a, 0.75) - 1e-12)


def test_randomesque_spreads_the_first_item() -> None:
    """Randomesque picks among the best few, so first items vary across seeds."""
    bank = make_bank()
    cfg = CatConfig(exposure="randomesque", randomesque_n=5)
    firsts = {CatSession(bank, cfg, rng=s).next_item() for s in range(40)}
    best5 = np.argsort(-item_information(0.0, bank.a, bank.b))[:5]
    assert firsts == {bank.item_ids[j] for j in best5}


def test_sympson_hetter_rejections_are_recorded() -> None:
    """With k = 0 for the best items they are set aside for this examinee."""
    bank = make_bank()
    order = np.argsort(-item_information(0.0, bank.a, bank.b))
    k = np.ones(len(bank))
    k[order[:3]] = 0.0
    session = CatSession(bank.with_sh_k(k), CatConfig(exposure="sympson_hetter"), rng=0)
    assert session.next_item() == bank.item_ids[order[3]]
    assert set(session.rejected) == {bank.item_ids[j] for j in order[:3]}


# ---------------------------------------------------------------- serialisation


@pytest.mark.parametrize(
    "exposure", ["none", "randomesque", "progressive", "sympson_hetter"]
)
def test_restore_and_continue_gives_the_same_items(exposure: str) -> None:
    """Serialising after every answer and restoring changes nothing."""
    rng0 = np.random.default_rng(12)
    bank = make_bank(150).with_sh_k(rng0.uniform(0.3, 1.0, 150))
    cfg = CatConfig(
        exposure=exposure,  # type: ignore[arg-type]
        se_target=0.35,
        max_items=20,
        content={"area1": (3, None), "area2": (0, 4)},
    )
    straight = CatSession(bank, cfg, rng=2024)
    items_straight = run(straight, 0.7, np.random.default_rng(5))

    answers = np.random.default_rng(5)
    text = CatSession(bank, cfg, rng=2024).to_json()
    items_restored: list[str] = []
    while True:
        session = CatSession.from_json(text, bank)
        item = session.next_item()
        if item is None:
            break
        # A lost connection: restore again before answering, same item comes back.
        again = CatSession.from_json(session.to_json(), bank)
        assert again.next_item() == item
        items_restored.append(item)
        session.record(item, answer(bank, item, 0.7, answers))
        text = session.to_json()
    assert items_restored == items_straight
    final = CatSession.from_json(text, bank)
    assert final.estimate == straight.estimate
    assert final.stop_reason == straight.stop_reason
    assert final.rejected == straight.rejected


def test_json_state_is_plain_and_versioned() -> None:
    """The stored JSON has a schema version and no floats for the RNG state."""
    session = CatSession(make_bank(), CatConfig(), rng=7)
    session.next_item()
    state = json.loads(session.to_json())
    assert state["schema_version"] == 1
    assert state["pending"] == session.pending
    assert state["rng"]["bit_generator"] == "PCG64"
    assert state["rng"]["state"]["state"].startswith("int:")


def test_restore_rejects_another_bank_and_bad_json() -> None:
    """A session cannot be continued on a changed bank."""
    bank = make_bank()
    text = CatSession(bank, CatConfig(), rng=1).to_json()
    other = ItemBank.from_arrays(
        bank.item_ids, bank.a * 1.01, bank.b, bank.c, areas=bank.areas
    )
    with pytest.raises(CatSessionError, match="different item bank"):
        CatSession.from_json(text, other)
    with pytest.raises(CatSessionError, match="cannot restore"):
        CatSession.from_json("{not json", bank)
    broken = json.loads(text)
    broken["administered"] = ["nope"]
    broken["responses"] = [1]
    with pytest.raises(CatSessionError, match="cannot restore"):
        CatSession.from_json(json.dumps(broken), bank)
    broken = json.loads(text)
    broken["schema_version"] = 99
    with pytest.raises(CatSessionError, match="schema_version 99"):
        CatSession.from_json(json.dumps(broken), bank)
    # Recalibrated exposure parameters do not invalidate stored sessions.
    assert CatSession.from_json(text, bank.with_sh_k(np.full(len(bank), 0.5)))


def test_other_bit_generators_round_trip() -> None:
    """Any supported numpy bit generator is serialised exactly."""
    bank = make_bank()
    cfg = CatConfig(exposure="progressive")
    for gen in (
        np.random.Generator(np.random.MT19937(3)),
        np.random.Generator(np.random.Philox(3)),
    ):
        session = CatSession(bank, cfg, rng=gen)
        restored = CatSession.from_json(session.to_json(), bank)
        assert restored.next_item() == session.next_item()


@pytest.mark.parametrize("estimator", ["eap", "map", "ml"])
def test_dict_state_restores_the_same_session(estimator: str) -> None:
    """``to_dict``/``from_dict`` skip the JSON text but restore the same state,
    and the estimate computed once on restore equals the one kept live."""
    bank = make_bank(80)
    cfg = CatConfig(estimator=estimator, max_items=12)  # type: ignore[arg-type]
    live = CatSession(bank, cfg, rng=9)
    answers = np.random.default_rng(3)
    for _ in range(7):
        item = live.next_item()
        assert item is not None
        live.record(item, answer(bank, item, 0.4, answers))
    live.next_item()
    restored = CatSession.from_dict(live.to_dict(), bank)
    assert restored.to_json() == live.to_json()
    assert restored.estimate == live.estimate
    assert restored.next_item() == live.next_item()
    assert json.loads(live.to_json()) == live.to_dict()
    with pytest.raises(CatSessionError, match="cannot restore"):
        CatSession.from_dict(["not", "a", "dict"], bank)
