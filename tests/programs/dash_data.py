"""Fact rows written by hand, as the refresh would write them, for the read path.

Commune rows are given; province and nation rows are their sums (what the
refresh writes), so that every expectation can be computed on paper.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from hocvuso.geo.models import Commune
from hocvuso.programs.access import UnitRef
from hocvuso.programs.models import (
    Aggregation,
    Approval,
    ApprovalState,
    Fact,
    Indicator,
    IndicatorSet,
    Population,
    RollupRun,
    Target,
)

AT = datetime(2026, 6, 30, 17, 5, tzinfo=UTC)  # 00:05 on 1 July in Vietnam
YEAR = 2026
HOME = 30178  # a commune; its province and a neighbour are used too


@dataclass(frozen=True)
class World:
    reached: Indicator
    passed: Indicator
    confirmed: Indicator
    home: UnitRef
    neighbour: UnitRef
    province: UnitRef
    elsewhere: UnitRef  # a commune of another province


def indicators() -> tuple[Indicator, Indicator, Indicator]:
    iset = IndicatorSet.objects.create(
        slug="t", version="1", title_vi="t", title_en="t", active=True
    )
    reached = Indicator.objects.create(
        indicator_set=iset,
        code="reached",
        name_vi="Người được tiếp cận",
        name_en="People reached",
        numerator="community.people_reached",
        aggregation=Aggregation.SUM,
        order=1,
    )
    passed = Indicator.objects.create(
        indicator_set=iset,
        code="passed",
        name_vi="Tỷ lệ người lớn đạt kỹ năng cơ bản",
        name_en="Adults with basic skills",
        numerator="assessment.passed",
        denominator=Indicator.POPULATION,
        factor=100,
        aggregation=Aggregation.LAST,
        target_groups=["farmers"],
        order=2,
    )
    confirmed = Indicator.objects.create(
        indicator_set=iset,
        code="confirmed",
        name_vi="Người được xác nhận",
        name_en="People confirmed",
        numerator="credentials.confirmed",
        aggregation=Aggregation.LAST,
        target_groups=["youth"],
        order=3,
    )
    return reached, passed, confirmed


def write_facts(rows: dict[tuple[UnitRef, int, str, str], float]) -> None:
    """Write commune rows and their province and nation sums."""
    sums: dict[tuple[UnitRef, int, str, str], float] = defaultdict(float)
    for (unit, month, code, group), value in rows.items():
        sums[(unit, month, code, group)] += value
        parent = unit.parent
        while parent is not None:
            sums[(parent, month, code, group)] += value
            parent = parent.parent
    Fact.objects.bulk_create(
        Fact(
            year=YEAR,
            level=unit.level,
            province_code=unit.province_code,
            commune_code=unit.commune_code,
            month=month,
            indicator=code,
            group=group,
            numerator=value,
            refreshed_at=AT,
        )
        for (unit, month, code, group), value in sums.items()
    )


def world() -> World:
    """Two communes of one province with three months of facts, one elsewhere."""
    reached, passed, confirmed = indicators()
    home_c = Commune.objects.select_related("province").get(code=HOME)
    neighbour_c = (
        Commune.objects.filter(province_id=home_c.province_id)
        .exclude(code=HOME)
        .order_by("code")
        .first()
    )
    assert neighbour_c is not None
    far = Commune.objects.exclude(province_id=home_c.province_id).order_by("code")[0]
    home, neighbour = UnitRef.commune(home_c), UnitRef.commune(neighbour_c)
    elsewhere = UnitRef.commune(far)
    rows: dict[tuple[UnitRef, int, str, str], float] = {}
    # reached (flow): home 10, 20, 0; neighbour 3, 4, 5; elsewhere 7 each month.
    for month, (h, n) in enumerate([(10, 3), (20, 4), (0, 5)], start=1):
        rows[(home, month, "reached", "")] = h
        rows[(neighbour, month, "reached", "")] = n
        rows[(elsewhere, month, "reached", "")] = 7
    # passed (stock): home 3, 5, 6 (farmers 1, 2, 2); neighbour 1, 1, 2.
    for month, (h, hf, n) in enumerate([(3, 1, 1), (5, 2, 1), (6, 2, 2)], start=1):
        rows[(home, month, "passed", "")] = h
        rows[(home, month, "passed", "farmers")] = hf
        rows[(neighbour, month, "passed", "")] = n
    # confirmed (stock): home 40 in month 2 only (month 3 not yet refreshed).
    rows[(home, 1, "confirmed", "")] = 30
    rows[(home, 2, "confirmed", "")] = 40
    rows[(home, 2, "confirmed", "youth")] = 12
    write_facts(rows)
    prov = home_c.province
    Population.objects.create(
        year=YEAR, province=prov, commune=home_c, group="", value=60
    )
    Population.objects.create(
        year=YEAR, province=prov, commune=neighbour_c, group="", value=40
    )
    Target.objects.create(
        year=YEAR, province=prov, commune=home_c, indicator="reached", value=120
    )
    Target.objects.create(year=YEAR, province=prov, indicator="reached", value=200)
    Target.objects.create(
        year=YEAR, province=prov, commune=home_c, indicator="passed", value=20
    )
    RollupRun.objects.create(
        kind=RollupRun.Kind.FULL, started_at=AT, finished_at=AT, watermark=AT
    )
    return World(
        reached=reached,
        passed=passed,
        confirmed=confirmed,
        home=home,
        neighbour=neighbour,
        province=UnitRef.province(prov.code),
        elsewhere=elsewhere,
    )


def approve(unit: UnitRef, month: int, state: str = ApprovalState.APPROVED) -> None:
    Approval.objects.update_or_create(
        commune_id=unit.commune_code, year=YEAR, month=month, defaults={"state": state}
    )
