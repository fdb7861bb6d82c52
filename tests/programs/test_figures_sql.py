"""Figures aggregated in SQL match sums worked out by hand from the Fact rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.programs.dash_data import YEAR, approve, world

from hocvuso.programs.access import UnitRef
from hocvuso.programs.figures import child_units, figures, trend, trend_all
from hocvuso.programs.models import ApprovalState

pytestmark = pytest.mark.django_db


def _by(rows: list, unit: UnitRef) -> dict[tuple[str, str], object]:
    return {(f.indicator, f.group): f for f in rows if f.unit == unit}


def test_flows_sum_the_months_and_stocks_take_the_last_month_with_a_row() -> None:
    w = world()
    units = [w.home, w.neighbour, w.province, UnitRef.nation()]
    rows = figures(units=units, year=YEAR, month=3)
    home, prov, nation = _by(rows, w.home), _by(rows, w.province), _by(rows, units[3])
    assert home[("reached", "")].value == 30  # 10 + 20 + 0
    assert _by(rows, w.neighbour)[("reached", "")].value == 12  # 3 + 4 + 5
    assert prov[("reached", "")].value == 42
    assert nation[("reached", "")].value == 63  # + 7 × 3 elsewhere
    # A stock is the March value, not a sum: 6 of a population of 60.
    assert home[("passed", "")].numerator == 6
    assert home[("passed", "")].value == pytest.approx(10.0)
    # The province has no population row: its communes' 60 + 40.
    assert prov[("passed", "")].value == pytest.approx(8.0)
    # Confirmed was last refreshed for February: 40, not 0 and not 70.
    assert home[("confirmed", "")].value == 40
    assert home[("confirmed", "youth")].value == 12
    assert prov[("confirmed", "")].value == 40


def test_targets_expected_path_and_lagging() -> None:
    w = world()
    rows = figures(units=[w.home, w.province], year=YEAR, month=3)
    home, prov = _by(rows, w.home), _by(rows, w.province)
    assert home[("reached", "")].target == 120
    assert home[("reached", "")].expected == 30  # 120 × 3 / 12
    assert not home[("reached", "")].lagging  # 30 is on the path
    # The province's own target (200), not the sum of its communes' (120).
    assert prov[("reached", "")].target == 200
    assert prov[("reached", "")].lagging  # 42 < 50
    assert prov[("passed", "")].target is None
    assert not prov[("passed", "")].lagging


def test_a_percentage_without_population_shows_the_count_and_says_so() -> None:
    w = world()
    [farmers] = figures(
        units=[w.home], year=YEAR, month=3, indicators=[w.passed], groups=["farmers"]
    )
    assert farmers.numerator == 2
    assert farmers.value is None
    assert farmers.needs_denominator


def test_approval_states_are_read_from_the_approval_table() -> None:
    w = world()
    approve(w.home, 1)
    approve(w.home, 2)
    approve(w.neighbour, 1)
    approve(w.neighbour, 2, ApprovalState.SUBMITTED)
    rows = figures(units=[w.home, w.province], year=YEAR, month=2)
    home, prov = _by(rows, w.home), _by(rows, w.province)
    assert home[("reached", "")].approval == ApprovalState.APPROVED
    assert not home[("reached", "")].provisional
    assert prov[("reached", "")].provisional
    assert prov[("reached", "")].approved_units == 1
    assert prov[("reached", "")].total_units == len(child_units(w.province))
    [march] = figures(
        units=[w.home], year=YEAR, month=3, indicators=[w.reached], groups=[""]
    )
    assert march.approval == ApprovalState.OPEN


def test_approved_only_counts_only_approved_commune_months() -> None:
    w = world()
    approve(w.home, 1)
    approve(w.home, 2)
    approve(w.neighbour, 1)
    rows = figures(
        units=[w.home, w.province, UnitRef.nation()],
        year=YEAR,
        month=3,
        approved_only=True,
    )
    home, prov = _by(rows, w.home), _by(rows, w.province)
    assert home[("reached", "")].value == 30  # 10 + 20 (March not approved)
    assert prov[("reached", "")].value == 33  # + the neighbour's January 3
    assert _by(rows, UnitRef.nation())[("reached", "")].value == 33
    # Stocks: the latest month with approved data (February: home's 5 of 100).
    assert prov[("passed", "")].numerator == 5
    assert prov[("passed", "")].value == pytest.approx(5.0)
    assert all(f.approved_only for f in rows)


def test_trend_accumulates_flows_and_carries_stocks() -> None:
    w = world()
    assert [
        f.value for f in trend(unit=w.home, year=YEAR, indicator=w.reached, month=3)
    ] == [10, 30, 30]
    series = trend_all(unit=w.province, year=YEAR, month=3)
    assert [f.value for f in series[("reached", "")]] == [13, 37, 42]
    assert [f.value for f in series[("confirmed", "")]] == [30, 40, 40]
    assert [f.value for f in series[("passed", "")]] == pytest.approx([4.0, 6.0, 8.0])


def test_query_count_does_not_grow_with_the_number_of_units() -> None:
    w = world()
    with CaptureQueriesContext(connection) as two:
        figures(units=[w.home, w.neighbour], year=YEAR, month=3)
    every = child_units(w.province)
    assert len(every) > 10
    with CaptureQueriesContext(connection) as many:
        rows = figures(units=every, year=YEAR, month=3)
    assert len(many.captured_queries) == len(two.captured_queries) <= 7
    assert len(rows) == len(every) * 5  # reached, passed ×2, confirmed ×2


def test_a_province_target_is_its_own_with_the_communes_sum_beside_it() -> None:
    w = world()
    rows = figures(units=[w.province, w.home], year=YEAR, month=3)
    prov, home = _by(rows, w.province), _by(rows, w.home)
    assert prov[("reached", "")].target == 200
    assert prov[("reached", "")].children_target == 120  # home's only
    assert prov[("reached", "")].targets_disagree
    assert prov[("passed", "")].children_target == 20
    assert prov[("passed", "")].target is None
    assert not prov[("passed", "")].targets_disagree
    assert home[("reached", "")].children_target is None
