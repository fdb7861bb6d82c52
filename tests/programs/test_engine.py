"""The indicator engine: computations, the fact refresh, the lock, the loader."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from tests.assessment.conftest import adults, bank  # noqa: F401 (fixtures)
from tests.programs.engine_support import (
    COMMUNE,
    HANOI,
    OTHER,
    Reader,
    at,
    attend_row,
    complete_row,
    confirm_row,
    event_in,
    learner,
    lesson,
    result_row,
    team_in,
    visit_row,
)

from hocvuso.assessment.models import Blueprint
from hocvuso.core.indicators import CountQuery, computation_get
from hocvuso.programs.access import UnitRef
from hocvuso.programs.indicator_sets import (
    DEFAULT_INDICATORS_FILE,
    IndicatorDataError,
    IndicatorSetChanged,
    indicator_set_load,
)
from hocvuso.programs.models import Fact, IndicatorSet, ManualValue, RollupLock
from hocvuso.programs.rollup import LOCK_KEY, LOCK_NAME, facts_rebuild, facts_refresh

pytestmark = pytest.mark.django_db

NOW = at(2026, 6, 20, 12)
C = UnitRef("commune", 82, COMMUNE)
C2 = UnitRef("commune", 82, OTHER)
P = UnitRef.province(82)
HN = UnitRef("commune", 1, HANOI)
VN = UnitRef.nation()
read = Reader(2026)


@pytest.fixture(autouse=True)
def _indicators() -> None:
    indicator_set_load()


def _facts() -> dict[tuple[Any, ...], tuple[float, float | None, str]]:
    return {
        (
            f.year,
            f.level,
            f.province_code,
            f.commune_code,
            f.month,
            f.indicator,
            f.group,
        ): (
            f.numerator,
            f.denominator,
            f.approval,
        )
        for f in Fact.objects.all()
    }


# -- Loading ------------------------------------------------------------------


def test_the_shipped_set_loads_once_and_is_active() -> None:
    again = indicator_set_load()
    assert not again.created and not again.activated
    iset = IndicatorSet.objects.get(active=True)
    codes = list(iset.indicators.values_list("code", flat=True))
    assert codes[:2] == ["basic-skills", "confirmed"]
    assert {"ehealth-book", "people-reached", "event-attendance"} <= set(codes)
    group = iset.indicators.get(code="group-completed")
    assert group.target_groups == [
        "civil_servants",
        "leaders",
        "union_members",
        "youth",
        "students",
        "workers",
    ]


def test_a_changed_file_under_the_same_version_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_INDICATORS_FILE.read_text(encoding="utf-8"))
    data["indicators"][0]["factor"] = 1000
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(IndicatorSetChanged, match="new 'version'"):
        indicator_set_load(path=path)
    with pytest.raises(CommandError, match="already loaded with different content"):
        call_command("programs", "indicators", "load", str(path))
    data["version"] = "2025.2"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = indicator_set_load(path=path)
    assert done.created and done.activated
    assert IndicatorSet.objects.get(active=True).version == "2025.2"


def test_a_summed_stock_and_an_unknown_computation_are_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_INDICATORS_FILE.read_text(encoding="utf-8"))
    data["version"] = "x"
    data["indicators"][0]["aggregation"] = "sum"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(IndicatorDataError, match="is a stock"):
        indicator_set_load(path=path)
    data["indicators"][0]["aggregation"] = "last"
    data["indicators"][0]["numerator"] = "nowhere.count"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(IndicatorDataError, match=r"nowhere\.count"):
        indicator_set_load(path=path)


# -- Computations ---------------------------------------------------------------


def test_passes_are_a_stock_counted_once_per_person(
    adults: Blueprint,  # noqa: F811
) -> None:
    anh, binh = learner(), learner(group="farmers")
    result_row(adults, anh, at(2026, 2), passed=False)
    result_row(adults, anh, at(2026, 3))
    result_row(adults, anh, at(2026, 5))  # a second pass: no second count
    result_row(adults, anh, at(2026, 4), group="workers")  # another group
    result_row(adults, binh, at(2025, 11), group="farmers")  # before the year
    counts = computation_get("assessment.passed").count(CountQuery(year=2026))
    total = {
        c.month: c.value for c in counts if c.group == "" and c.commune_code == COMMUNE
    }
    assert total == {
        1: 1,
        2: 1,
        3: 2,
        4: 2,
        5: 2,
        6: 2,
        7: 2,
        8: 2,
        9: 2,
        10: 2,
        11: 2,
        12: 2,
    }
    adults_ = {c.month: c.value for c in counts if c.group == "adults"}
    assert adults_[2] == 0 if 2 in adults_ else True
    assert adults_[3] == 1 and adults_[12] == 1
    workers = {c.month for c in counts if c.group == "workers"}
    assert min(workers) == 4
    completed = computation_get("assessment.completed").count(CountQuery(year=2026))
    assert {c.month: c.value for c in completed if c.group == "adults"}[2] == 1


def test_a_revocation_lowers_the_confirmed_stock(
    adults: Blueprint,  # noqa: F811
) -> None:
    people = [learner() for _ in range(3)]
    results = [result_row(adults, p, at(2026, 1)) for p in people]
    confirm_row(results[0], at(2026, 2))
    confirm_row(results[1], at(2026, 2), revoked=at(2026, 4))
    confirm_row(results[2], at(2026, 3))
    facts_rebuild(now=NOW)
    assert [read("confirmed", C, m) for m in range(1, 7)] == [0, 2, 3, 2, 2, 2]
    assert read("confirmed", P, 4) == 2 and read("confirmed", VN, 6) == 2
    flows = computation_get("credentials.revoked").count(CountQuery(year=2026))
    assert [(c.month, c.value) for c in flows if c.group == ""] == [(4, 1.0)]


def test_flows_add_up_over_months_without_double_counting(
    adults: Blueprint,  # noqa: F811
) -> None:
    team, other = team_in(COMMUNE), team_in(HANOI)
    volunteer = learner()
    visit_row(team, volunteer, at(2026, 1), 3)
    visit_row(team, volunteer, at(2026, 1, 31, 23), 2)  # still January in Vietnam
    visit_row(team, volunteer, at(2026, 3), 4)
    visit_row(other, volunteer, at(2026, 3), 5)
    event = event_in(COMMUNE, at(2026, 2))
    for person in [learner(group="farmers"), learner(group="farmers"), learner()]:
        attend_row(event, person, at(2026, 2))
    item = lesson("farmers-traceability-qr")
    farmer = learner(group="farmers")
    complete_row(farmer, item, at(2026, 2))
    complete_row(farmer, lesson("farmers-growing-area-codes"), at(2026, 3))
    facts_rebuild(now=NOW)
    assert [read("people-reached", C, m) for m in (1, 2, 3, 6)] == [5, 5, 9, 9]
    assert read("people-reached", P, 6) == 9
    assert read("people-reached", VN, 6) == 14
    assert read("event-attendance", C, 6) == 3
    assert read("lessons-completed", C, 6) == 2
    assert read("lessons-completed", C, 6, "farmers") == 2
    # Two traceability lessons, one farmer: a stock of one person.
    assert read("farmers-traceability", C, 6, "farmers") == 1
    assert read("farmers-traceability", C, 1, "farmers") == 0


def test_province_rows_sum_communes_and_a_province_value_wins(
    adults: Blueprint,  # noqa: F811
) -> None:
    result_row(adults, learner(COMMUNE), at(2026, 2))
    result_row(adults, learner(OTHER), at(2026, 3))
    result_row(adults, learner(HANOI), at(2026, 3))
    for code, value in ((COMMUNE, 10), (OTHER, 20)):
        ManualValue.objects.create(
            province_id=82,
            commune_id=code,
            year=2026,
            month=3,
            indicator="ehealth-book",
            value=value,
        )
    facts_rebuild(now=NOW)
    assert read("basic-skills", C, 6) == 1
    assert read("basic-skills", P, 2) == 1 and read("basic-skills", P, 3) == 2
    assert read("basic-skills", VN, 3) == 3
    assert read("ehealth-book", P, 3) == 30
    ManualValue.objects.create(
        province_id=82, year=2026, month=3, indicator="ehealth-book", value=100
    )
    facts_rebuild(now=NOW)
    assert read("ehealth-book", P, 3) == 100


# -- Refresh ------------------------------------------------------------------


def _world(
    rng: np.random.Generator,
    blueprint: Blueprint,
    n: int,
    month: int,
    changed: Any = None,
) -> None:
    """Write ``n`` learners with results, confirmations and visits (``changed``:
    when the rows were written, None: at the time they record)."""
    codes = [COMMUNE, OTHER, HANOI]
    groups = ["adults", "farmers", "workers"]
    team = {code: team_in(code) for code in codes}
    for _ in range(n):
        code = codes[int(rng.integers(3))]
        person = learner(code, groups[int(rng.integers(3))])
        when = at(2026, int(rng.integers(1, month + 1)), int(rng.integers(1, 28)))
        result = result_row(
            blueprint,
            person,
            when,
            group=groups[int(rng.integers(3))],
            passed=bool(rng.random() < 0.7),
            changed=changed,
        )
        if result.passed and rng.random() < 0.6:
            revoked = when + timedelta(days=40) if rng.random() < 0.2 else None
            confirm_row(
                result, when + timedelta(days=1), revoked=revoked, changed=changed
            )
        visit_row(team[code], person, when, int(rng.integers(1, 5)), changed)


def test_an_incremental_refresh_equals_a_rebuild(
    adults: Blueprint,  # noqa: F811
) -> None:
    rng = np.random.default_rng(17)
    _world(rng, adults, 30, 5)
    first = facts_refresh(now=at(2026, 6, 1, 8))
    assert first.kind == "full"
    _world(rng, adults, 20, 6, at(2026, 6, 10))  # new rows, also in earlier months
    later = facts_refresh(now=at(2026, 6, 20, 12))
    assert later.kind == "incremental"
    incremental = _facts()
    facts_rebuild(now=at(2026, 6, 20, 12))
    rebuilt = _facts()
    assert later.rows > 0
    assert set(incremental) == set(rebuilt)
    assert all(incremental[k][:2] == rebuilt[k][:2] for k in rebuilt)
    # Nothing changed since: the next refresh rewrites nothing.
    assert facts_refresh(now=at(2026, 6, 21, 12)).rows == 0


def test_a_new_month_rebuilds_to_carry_the_stocks(
    adults: Blueprint,  # noqa: F811
) -> None:
    result_row(adults, learner(), at(2026, 4))
    assert facts_refresh(now=at(2026, 5, 5)).kind == "full"
    assert facts_refresh(now=at(2026, 5, 6)).kind == "incremental"
    assert facts_refresh(now=at(2026, 6, 1)).kind == "full"
    assert read("basic-skills", C, 6) == 1
    assert Fact.objects.filter(
        indicator="basic-skills", level="province", month=6
    ).exists()


def test_the_lock_keeps_refreshes_one_at_a_time(
    adults: Blueprint,  # noqa: F811
) -> None:
    if connection.vendor == "postgresql":
        import psycopg

        settings = connection.settings_dict
        other = psycopg.connect(
            host=settings["HOST"],
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            dbname=settings["NAME"],
            password=settings["PASSWORD"] or None,
            autocommit=True,
        )
        other.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            assert facts_refresh(now=NOW).busy
            assert facts_rebuild(now=NOW).busy
        finally:
            other.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
            other.close()
    else:
        RollupLock.objects.create(name=LOCK_NAME, holder="another", acquired_at=NOW)
        assert facts_refresh(now=NOW).busy
        RollupLock.objects.filter(name=LOCK_NAME).update(acquired_at=at(2100, 1))
        with pytest.raises(CommandError, match="Another refresh is running"):
            call_command("programs", "refresh")
        RollupLock.objects.filter(name=LOCK_NAME).update(acquired_at=NOW)
        # A lock held for longer than the stale limit is taken over.
        assert not facts_rebuild(now=NOW + timedelta(hours=2)).busy
        assert RollupLock.objects.get(name=LOCK_NAME).holder == ""
    assert not facts_refresh(now=NOW + timedelta(hours=3)).busy


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_facts_are_partitioned_by_year_on_postgresql() -> None:
    from hocvuso.programs.partitions import fact_partition_ensure, fact_partitions

    names = fact_partitions()
    assert "programs_fact_y2026" in names and "programs_fact_default" in names
    Fact.objects.create(
        year=2033,
        level="nation",
        province_code=0,
        commune_code=0,
        month=1,
        indicator="x",
        group="",
        numerator=1,
        refreshed_at=NOW,
    )
    assert fact_partition_ensure(2033)
    assert "programs_fact_y2033" in fact_partitions()
    assert Fact.objects.get(year=2033).numerator == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM programs_fact_y2033")
        assert cursor.fetchone()[0] == 1
    assert not fact_partition_ensure(2033)


def test_the_commands_report_without_data(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("programs", "status")
    out = capsys.readouterr().out
    assert "Last run: none" in out and "assessment.passed" in out
    call_command("programs", "rebuild")
    call_command("programs", "refresh")
    call_command("programs", "status")
    out = capsys.readouterr().out
    assert "incremental" in out and "Last good run: incremental" in out


def test_facts_carry_the_approval_state(
    adults: Blueprint,  # noqa: F811
) -> None:
    from hocvuso.programs.models import Approval

    result_row(adults, learner(COMMUNE), at(2026, 3))
    result_row(adults, learner(OTHER), at(2026, 3))
    Approval.objects.create(commune_id=COMMUNE, year=2026, month=3, state="approved")
    facts_rebuild(now=NOW)

    def state(level: str, commune: int = 0) -> str:
        return Fact.objects.get(
            year=2026,
            level=level,
            commune_code=commune,
            month=3,
            indicator="basic-skills",
            group="",
        ).approval

    assert state("commune", COMMUNE) == "approved"
    assert state("commune", OTHER) == "open"
    assert state("province") == "open"  # one of its communes is not approved
    Approval.objects.create(commune_id=OTHER, year=2026, month=3, state="approved")
    assert facts_refresh(now=NOW + timedelta(hours=1)).kind == "incremental"
    assert state("province") == "approved"
