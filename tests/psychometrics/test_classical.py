"""Classical item analysis."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from hocvuso.psychometrics import item_analysis


def test_p_values_and_corrected_point_biserial() -> None:
    """The point-biserial is the item/rest-score correlation (complete data)."""
    rng = np.random.default_rng(0)
    theta = rng.normal(size=500)
    x = (
        rng.random((500, 6))
        < 1 / (1 + np.exp(-(theta[:, None] - np.linspace(-1, 1, 6))))
    ) * 1.0
    res = item_analysis(x)
    for j, item in enumerate(res.items):
        rest = x.sum(axis=1) - x[:, j]
        assert item.n == 500
        assert item.p_value is not None and item.point_biserial is not None
        assert_allclose(item.p_value, x[:, j].mean())
        assert_allclose(
            item.point_biserial, np.corrcoef(x[:, j], rest)[0, 1], rtol=1e-10
        )
    # KR-20 / Cronbach's alpha.
    k = 6
    alpha = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert res.alpha is not None
    assert_allclose(res.alpha, alpha)


def test_incomplete_designs_use_proportion_rest_scores() -> None:
    """With missing answers alpha is not reported and n counts the answers."""
    x = np.array([[1, 0, np.nan], [1, 1, 1], [0, np.nan, 0], [1, 1, 0]], dtype=float)
    res = item_analysis(x)
    assert res.alpha is None
    assert [it.n for it in res.items] == [4, 3, 3]
    assert res.items[2].p_value == pytest.approx(1 / 3)


def test_distractor_table_and_flags() -> None:
    """Options are counted; bad distractors and easy items are flagged."""
    keys = ["A", "B"]
    # Item 1: key B; high scorers on item 0 tend to pick distractor C.
    choices = (
        [["A", "C"]] * 20 + [["A", "B"]] * 5 + [["D", "B"]] * 15 + [["D", "C"]] * 2
    )
    res = item_analysis(
        choices=choices, keys=keys, options=[["A", "B", "C", "D"], ["A", "B", "C"]]
    )
    first, second = res.items
    counts = {o.option: o.count for o in first.options}
    assert counts == {"A": 25, "B": 0, "C": 0, "D": 17}
    assert "nonfunctional_distractor" in first.flags  # B and C never chosen
    assert {o.option: o.count for o in second.options} == {"A": 0, "B": 20, "C": 22}
    key = next(o for o in second.options if o.is_key)
    assert key.proportion == pytest.approx(20 / 42)
    distractor_c = next(o for o in second.options if o.option == "C")
    assert distractor_c.point_biserial is not None and distractor_c.point_biserial > 0
    assert "distractor_attracts_high_scorers" in second.flags
    assert "negative_discrimination" in second.flags
    items = res.to_dict()["items"]
    assert isinstance(items, list)
    assert items[1]["options"][1]["option"] == "B"


def test_flags_for_hard_easy_and_sparse_items() -> None:
    """Thresholds from the docs: p < .2 hard, p > .9 easy, n < 30 few."""
    x = np.zeros((40, 3))
    x[:, 0] = np.r_[np.ones(37), np.zeros(3)]
    x[:, 1] = np.r_[np.ones(4), np.zeros(36)]
    x[:, 2] = np.r_[np.ones(10), np.zeros(10), np.full(20, np.nan)]
    res = item_analysis(x)
    assert "too_easy" in res.items[0].flags
    assert "too_hard" in res.items[1].flags
    assert "few_responses" in res.items[2].flags


def test_key_never_chosen() -> None:
    """A key nobody picks is flagged (likely a wrong key)."""
    res = item_analysis(choices=[["B"], ["C"], ["B"]], keys=["A"])
    assert "key_never_chosen" in res.items[0].flags
    assert res.items[0].p_value == 0.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give either scored responses or choices"),
        ({"responses": [[2, 0]]}, "responses must be 0, 1 or NaN"),
        ({"responses": [1, 0]}, "persons x items"),
        ({"choices": [["A"]]}, "keys are required"),
        ({"choices": [["A", "B"]], "keys": ["A"]}, "one entry per key"),
        (
            {"choices": [["E"]], "keys": ["A"], "options": [["A", "B"]]},
            "not one of the options",
        ),
        ({"responses": [[1]], "keys": ["A"]}, "only used together with choices"),
        ({"responses": [[1]], "choices": [["A"]], "keys": ["A"]}, "not both"),
    ],
)
def test_validation_messages(kwargs: dict[str, object], message: str) -> None:
    """Each validation message is tested."""
    with pytest.raises(ValueError, match=message):
        item_analysis(**kwargs)  # type: ignore[arg-type]
