"""Read the figures every dashboard, report, export and API shows.

One read path so that an export matches the screen: a :class:`Figure` is an
indicator's value for a unit × group at the end of a month of a year, with its
target and approval state, read from the fact table (never from results or
visits). Months add up by the indicator's aggregation: ``SUM`` indicators add
months 1..``month``; ``LAST`` indicators take the latest month ≤ ``month`` that
has a row (the refresh writes stocks for every month, zeros included).

A percentage needs a denominator: the indicator's computation (stored in the
facts) or the unit's imported :class:`~hocvuso.programs.models.Population`
(for a province or the nation without its own row, the sum of its communes').
Without one, ``value`` is None and ``needs_denominator`` says why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, Sum

from hocvuso.geo.models import Commune, Province
from hocvuso.programs.access import UnitRef
from hocvuso.programs.models import (
    Aggregation,
    ApprovalState,
    Fact,
    Indicator,
    IndicatorSet,
    Population,
    RollupRun,
    Target,
    UnitLevel,
)

Key = tuple[UnitRef, str, str]  # unit, indicator code, group


@dataclass(frozen=True)
class Figure:
    """An indicator's value for one unit × group, up to the end of ``month``."""

    unit: UnitRef
    indicator: str
    group: str
    year: int
    month: int
    numerator: float
    denominator: float | None
    value: float | None
    target: float | None
    approval: str
    needs_denominator: bool = False

    @property
    def expected(self) -> float | None:
        """Return where a straight path to the year's target stands at ``month``."""
        if self.target is None:
            return None
        return self.target * self.month / 12

    @property
    def lagging(self) -> bool:
        """Return whether the value is below the expected path to the target."""
        expected = self.expected
        return expected is not None and self.value is not None and self.value < expected

    @property
    def provisional(self) -> bool:
        return self.approval != ApprovalState.APPROVED


def indicators_active() -> list[Indicator]:
    """Return the active set's indicators, in order."""
    current = IndicatorSet.objects.filter(active=True).first()
    if current is None:
        return []
    return list(current.indicators.all())


def data_as_of() -> datetime | None:
    """Return when the latest finished refresh counted up to (for "data as of")."""
    run = (
        RollupRun.objects.filter(finished_at__isnull=False, error="")
        .order_by("-finished_at")
        .first()
    )
    return run.watermark if run else None


def _unit_q(units: Sequence[UnitRef]) -> Q:
    q = Q(pk__in=[])
    for unit in units:
        q |= Q(
            level=unit.level,
            province_code=unit.province_code,
            commune_code=unit.commune_code,
        )
    return q


def _unit_of(level: str, province_code: int, commune_code: int) -> UnitRef:
    return UnitRef(level, province_code, commune_code)


def _facts(
    units: Sequence[UnitRef],
    year: int,
    month: int,
    indicators: Sequence[Indicator],
    groups: Sequence[str] | None,
) -> dict[Key, tuple[float, float | None, str]]:
    """Return (numerator, denominator, approval) per unit × indicator × group."""
    aggregation = {ind.code: ind.aggregation for ind in indicators}
    qs = Fact.objects.filter(
        _unit_q(units), year=year, month__lte=month, indicator__in=list(aggregation)
    )
    if groups is not None:
        qs = qs.filter(group__in=list(groups))
    rows = qs.values_list(
        "level",
        "province_code",
        "commune_code",
        "indicator",
        "group",
        "month",
        "numerator",
        "denominator",
        "approval",
    ).order_by("month")
    sums: dict[Key, float] = defaultdict(float)
    last: dict[Key, tuple[float, float | None, str]] = {}
    for level, prov, comm, ind, group, _m, num, den, appr in rows:
        key = (_unit_of(level, prov, comm), ind, group)
        sums[key] += num
        last[key] = (num, den, appr)  # ordered by month: the latest wins
    out: dict[Key, tuple[float, float | None, str]] = {}
    for key, (num, den, appr) in last.items():
        total = sums[key] if aggregation[key[1]] == Aggregation.SUM else num
        out[key] = (total, den, appr)
    return out


