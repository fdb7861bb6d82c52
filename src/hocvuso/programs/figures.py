"""Read the figures every dashboard, report, export and API shows.

One read path so that an export matches the screen: a :class:`Figure` is an
indicator's value for a unit × group at the end of a month of a year, with its
target and approval state, read from the fact table (never from results or
visits). Months add up by the indicator's aggregation: ``SUM`` indicators add
months 1..``month``; ``LAST`` indicators take the latest month ≤ ``month`` that
has a row (the refresh writes stocks for every month, zeros included).

Everything is aggregated in SQL, whatever the number of units asked for: per
unit level, one ``GROUP BY`` gives each cell's sum over the months and its last
month, a second reads the cells at their last month (stocks and computation
denominators); targets, populations and approvals take one query each. No
query per unit and no loop over fact rows in Python.

Approval is read from :class:`~hocvuso.programs.models.Approval` (the fact
table's own column may lag an approval made after the last refresh). A
commune's figure carries its month's state; a province's or the nation's is
approved when every commune in it is, and says how many are
(``approved_units`` of ``total_units``). With ``approved_only`` the values
count only approved commune-months (what the nation sees by default).

A percentage needs a denominator: the indicator's computation (stored in the
facts) or the unit's imported :class:`~hocvuso.programs.models.Population`
(for a province or the nation without its own row, the sum of its communes').
Without one, ``value`` is None and ``needs_denominator`` says why.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)

from hocvuso.geo.models import Commune, Province
from hocvuso.programs.access import UnitRef
from hocvuso.programs.models import (
    Aggregation,
    Approval,
    ApprovalState,
    Fact,
    Indicator,
    Population,
    RollupRun,
    Target,
    UnitLevel,
)

Key = tuple[UnitRef, str, str]  # unit, indicator code, group
CACHE_SECONDS = 3600


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
    approved_units: int = 0
    total_units: int = 1
    approved_only: bool = False
    children_target: float | None = None  # the sum of the units' below, if any

    @property
    def targets_disagree(self) -> bool:
        """Return whether the unit's own target differs from its units' sum."""
        return (
            self.target is not None
            and self.children_target is not None
            and abs(self.target - self.children_target) > 1e-9
        )

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

    @property
    def progress(self) -> float | None:
        """Return the value as a share of the target (1.0 = reached)."""
        if self.target is None or self.target <= 0 or self.value is None:
            return None
        return self.value / self.target


def indicators_active() -> list[Indicator]:
    """Return the active set's indicators, in order."""
    return list(
        Indicator.objects.filter(indicator_set__active=True).order_by("order", "code")
    )


def data_as_of() -> datetime | None:
    """Return when the latest finished refresh counted up to (for "data as of")."""
    run = (
        RollupRun.objects.filter(finished_at__isnull=False, error="")
        .order_by("-finished_at")
        .first()
    )
    return run.watermark if run else None


def _by_level(units: Iterable[UnitRef]) -> dict[str, list[UnitRef]]:
    out: dict[str, list[UnitRef]] = defaultdict(list)
    for unit in units:
        out[unit.level].append(unit)
    return out


def _approved() -> Exists:
    return Exists(
        Approval.objects.filter(
            commune_id=OuterRef("commune_code"),
            year=OuterRef("year"),
            month=OuterRef("month"),
            state=ApprovalState.APPROVED,
        )
    )


def _source(
    level: str, units: Sequence[UnitRef], approved_only: bool
) -> tuple[QuerySet[Fact], tuple[str, ...]]:
    """Return the fact rows to add up for ``units`` and the fields naming a unit.

    Without ``approved_only`` each unit reads its own rows (provinces and the
    nation are pre-summed by the refresh). With it, approved commune rows are
    summed up to the level asked for.
    """
    if not approved_only:
        qs = Fact.objects.filter(level=level)
        if level == UnitLevel.COMMUNE:
            # The province code first: it leads the primary key's index.
            qs = qs.filter(
                province_code__in=sorted({u.province_code for u in units}),
                commune_code__in=[u.commune_code for u in units],
            )
        elif level == UnitLevel.PROVINCE:
            qs = qs.filter(province_code__in=[u.province_code for u in units])
        return qs, ("province_code", "commune_code")
    qs = Fact.objects.filter(level=UnitLevel.COMMUNE).filter(_approved())
    if level == UnitLevel.COMMUNE:
        qs = qs.filter(
            province_code__in=sorted({u.province_code for u in units}),
            commune_code__in=[u.commune_code for u in units],
        )
        return qs, ("province_code", "commune_code")
    if level == UnitLevel.PROVINCE:
        qs = qs.filter(province_code__in=[u.province_code for u in units])
        return qs, ("province_code",)
    return qs, ()


