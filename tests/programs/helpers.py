"""Indicators and facts for the programs tests (created directly, no refresh)."""

from __future__ import annotations

from datetime import UTC, datetime

from hocvuso.geo.models import Commune
from hocvuso.programs.access import UnitRef
from hocvuso.programs.models import (
    Aggregation,
    Fact,
    Indicator,
    IndicatorSet,
    Population,
    RollupRun,
    Target,
)

AT = datetime(2026, 6, 1, tzinfo=UTC)


def indicators() -> tuple[Indicator, Indicator]:
    iset = IndicatorSet.objects.create(
        slug="t", version="1", title_vi="t", title_en="t", active=True
    )
    passed = Indicator.objects.create(
        indicator_set=iset,
        code="passed",
        name_vi="Tỷ lệ người lớn đạt kỹ năng số cơ bản",
        name_en="Adults with basic digital skills",
        numerator="assessment.passed",
        denominator=Indicator.POPULATION,
        factor=100,
        aggregation=Aggregation.LAST,
        target_groups=["farmers"],
        order=1,
    )
    reached = Indicator.objects.create(
        indicator_set=iset,
        code="reached",
        name_vi="Số người được tổ công nghệ số tiếp cận",
        name_en="People reached",
        numerator="community.people_reached",
        aggregation=Aggregation.SUM,
        order=2,
    )
    return passed, reached


def fact(unit: UnitRef, month: int, code: str, num: float, group: str = "") -> None:
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


def refreshed(at: datetime = AT) -> RollupRun:
    return RollupRun.objects.create(
        kind=RollupRun.Kind.FULL, started_at=at, finished_at=at, watermark=at
    )


def province_with_figures(code: int = 30178) -> tuple[UnitRef, list[UnitRef]]:
    """Give a province and two of its communes facts, a population and a target."""
    indicators()
    first = Commune.objects.select_related("province").get(code=code)
    second = (
        Commune.objects.filter(province_id=first.province_id)
        .exclude(code=code)
        .order_by("code")
        .first()
    )
    assert second is not None
    prov = UnitRef.province(first.province_id)
    communes = [UnitRef.commune(first), UnitRef.commune(second)]
    for i, unit in enumerate([prov, *communes]):
        scale = 3 if i == 0 else 1
        fact(unit, 1, "passed", 4 * scale + i)
        fact(unit, 2, "passed", 7 * scale + i)
        fact(unit, 1, "reached", 1200 * scale + i)
        fact(unit, 2, "reached", 35 * scale)
        fact(unit, 2, "passed", 2 * scale, group="farmers")
    for c in (first, second):
        Population.objects.create(
            year=2026, province=first.province, commune=c, group="", value=40
        )
    Target.objects.create(
        year=2026,
        province=first.province,
        commune=first,
        indicator="passed",
        group="",
        value=60,
    )
    Target.objects.create(
        year=2026,
        province=first.province,
        indicator="reached",
        group="",
        value=5000,
    )
    refreshed()
    return prov, communes
