"""The shared read path: facts, targets and populations give the figures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.factories import commune, province, user_with_role

from hocvuso.accounts.models import Role
from hocvuso.programs.access import UnitRef, unit_allowed, unit_parse, units_for_user
from hocvuso.programs.figures import child_units, figures, trend
from hocvuso.programs.models import (
    Aggregation,
    Fact,
    Indicator,
    IndicatorSet,
    Population,
    Target,
    UnitLevel,
)

pytestmark = pytest.mark.django_db

AT = datetime(2026, 6, 1, tzinfo=UTC)


def _indicators() -> tuple[Indicator, Indicator]:
    iset = IndicatorSet.objects.create(
        slug="t", version="1", title_vi="t", title_en="t", active=True
    )
    passed = Indicator.objects.create(
        indicator_set=iset,
        code="passed",
        name_vi="Đạt",
        name_en="Passed",
        numerator="assessment.passed",
        denominator=Indicator.POPULATION,
        factor=100,
        aggregation=Aggregation.LAST,
        target_groups=["farmers"],
    )
    visits = Indicator.objects.create(
        indicator_set=iset,
        code="reached",
        name_vi="Tiếp cận",
        name_en="Reached",
        numerator="community.people_reached",
        aggregation=Aggregation.SUM,
    )
    return passed, visits


def _fact(unit: UnitRef, month: int, code: str, num: float, group: str = "") -> None:
    Fact.objects.create(
        year=2026,
        level=unit.level,
        province_code=unit.province_code,
        commune_code=unit.commune_code,
        month=month,
        indicator=code,
        group=group,
        numerator=num,
        refreshed_at=AT,
    )


def test_flows_add_months_and_stocks_take_the_last() -> None:
    _, reached = _indicators()
    unit = UnitRef.commune(commune(30178))
    for month, (p, r) in enumerate([(3, 10), (5, 20), (5, 0)], start=1):
        _fact(unit, month, "passed", p)
        _fact(unit, month, "reached", r)
    Population.objects.create(
        year=2026,
        province=province(unit.province_code),
        commune=commune(30178),
        group="",
        value=50,
    )
    Target.objects.create(
        year=2026,
        province=province(unit.province_code),
        commune=commune(30178),
        indicator="passed",
        group="",
        value=40,
    )
    rows = {
        (f.indicator, f.group): f for f in figures(units=[unit], year=2026, month=3)
    }
    assert rows[("reached", "")].value == 30
    assert rows[("passed", "")].value == pytest.approx(10.0)  # 5 / 50 × 100
    assert rows[("passed", "")].target == 40
    assert not rows[("passed", "")].lagging  # expected 10 by March: 10 is on the path
    assert rows[("passed", "farmers")].needs_denominator
    assert rows[("passed", "farmers")].value is None
    by_month = trend(unit=unit, year=2026, indicator=reached, month=3)
    assert [f.value for f in by_month] == [10, 30, 30]


def test_province_population_is_the_sum_of_its_communes_without_its_own() -> None:
    passed, _ = _indicators()
    c = commune(30178)
    prov = UnitRef.province(c.province_id)
    _fact(prov, 1, "passed", 9)
    Population.objects.create(
        year=2026, province=c.province, commune=c, group="", value=30
    )
    [fig] = figures(units=[prov], year=2026, month=1, indicators=[passed], groups=[""])
    assert fig.value == pytest.approx(30.0)
    Population.objects.create(year=2026, province=c.province, group="", value=90)
    [fig] = figures(units=[prov], year=2026, month=1, indicators=[passed], groups=[""])
    assert fig.value == pytest.approx(10.0)


def test_units_are_scoped_by_role() -> None:
    c = commune(30178)
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=c.code)
    boss = user_with_role(Role.PROVINCE_OFFICER, province_code=c.province_id)
    assert units_for_user(officer) == [UnitRef.commune(c)]
    assert unit_allowed(officer, UnitRef.commune(c))
    assert not unit_allowed(officer, UnitRef.province(c.province_id))
    other = next(
        u for u in child_units(UnitRef.nation()) if u.province_code != c.province_id
    )
    assert not unit_allowed(boss, other)
    assert unit_allowed(boss, UnitRef.commune(c))
    assert unit_parse(f"c{c.code}") == UnitRef.commune(c)
    assert unit_parse("vn").level == UnitLevel.NATION
    assert len(child_units(UnitRef.nation())) == 34