def _unit_from(level: str, row: dict[str, int]) -> UnitRef:
    if level == UnitLevel.COMMUNE:
        return UnitRef(level, row["province_code"], row["commune_code"])
    if level == UnitLevel.PROVINCE:
        return UnitRef(level, row["province_code"])
    return UnitRef.nation()


@dataclass(frozen=True)
class _Cell:
    numerator: float
    denominator: float | None


def _facts(
    units: Sequence[UnitRef],
    year: int,
    month: int,
    indicators: Sequence[Indicator],
    groups: Sequence[str],
    approved_only: bool,
) -> dict[Key, _Cell]:
    """Return numerator and denominator per unit × indicator × group (SQL sums)."""
    aggregation = {ind.code: ind.aggregation for ind in indicators}
    out: dict[Key, _Cell] = {}
    for level, members in _by_level(units).items():
        qs, fields = _source(level, members, approved_only)
        qs = qs.filter(
            year=year,
            month__lte=month,
            indicator__in=list(aggregation),
            group__in=list(groups),
        )
        names = (*fields, "indicator", "group")
        totals: dict[Key, float] = {}
        last: dict[Key, int] = {}
        for row in (
            qs.order_by()
            .values(*names)
            .annotate(total=Sum("numerator"), last=Max("month"))
        ):
            key = (_unit_from(level, row), row["indicator"], row["group"])
            totals[key] = float(row["total"] or 0)
            last[key] = int(row["last"])
        if not last:
            continue
        at_last: dict[tuple[Key, int], tuple[float, float | None]] = {}
        for row in (
            qs.filter(month__in=sorted(set(last.values())))
            .order_by()
            .values(*names, "month")
            .annotate(num=Sum("numerator"), den=Sum("denominator"))
        ):
            key = (_unit_from(level, row), row["indicator"], row["group"])
            den = row["den"]
            at_last[(key, int(row["month"]))] = (
                float(row["num"] or 0),
                None if den is None else float(den),
            )
        for key, month_last in last.items():
            num, den = at_last.get((key, month_last), (0.0, None))
            if aggregation[key[1]] == Aggregation.SUM:
                num = totals[key]
            out[key] = _Cell(num, den)
    return out


def _unit_rows_q(units: Sequence[UnitRef]) -> Q:
    """Return the filter of unit-scoped rows (targets, populations) of ``units``."""
    q = Q(pk__in=[])
    levels = _by_level(units)
    if UnitLevel.NATION in levels:
        q |= Q(province__isnull=True)
    if UnitLevel.PROVINCE in levels:
        codes = [u.province_code for u in levels[UnitLevel.PROVINCE]]
        q |= Q(province_id__in=codes, commune__isnull=True)
    if UnitLevel.COMMUNE in levels:
        codes = [u.commune_code for u in levels[UnitLevel.COMMUNE]]
        q |= Q(commune_id__in=codes)
    return q


def _row_unit(province_id: int | None, commune_id: int | None) -> UnitRef:
    if commune_id is not None:
        return UnitRef(UnitLevel.COMMUNE, province_id or 0, commune_id)
    if province_id is not None:
        return UnitRef.province(province_id)
    return UnitRef.nation()


def _targets(
    units: Sequence[UnitRef], year: int, codes: Sequence[str]
) -> dict[Key, float]:
    rows = Target.objects.filter(
        _unit_rows_q(units), year=year, indicator__in=list(codes)
    ).values_list("province_id", "commune_id", "indicator", "group", "value")
    return {
        (_row_unit(p, c), ind, group): float(value) for p, c, ind, group, value in rows
    }


def _children_targets(
    units: Sequence[UnitRef], year: int, codes: Sequence[str]
) -> dict[Key, float]:
    """Return the sum of the targets one level down (communes, or provinces).

    Province targets are set on their own, not summed from the communes';
    the sum is shown next to them when the two disagree.
    """
    out: dict[Key, float] = {}
    levels = _by_level(units)
    base = Target.objects.filter(year=year, indicator__in=list(codes)).order_by()
    provinces = [u.province_code for u in levels.get(UnitLevel.PROVINCE, [])]
    if provinces:
        for prov, ind, group, total in (
            base.filter(province_id__in=provinces, commune__isnull=False)
            .values_list("province_id", "indicator", "group")
            .annotate(total=Sum("value"))
        ):
            out[(UnitRef.province(prov), ind, group)] = float(total)
    if UnitLevel.NATION in levels:
        for ind, group, total in (
            base.filter(province__isnull=False, commune__isnull=True)
            .values_list("indicator", "group")
            .annotate(total=Sum("value"))
        ):
            out[(UnitRef.nation(), ind, group)] = float(total)
    return out


