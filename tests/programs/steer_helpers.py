"""Indicators, units and officers shared by the targets/approval tests."""

from __future__ import annotations

from dataclasses import dataclass

from tests.factories import commune, user_with_role

from hocvuso.accounts.models import Role, User
from hocvuso.geo.models import Commune
from hocvuso.programs.access import UnitRef
from hocvuso.programs.models import Aggregation, Indicator, IndicatorSet

COMMUNE = 30178


@dataclass
class Steer:
    """A province with two communes (A, B), another province's commune (X)."""

    a: Commune
    b: Commune
    x: Commune
    officer_a: User
    officer_b: User
    officer_x: User
    province_officer: User
    passed: Indicator
    reached: Indicator
    ehealth: Indicator

    @property
    def unit_a(self) -> UnitRef:
        return UnitRef.commune(self.a)

    @property
    def unit_b(self) -> UnitRef:
        return UnitRef.commune(self.b)

    @property
    def province(self) -> UnitRef:
        return UnitRef.province(self.a.province_id)


def indicators() -> tuple[Indicator, Indicator, Indicator]:
    iset = IndicatorSet.objects.create(
        slug="plan", version="1", title_vi="Kế hoạch", title_en="Plan", active=True
    )
    passed = Indicator.objects.create(
        indicator_set=iset,
        code="passed",
        name_vi="Tỷ lệ người lớn có kỹ năng số cơ bản",
        name_en="Adults with basic digital skills",
        numerator="assessment.passed",
        denominator=Indicator.POPULATION,
        factor=100,
        aggregation=Aggregation.LAST,
        target_groups=["farmers", "youth"],
        order=1,
    )
    reached = Indicator.objects.create(
        indicator_set=iset,
        code="reached",
        name_vi="Số người được tổ công nghệ tiếp cận",
        name_en="People reached",
        numerator="community.people_reached",
        aggregation=Aggregation.SUM,
        order=2,
    )
    ehealth = Indicator.objects.create(
        indicator_set=iset,
        code="ehealth",
        name_vi="Số người dùng sổ sức khỏe điện tử",
        name_en="People using the e-health book",
        numerator=Indicator.MANUAL,
        aggregation=Aggregation.LAST,
        order=3,
    )
    return passed, reached, ehealth


def steer() -> Steer:
    a = commune(COMMUNE)
    b = (
        Commune.objects.filter(province_id=a.province_id)
        .exclude(code=a.code)
        .order_by("code")
        .first()
    )
    x = Commune.objects.exclude(province_id=a.province_id).order_by("code").first()
    assert b is not None and x is not None
    passed, reached, ehealth = indicators()
    return Steer(
        a=a,
        b=b,
        x=x,
        officer_a=user_with_role(Role.COMMUNE_OFFICER, commune_code=a.code),
        officer_b=user_with_role(Role.COMMUNE_OFFICER, commune_code=b.code),
        officer_x=user_with_role(Role.COMMUNE_OFFICER, commune_code=x.code),
        province_officer=user_with_role(
            Role.PROVINCE_OFFICER, province_code=a.province_id
        ),
        passed=passed,
        reached=reached,
        ehealth=ehealth,
    )