def _by_unit(
    model: type[Target] | type[Population],
    units: Sequence[UnitRef],
    year: int,
    extra: Q,
    key_fields: Sequence[str],
) -> dict[tuple[UnitRef, tuple[str, ...]], float]:
    """Return ``value`` per unit and key fields, children summed where missing."""
    out: dict[tuple[UnitRef, tuple[str, ...]], float] = {}
    fields = ["province_id", "commune_id", *key_fields, "value"]
    for unit in units:
        base = model.objects.filter(extra, year=year)
        if unit.level == UnitLevel.COMMUNE:
            own = base.filter(commune_id=unit.commune_code)
        elif unit.level == UnitLevel.PROVINCE:
            own = base.filter(province_id=unit.province_code, commune__isnull=True)
        else:
            own = base.filter(province__isnull=True)
        for row in own.values_list(*fields):
            out[(unit, tuple(row[2:-1]))] = float(row[-1])
    return out


def _children_sum(
    units: Sequence[UnitRef], year: int, groups: Iterable[str]
) -> dict[tuple[UnitRef, tuple[str, ...]], float]:
    """Return the sum of the communes' populations of each province (or nation)."""
    out: dict[tuple[UnitRef, tuple[str, ...]], float] = {}
    wanted = list(groups)
    for unit in units:
        if unit.level == UnitLevel.COMMUNE:
            continue
        qs = Population.objects.filter(
            year=year, commune__isnull=False, group__in=wanted
        )
        if unit.level == UnitLevel.PROVINCE:
            qs = qs.filter(province_id=unit.province_code)
        for group, total in qs.values_list("group").annotate(total=Sum("value")):
            out[(unit, (group,))] = float(total or 0)
    return out


def _as_float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def figures(
    *,
    units: Sequence[UnitRef],
    year: int,
    month: int = 12,
    indicators: Sequence[Indicator] | None = None,
    groups: Sequence[str] | None = None,
) -> list[Figure]:
    """Return the figure of every unit × indicator × group asked for.

    ``groups`` None gives the groups each indicator is broken down by plus the
    total (``""``). Rows are in the order of ``units``, then indicators, then
    groups. Queries: a fixed number, whatever the number of units (a commune
    ranking reads one province's rows at once).
    """
    inds = list(indicators) if indicators is not None else indicators_active()
    if not inds or not units:
        return []
    wanted: dict[str, list[str]] = {}
    for ind in inds:
        own = ["", *ind.target_groups]
        wanted[ind.code] = [g for g in own if groups is None or g in groups]
    all_groups = sorted({g for gs in wanted.values() for g in gs})
    facts = _facts(units, year, month, inds, all_groups)
    targets = _by_unit(
        Target,
        units,
        year,
        Q(indicator__in=[i.code for i in inds]),
        ["indicator", "group"],
    )
    needs_population = any(i.denominator == Indicator.POPULATION for i in inds)
    population: dict[tuple[UnitRef, tuple[str, ...]], float] = {}
    if needs_population:
        population = _children_sum(units, year, all_groups)
        population.update(
            _by_unit(Population, units, year, Q(group__in=all_groups), ["group"])
        )
    out: list[Figure] = []
    for unit in units:
        for ind in inds:
            for group in wanted[ind.code]:
                num, den, approval = facts.get(
                    (unit, ind.code, group), (0.0, None, ApprovalState.OPEN)
                )
                if ind.denominator == Indicator.POPULATION:
                    den = population.get((unit, (group,)))
                value: float | None = num
                missing = False
                if ind.is_percentage:
                    missing = not den
                    value = None if missing or den is None else num / den * ind.factor
                out.append(
                    Figure(
                        unit=unit,
                        indicator=ind.code,
                        group=group,
                        year=year,
                        month=month,
                        numerator=num,
                        denominator=den,
                        value=value,
                        target=targets.get((unit, (ind.code, group))),
                        approval=approval,
                        needs_denominator=missing,
                    )
                )
    return out


def child_units(unit: UnitRef) -> list[UnitRef]:
    """Return the units directly under ``unit`` (provinces, or communes)."""
    if unit.level == UnitLevel.NATION:
        codes = Province.objects.values_list("pk", flat=True)
        return [UnitRef.province(code) for code in codes]
    if unit.level == UnitLevel.PROVINCE:
        return [
            UnitRef(UnitLevel.COMMUNE, unit.province_code, code)
            for code in Commune.objects.filter(province_id=unit.province_code)
            .order_by("code")
            .values_list("pk", flat=True)
        ]
    return []


def trend(
    *, unit: UnitRef, year: int, indicator: Indicator, group: str = "", month: int = 12
) -> list[Figure]:
    """Return the figure at the end of each month 1..``month`` (for a trend chart)."""
    return [
        figures(
            units=[unit], year=year, month=m, indicators=[indicator], groups=[group]
        )[0]
        for m in range(1, month + 1)
    ]