def _population(
    units: Sequence[UnitRef], year: int, groups: Sequence[str]
) -> dict[tuple[UnitRef, str], float]:
    """Return each unit's population per group: its own, else its communes' sum."""
    out: dict[tuple[UnitRef, str], float] = {}
    levels = _by_level(units)
    provinces = [u.province_code for u in levels.get(UnitLevel.PROVINCE, [])]
    children = Population.objects.filter(
        year=year, commune__isnull=False, group__in=list(groups)
    ).order_by()
    if provinces:
        for prov, group, total in (
            children.filter(province_id__in=provinces)
            .values_list("province_id", "group")
            .annotate(total=Sum("value"))
        ):
            out[(UnitRef.province(prov), group)] = float(total or 0)
    if UnitLevel.NATION in levels:
        for group, total in children.values_list("group").annotate(total=Sum("value")):
            out[(UnitRef.nation(), group)] = float(total or 0)
    for p, c, group, value in Population.objects.filter(
        _unit_rows_q(units), year=year, group__in=list(groups)
    ).values_list("province_id", "commune_id", "group", "value"):
        out[(_row_unit(p, c), group)] = float(value)
    return out


@dataclass(frozen=True)
class _State:
    state: str
    approved: int
    total: int


def _approvals(
    units: Sequence[UnitRef], year: int, month: int
) -> dict[UnitRef, _State]:
    """Return each unit's approval state for the month (read from Approval)."""
    out: dict[UnitRef, _State] = {}
    levels = _by_level(units)
    communes = levels.get(UnitLevel.COMMUNE, [])
    if communes:
        states = dict(
            Approval.objects.filter(
                year=year,
                month=month,
                commune_id__in=[u.commune_code for u in communes],
            ).values_list("commune_id", "state")
        )
        for unit in communes:
            state = states.get(unit.commune_code, ApprovalState.OPEN)
            out[unit] = _State(state, int(state == ApprovalState.APPROVED), 1)
    wider = levels.get(UnitLevel.PROVINCE, []) + levels.get(UnitLevel.NATION, [])
    if not wider:
        return out
    provinces = {u.province_code for u in wider if u.level == UnitLevel.PROVINCE}
    communes_qs = Commune.objects.order_by()
    if UnitLevel.NATION not in levels:
        communes_qs = communes_qs.filter(province_id__in=sorted(provinces))
    state_of = Approval.objects.filter(
        commune_id=OuterRef("code"), year=year, month=month
    ).values("state")[:1]
    sizes: dict[int, int] = defaultdict(int)
    counts: dict[tuple[int, str], int] = {}
    for prov, state, n in (
        communes_qs.annotate(state=Subquery(state_of))
        .values_list("province_id", "state")
        .annotate(n=Count("code"))
    ):
        sizes[prov] += n
        counts[(prov, state or ApprovalState.OPEN)] = n
    for unit in wider:
        provs = (
            [unit.province_code] if unit.level == UnitLevel.PROVINCE else list(sizes)
        )
        total = sum(sizes.get(p, 0) for p in provs)
        approved = sum(counts.get((p, ApprovalState.APPROVED), 0) for p in provs)
        submitted = sum(counts.get((p, ApprovalState.SUBMITTED), 0) for p in provs)
        if total and approved == total:
            state = ApprovalState.APPROVED
        elif total and approved + submitted == total:
            state = ApprovalState.SUBMITTED
        else:
            state = ApprovalState.OPEN
        out[unit] = _State(state, approved, total)
    return out


