"""Targets and populations: who sets them, validation, audit, races, sums."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings
from tests.factories import user_with_role
from tests.programs.steer_helpers import Steer, steer

from hocvuso.accounts.models import Role
from hocvuso.core.models import AuditLog
from hocvuso.programs.access import UnitRef
from hocvuso.programs.models import Population, Target
from hocvuso.programs.target_errors import SteerInvalid, SteerNotAllowed
from hocvuso.programs.targets import (
    population_rows,
    population_set,
    target_disagreements,
    target_may_set,
    target_rows,
    target_set,
)


@pytest.fixture
def s(db: None) -> Steer:
    return steer()


def test_an_officer_sets_a_target_and_the_change_is_audited(s: Steer) -> None:
    first = target_set(
        actor=s.officer_a,
        unit=s.unit_a,
        year=2026,
        indicator="passed",
        group="farmers",
        value="40,5",
    )
    assert first.created and first.changed
    again = target_set(
        actor=s.officer_a,
        unit=s.unit_a,
        year=2026,
        indicator="passed",
        group="farmers",
        value=40.5,
    )
    assert not again.changed
    target_set(
        actor=s.province_officer,
        unit=s.unit_a,
        year=2026,
        indicator="passed",
        group="farmers",
        value=55,
    )
    row = Target.objects.get(commune=s.a, indicator="passed", group="farmers")
    assert row.value == Decimal("55.00")
    assert row.set_by == s.province_officer
    audits = list(
        AuditLog.objects.filter(action="programs.target.set").order_by("created_at")
    )
    assert len(audits) == 2  # the repeat wrote nothing
    assert audits[0].before is None
    assert audits[0].after is not None and audits[0].after["value"] == "40.50"
    assert audits[1].before is not None and audits[1].before["value"] == "40.50"
    assert audits[1].after is not None and audits[1].after["value"] == "55.00"
    assert audits[1].actor == s.province_officer


@pytest.mark.parametrize(
    ("indicator", "group", "value", "message"),
    [
        ("passed", "", "101", "100"),
        ("passed", "", "-1", "âm"),
        ("passed", "", "abc", "số"),
        ("passed", "pensioners", "10", "pensioners"),
        ("nothing", "", "10", "nothing"),
    ],
)
def test_a_bad_target_is_refused_with_a_vietnamese_message(
    s: Steer, indicator: str, group: str, value: str, message: str
) -> None:
    with pytest.raises(SteerInvalid) as err:
        target_set(
            actor=s.officer_a,
            unit=s.unit_a,
            year=2026,
            indicator=indicator,
            group=group,
            value=value,
        )
    assert message in err.value.message
    assert err.value.status == 422
    assert not Target.objects.exists()


def test_a_count_target_may_exceed_100(s: Steer) -> None:
    target_set(
        actor=s.officer_a,
        unit=s.unit_a,
        year=2026,
        indicator="reached",
        group="",
        value=1500,
    )
    assert Target.objects.get().value == 1500


def test_another_communes_officer_is_refused(s: Steer) -> None:
    for officer in (s.officer_b, s.officer_x):
        with pytest.raises(SteerNotAllowed):
            target_set(
                actor=officer,
                unit=s.unit_a,
                year=2026,
                indicator="reached",
                group="",
                value=1,
            )
    assert not Target.objects.exists()


def test_who_sets_targets_follows_the_setting(s: Steer) -> None:
    national = user_with_role(Role.NATIONAL_ADMIN)
    with override_settings(HOCVUSO_TARGETS_SET_BY="above"):
        assert not target_may_set(s.officer_a, s.unit_a)
        assert target_may_set(s.province_officer, s.unit_a)
        assert not target_may_set(s.province_officer, s.province)
        assert target_may_set(national, s.province)
    with override_settings(HOCVUSO_TARGETS_SET_BY="self"):
        assert target_may_set(s.officer_a, s.unit_a)
        assert not target_may_set(s.province_officer, s.unit_a)
        assert target_may_set(s.province_officer, s.province)
    with override_settings(HOCVUSO_TARGETS_SET_BY="both"):
        assert target_may_set(s.officer_a, s.unit_a)
        assert target_may_set(s.province_officer, s.unit_a)
        assert not target_may_set(s.officer_a, s.province)
        assert not target_may_set(s.officer_b, s.unit_a)


def test_a_province_target_is_shown_beside_its_communes_sum(
    s: Steer, django_assert_max_num_queries: Any
) -> None:
    for unit, value in ((s.unit_a, 100), (s.unit_b, 150), (s.province, 300)):
        target_set(
            actor=s.province_officer,
            unit=unit,
            year=2026,
            indicator="reached",
            group="",
            value=value,
        )
    with django_assert_max_num_queries(6):  # whatever the number of communes
        rows = {r.key: r for r in target_rows(unit=s.province, year=2026)}
    assert rows["reached"].own == 300
    assert rows["reached"].communes_sum == 250
    assert rows["reached"].communes_set == 2
    assert rows["reached"].disagrees
    assert [r.key for r in target_disagreements(unit=s.province, year=2026)] == [
        "reached"
    ]
    target_set(
        actor=s.province_officer,
        unit=s.province,
        year=2026,
        indicator="reached",
        group="",
        value=250,
    )
    assert target_disagreements(unit=s.province, year=2026) == []
    commune_rows = {r.key: r for r in target_rows(unit=s.unit_a, year=2026)}
    assert commune_rows["reached"].own == 100
    assert commune_rows["reached"].communes_sum is None
    assert set(commune_rows) == {
        "passed",
        "passed:farmers",
        "passed:youth",
        "reached",
        "ehealth",
    }


def test_population_is_a_whole_number_per_group(s: Steer) -> None:
    population_set(
        actor=s.officer_a, unit=s.unit_a, year=2026, group="farmers", value="1200"
    )
    population_set(actor=s.officer_a, unit=s.unit_a, year=2026, group="", value=5000)
    for value in ("12.5", "-3", "x"):
        with pytest.raises(SteerInvalid):
            population_set(
                actor=s.officer_a, unit=s.unit_a, year=2026, group="", value=value
            )
    with pytest.raises(SteerInvalid):
        population_set(
            actor=s.officer_a, unit=s.unit_a, year=2026, group="martians", value=1
        )
    with pytest.raises(SteerNotAllowed):
        population_set(actor=s.officer_x, unit=s.unit_a, year=2026, group="", value=1)
    assert Population.objects.get(commune=s.a, group="").value == 5000
    rows = {r.group: r for r in population_rows(unit=s.province, year=2026)}
    assert rows["farmers"].communes_sum == 1200 and rows["farmers"].own is None
    assert AuditLog.objects.filter(action="programs.population.set").count() == 2


def _race(s: Steer, unit: UnitRef, values: list[int]) -> list[BaseException]:
    barrier = threading.Barrier(len(values))
    errors: list[BaseException] = []

    def run(value: int) -> None:
        try:
            barrier.wait(timeout=10)
            target_set(
                actor=s.province_officer,
                unit=unit,
                year=2026,
                indicator="reached",
                group="",
                value=value,
            )
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(v,)) for v in values]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_of_the_same_target_gives_one_row() -> None:
    from tests.conftest import load_reference_data

    load_reference_data()
    s = steer()
    for unit in (s.province, s.unit_a):  # commune NULL and commune set
        errors = _race(s, unit, [10, 20, 30, 40])
        assert errors == []
        rows = Target.objects.filter(
            province_id=unit.province_code,
            commune_id=unit.commune_code or None,
            indicator="reached",
        )
        assert rows.count() == 1
        assert rows.get().value in {10, 20, 30, 40}
        first = AuditLog.objects.filter(
            action="programs.target.set", object_id=str(rows.get().pk)
        ).order_by("created_at")[0]
        assert first.before is None  # one creation, the others updates


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs write transactions one at a time: the check cannot miss",
)
def test_a_cell_created_meanwhile_is_updated_not_a_500(s: Steer) -> None:
    """The insert loses the race (the row appeared after the check): update it."""
    from hocvuso.programs import targets

    Target.objects.create(
        year=2026,
        province_id=s.a.province_id,
        commune=s.a,
        indicator="reached",
        group="",
        value=10,
    )
    real = targets._existing
    calls: list[int] = []

    def missed_once(model: type[Target], lookup: dict[str, object]) -> object:
        calls.append(1)
        return None if len(calls) == 1 else real(model, lookup)

    with mock.patch.object(targets, "_existing", missed_once):
        change = target_set(
            actor=s.officer_a,
            unit=s.unit_a,
            year=2026,
            indicator="reached",
            group="",
            value=25,
        )
    assert not change.created and change.changed
    assert Target.objects.get(commune=s.a).value == 25