def _approved_cache_key(
    units: Sequence[UnitRef],
    year: int,
    month: int,
    inds: Sequence[Indicator],
    groups: Sequence[str] | None,
) -> str:
    """Return a cache key that changes with every refresh and every approval."""
    stamp = Approval.objects.order_by().aggregate(last=Max("updated_at"), n=Count("id"))
    as_of = data_as_of()
    parts = [
        "programs-approved-v1",
        str(year),
        str(month),
        as_of.isoformat() if as_of else "-",
        str(stamp["last"]),
        str(stamp["n"]),
        ",".join(f"{i.pk}:{i.code}" for i in inds),
        "*" if groups is None else ",".join(groups),
        ",".join(u.slug for u in units),
    ]
    return "programs:fig:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def figures(
    *,
    units: Sequence[UnitRef],
    year: int,
    month: int = 12,
    indicators: Sequence[Indicator] | None = None,
    groups: Sequence[str] | None = None,
    approved_only: bool = False,
) -> list[Figure]:
    """Return the figure of every unit × indicator × group asked for.

    ``groups`` None gives the groups each indicator is broken down by plus the
    total (``""``). Rows are in the order of ``units``, then indicators, then
    groups. Queries: a fixed number, whatever the number of units (a commune
    ranking reads one province's rows at once). ``approved_only`` counts only
    the commune-months a province approved.
    """
    inds = list(indicators) if indicators is not None else indicators_active()
    if not inds or not units:
        return []
    if approved_only and any(u.level != UnitLevel.COMMUNE for u in units):
        # Approved-only sums read commune rows (a province's or the nation's
        # own rows mix in provisional ones): kept until the next refresh or
        # approval changes the key.
        key = _approved_cache_key(units, year, month, inds, groups)
        cached: list[Figure] | None = cache.get(key)
        if cached is None:
            cached = _figures(units, year, month, inds, groups, approved_only)
            cache.set(key, cached, timeout=CACHE_SECONDS)
        return cached
    return _figures(units, year, month, inds, groups, approved_only)


def _figures(
    units: Sequence[UnitRef],
    year: int,
    month: int,
    inds: list[Indicator],
    groups: Sequence[str] | None,
    approved_only: bool,
) -> list[Figure]:
    wanted: dict[str, list[str]] = {}
    for ind in inds:
        own = ["", *ind.target_groups]
        wanted[ind.code] = [g for g in own if groups is None or g in groups]
    all_groups = sorted({g for gs in wanted.values() for g in gs})
    if not all_groups:
        return []
    facts = _facts(units, year, month, inds, all_groups, approved_only)
    targets = _targets(units, year, [i.code for i in inds])
    below: dict[Key, float] = {}
    if any(u.level != UnitLevel.COMMUNE for u in units):
        below = _children_targets(units, year, [i.code for i in inds])
    population: dict[tuple[UnitRef, str], float] = {}
    if any(i.denominator == Indicator.POPULATION for i in inds):
        population = _population(units, year, all_groups)
    states = _approvals(units, year, month)
    out: list[Figure] = []
    for unit in units:
        state = states[unit]
        for ind in inds:
            for group in wanted[ind.code]:
                cell = facts.get((unit, ind.code, group), _Cell(0.0, None))
                num, den = cell.numerator, cell.denominator
                if ind.denominator == Indicator.POPULATION:
                    den = population.get((unit, group))
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
                        target=targets.get((unit, ind.code, group)),
                        approval=state.state,
                        needs_denominator=missing,
                        approved_units=state.approved,
                        total_units=state.total,
                        approved_only=approved_only,
                        children_target=below.get((unit, ind.code, group)),
                    )
                )
    return out


def child_units(unit: UnitRef) -> list[UnitRef]:
    """Return the units directly under ``unit`` (provinces, or communes)."""
    if unit.level == UnitLevel.NATION:
        codes = Province.objects.order_by("code").values_list("pk", flat=True)
        return [UnitRef.province(code) for code in codes]
    if unit.level == UnitLevel.PROVINCE:
        return [
            UnitRef(UnitLevel.COMMUNE, unit.province_code, code)
            for code in Commune.objects.filter(province_id=unit.province_code)
            .order_by("code")
            .values_list("pk", flat=True)
        ]
    return []


def unit_names(units: Sequence[UnitRef]) -> dict[UnitRef, str]:
    """Return the display name of each unit (two queries at most)."""
    levels = _by_level(units)
    out: dict[UnitRef, str] = {}
    if UnitLevel.NATION in levels:
        out[UnitRef.nation()] = "Việt Nam"
    if UnitLevel.PROVINCE in levels:
        names = dict(
            Province.objects.filter(
                code__in=[u.province_code for u in levels[UnitLevel.PROVINCE]]
            ).values_list("code", "name")
        )
        for u in levels[UnitLevel.PROVINCE]:
            out[u] = names.get(u.province_code, str(u.province_code))
    if UnitLevel.COMMUNE in levels:
        names = dict(
            Commune.objects.filter(
                code__in=[u.commune_code for u in levels[UnitLevel.COMMUNE]]
            ).values_list("code", "name")
        )
        for u in levels[UnitLevel.COMMUNE]:
            out[u] = names.get(u.commune_code, str(u.commune_code))
    return out


def trend_all(
    *,
    unit: UnitRef,
    year: int,
    month: int = 12,
    indicators: Sequence[Indicator] | None = None,
    groups: Sequence[str] | None = None,
    approved_only: bool = False,
) -> dict[tuple[str, str], list[Figure]]:
    """Return, per indicator × group, the figure at the end of each month.

    One query for the facts of months 1..``month`` (grouped by month in SQL),
    flows accumulated over the months here (twelve values per cell), plus
    targets, populations and approvals (of ``month``).
    """
    inds = list(indicators) if indicators is not None else indicators_active()
    if not inds:
        return {}
    if approved_only and unit.level != UnitLevel.COMMUNE:
        key = "trend-" + _approved_cache_key([unit], year, month, inds, groups)
        cached: dict[tuple[str, str], list[Figure]] | None = cache.get(key)
        if cached is None:
            cached = _trend_all(unit, year, month, inds, groups, approved_only)
            cache.set(key, cached, timeout=CACHE_SECONDS)
        return cached
    return _trend_all(unit, year, month, inds, groups, approved_only)


def _trend_all(
    unit: UnitRef,
    year: int,
    month: int,
    inds: list[Indicator],
    groups: Sequence[str] | None,
    approved_only: bool,
) -> dict[tuple[str, str], list[Figure]]:
    wanted = {
        ind.code: [g for g in ["", *ind.target_groups] if groups is None or g in groups]
        for ind in inds
    }
    all_groups = sorted({g for gs in wanted.values() for g in gs})
    qs, _fields = _source(unit.level, [unit], approved_only)
    monthly: dict[tuple[str, str], dict[int, tuple[float, float | None]]] = defaultdict(
        dict
    )
    for row in (
        qs.filter(
            year=year,
            month__lte=month,
            indicator__in=list(wanted),
            group__in=all_groups,
        )
        .order_by()
        .values("indicator", "group", "month")
        .annotate(num=Sum("numerator"), den=Sum("denominator"))
    ):
        den = row["den"]
        monthly[(row["indicator"], row["group"])][int(row["month"])] = (
            float(row["num"] or 0),
            None if den is None else float(den),
        )
    targets = _targets([unit], year, list(wanted))
    population: dict[tuple[UnitRef, str], float] = {}
    if any(i.denominator == Indicator.POPULATION for i in inds):
        population = _population([unit], year, all_groups)
    state = _approvals([unit], year, month)[unit]
    out: dict[tuple[str, str], list[Figure]] = {}
    for ind in inds:
        for group in wanted[ind.code]:
            cells = monthly.get((ind.code, group), {})
            series: list[Figure] = []
            running = 0.0
            num, den = 0.0, None
            for m in range(1, month + 1):
                if m in cells:
                    month_num, month_den = cells[m]
                    running += month_num
                    num = running if ind.aggregation == Aggregation.SUM else month_num
                    den = month_den
                elif ind.aggregation == Aggregation.SUM:
                    num = running
                if ind.denominator == Indicator.POPULATION:
                    den = population.get((unit, group))
                value: float | None = num
                missing = False
                if ind.is_percentage:
                    missing = not den
                    value = None if missing or den is None else num / den * ind.factor
                series.append(
                    Figure(
                        unit=unit,
                        indicator=ind.code,
                        group=group,
                        year=year,
                        month=m,
                        numerator=num,
                        denominator=den,
                        value=value,
                        target=targets.get((unit, ind.code, group)),
                        approval=state.state,
                        needs_denominator=missing,
                        approved_units=state.approved,
                        total_units=state.total,
                        approved_only=approved_only,
                    )
                )
            out[(ind.code, group)] = series
    return out


def trend(
    *, unit: UnitRef, year: int, indicator: Indicator, group: str = "", month: int = 12
) -> list[Figure]:
    """Return the figure at the end of each month 1..``month`` (for a trend chart)."""
    series = trend_all(
        unit=unit, year=year, month=month, indicators=[indicator], groups=[group]
    )
    return series.get((indicator.code, group), [])
