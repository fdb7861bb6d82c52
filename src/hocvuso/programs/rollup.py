"""Refresh the fact table from the apps' computations: incremental or a full rebuild.

Commune rows come from the computations (``hocvuso.core.indicators``, counted
with GROUP BY in each app) and from manual values; province rows are written by
one ``INSERT … SELECT … GROUP BY`` over the commune rows (a province's own
manual value wins), nation rows by one over the province rows. Rows are written
in bulk (``COPY`` on PostgreSQL), never one by one.

- A **full rebuild** rewrites every year from ``HOCVUSO_ROLLUP_FIRST_YEAR`` to
  the current one, each year in one transaction (readers see the old year or
  the new one, never half).
- An **incremental refresh** asks each computation which communes × months it
  touched since the last run's watermark (minus :data:`OVERLAP`, for
  transactions that committed late) and rewrites those cells only; a stock's
  change also rewrites the later months. It falls back to a rebuild when there
  is no earlier run or a new local month began (stocks are carried into it).

Stocks (``LAST``) are written for every month from a series' first non-zero
month to the current one, zeros included, so that a province's month is the
sum of its communes' same month and a revocation to zero is seen.

Only one refresh runs at a time: ``pg_try_advisory_lock`` on PostgreSQL, a
:class:`~hocvuso.programs.models.RollupLock` row elsewhere; a refresh that
finds it taken returns at once (``busy``).
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from hocvuso.core.indicators import (
    Computation,
    Count,
    CountQuery,
    Kind,
    computations,
    stock_counts,
)
from hocvuso.geo.models import Commune
from hocvuso.programs.models import (
    Aggregation,
    Approval,
    ApprovalState,
    Fact,
    Indicator,
    IndicatorSet,
    ManualValue,
    RollupLock,
    RollupRun,
    UnitLevel,
)
from hocvuso.programs.partitions import fact_partition_ensure

LOCK_NAME = "rollup"
LOCK_KEY = 0x68_6F_63_76  # "hocv": the advisory lock's key on PostgreSQL
OVERLAP = timedelta(minutes=5)
FACT_COLUMNS = (
    "year",
    "level",
    "province_code",
    "commune_code",
    "month",
    "indicator",
    "group",
    "numerator",
    "denominator",
    "approval",
    "refreshed_at",
)


@dataclass
class RefreshOutcome:
    """What a refresh did (``busy``: another refresh held the lock)."""

    kind: str
    busy: bool = False
    rows: int = 0
    seconds: float = 0.0
    run_id: int | None = None
    #: seconds spent per step: each computation's counts, writing, deriving
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Scope:
    """The communes (None: all) and months of one year to rewrite."""

    communes: set[int] | None = field(default_factory=set)
    provinces: set[int] = field(default_factory=set)
    month_from: int = 13
    month_to: int = 0

    def add(self, communes: Iterable[int] | None, first: int, last: int) -> None:
        if communes is None:
            self.communes = None
        elif self.communes is not None:
            self.communes.update(communes)
        self.month_from = min(self.month_from, first)
        self.month_to = max(self.month_to, last)

    def merge(self, other: Scope) -> None:
        if other.month_to:
            self.add(other.communes, other.month_from, other.month_to)
        self.provinces.update(other.provinces)


def _local(now: datetime) -> datetime:
    return timezone.localtime(now, timezone.get_default_timezone())


def _years(now: datetime) -> range:
    return range(settings.HOCVUSO_ROLLUP_FIRST_YEAR, _local(now).year + 1)


def _cap(year: int, now: datetime) -> int:
    """Return the last month of ``year`` that has begun."""
    local = _local(now)
    return 12 if year < local.year else local.month


# -- The lock -----------------------------------------------------------------


@contextmanager
def rollup_lock(*, now: datetime | None = None) -> Iterator[bool]:
    """Take the refresh lock if it is free; yield whether it was taken."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            got = bool(cursor.fetchone()[0])
        try:
            yield got
        finally:
            if got:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        return
    now = now or timezone.now()
    holder = uuid.uuid4().hex
    stale = now - timedelta(seconds=settings.HOCVUSO_ROLLUP_LOCK_STALE)
    RollupLock.objects.get_or_create(name=LOCK_NAME)
    got = (
        RollupLock.objects.filter(name=LOCK_NAME)
        .filter(Q(holder="") | Q(acquired_at__lt=stale))
        .update(holder=holder, acquired_at=now)
        == 1
    )
    try:
        yield got
    finally:
        if got:
            RollupLock.objects.filter(name=LOCK_NAME, holder=holder).update(holder="")


# -- Commune rows -------------------------------------------------------------


def _sources(ind: Indicator) -> list[str]:
    keys = [ind.numerator]
    if ind.denominator and ind.denominator != Indicator.POPULATION:
        keys.append(ind.denominator)
    return keys


def _is_stock(ind: Indicator) -> bool:
    return ind.aggregation == Aggregation.LAST


class _Counter:
    """Call each computation once per scope asked (an indicator may share one)."""

    def __init__(
        self, comps: dict[str, Computation], *, incremental: bool = False
    ) -> None:
        self.comps = comps
        self.incremental = incremental
        self.cache: dict[tuple[str, int, tuple[int, ...] | None, int, int], list[Count]]
        self.cache = {}
        self.timings: dict[str, float] = defaultdict(float)

    def timed(self, step: str, started: float) -> None:
        self.timings[step] += time.perf_counter() - started

    def counts(self, key: str, year: int, scope: Scope) -> list[Count]:
        codes = None if scope.communes is None else tuple(sorted(scope.communes))
        cache_key = (key, year, codes, scope.month_from, scope.month_to)
        if cache_key not in self.cache:
            query = CountQuery(
                year=year,
                month_from=scope.month_from,
                month_to=scope.month_to,
                commune_codes=codes,
            )
            started = time.perf_counter()
            self.cache[cache_key] = list(self.comps[key].count(query))
            self.timed(key, started)
        return self.cache[cache_key]

    def numerator(self, ind: Indicator, year: int, scope: Scope) -> list[Count]:
        """Return the numerator's counts; a stock from the facts plus its changes.

        In an incremental refresh a stock's value at the month before the scope
        is already in the facts (nothing before the scope changed), so only the
        changes within the scope are counted, not all history.
        """
        comp = self.comps[ind.numerator]
        if not self.incremental or comp.kind != Kind.STOCK or comp.changes is None:
            return self.counts(ind.numerator, year, scope)
        if scope.month_from > 1:
            base_year, base_month = year, scope.month_from - 1
        elif year > settings.HOCVUSO_ROLLUP_FIRST_YEAR:
            base_year, base_month = year - 1, 12
        else:
            return self.counts(ind.numerator, year, scope)
        before = Fact.objects.filter(
            year=base_year,
            level=UnitLevel.COMMUNE,
            indicator=ind.code,
            month=base_month,
        )
        if scope.communes is not None:
            before = before.filter(commune_code__in=scope.communes)
        base = {
            (int(c), str(g)): float(v)
            for c, g, v in before.values_list("commune_code", "group", "numerator")
        }
        codes = None if scope.communes is None else tuple(sorted(scope.communes))
        query = CountQuery(
            year=year,
            month_from=scope.month_from,
            month_to=scope.month_to,
            commune_codes=codes,
        )
        cache_key = (
            f"{ind.numerator}:changes",
            year,
            codes,
            query.month_from,
            query.month_to,
        )
        if cache_key not in self.cache:
            started = time.perf_counter()
            self.cache[cache_key] = list(comp.changes(query))
            self.timed(f"{ind.numerator}:changes", started)
        deltas = {
            (c.commune_code, c.month, c.group): c.value for c in self.cache[cache_key]
        }
        return stock_counts(query=query, base=base, deltas=deltas)


def _manual_counts(ind: Indicator, year: int, scope: Scope) -> list[Count]:
    qs = ManualValue.objects.filter(
        indicator=ind.code,
        year=year,
        month__gte=scope.month_from,
        month__lte=scope.month_to,
        commune__isnull=False,
    )
    if scope.communes is not None:
        qs = qs.filter(commune_id__in=scope.communes)
    return [
        Count(int(c), int(m), str(g), float(v))
        for c, m, g, v in qs.values_list("commune_id", "month", "group", "value")
    ]


def _commune_rows(
    ind: Indicator,
    year: int,
    scope: Scope,
    counter: _Counter,
    provinces: dict[int, int],
    approvals: dict[tuple[int, int], str],
    now: datetime,
) -> list[tuple[object, ...]]:
    """Return the commune fact rows of one indicator in ``scope``."""
    groups = {"", *ind.target_groups}
    if ind.is_manual:
        nums = _manual_counts(ind, year, scope)
    else:
        nums = counter.numerator(ind, year, scope)
    values: dict[tuple[int, str], dict[int, list[float | None]]] = defaultdict(dict)
    for c in nums:
        if c.group in groups:
            values[(c.commune_code, c.group)].setdefault(c.month, [0.0, None])[0] = (
                c.value
            )
    if ind.denominator and ind.denominator != Indicator.POPULATION:
        for c in counter.counts(ind.denominator, year, scope):
            if c.group in groups:
                values[(c.commune_code, c.group)].setdefault(c.month, [0.0, None])[
                    1
                ] = c.value
    started: set[tuple[int, str]] = set()
    if _is_stock(ind) and scope.month_from > 1:
        # Stocks are dense from their first non-zero month to the current one,
        # so a series that started earlier has a row at the month before.
        before = Fact.objects.filter(
            year=year,
            level=UnitLevel.COMMUNE,
            indicator=ind.code,
            month=scope.month_from - 1,
        )
        if scope.communes is not None:
            before = before.filter(commune_code__in=scope.communes)
        started = set(before.values_list("commune_code", "group").distinct())
        for key in started:
            values.setdefault(key, {})
    rows: list[tuple[object, ...]] = []
    for (commune, group), months in values.items():
        province = provinces.get(commune)
        if province is None:
            continue  # a commune geo no longer knows
        going = (commune, group) in started
        for month in range(scope.month_from, scope.month_to + 1):
            num, den = months.get(month, (0.0, None))
            if not (num or den or (going and _is_stock(ind))):
                continue
            going = True
            state = approvals.get((commune, month), ApprovalState.OPEN)
            rows.append(
                (
                    year,
                    UnitLevel.COMMUNE.value,
                    province,
                    commune,
                    month,
                    ind.code,
                    group,
                    float(num or 0.0),
                    den,
                    state,
                    now,
                )
            )
    return rows


def _write(rows: Sequence[tuple[object, ...]]) -> None:
    """Insert fact rows in bulk: COPY on PostgreSQL, batched INSERTs elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        columns = ", ".join(f'"{c}"' for c in FACT_COLUMNS)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY programs_fact ({columns}) FROM STDIN") as copy:
                for start in range(0, len(rows), COPY_CHUNK):
                    copy.write(_copy_text(rows[start : start + COPY_CHUNK]))
        return
    Fact.objects.bulk_create(
        [Fact(**dict(zip(FACT_COLUMNS, row, strict=True))) for row in rows],
        batch_size=2000,
    )


COPY_CHUNK = 20_000
_NULL = "\\N"
_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(rows: Sequence[tuple[Any, ...]]) -> str:
    """Return rows in COPY's text format (formatted here: much faster than
    ``write_row`` per row). Codes and groups are slugs; escaped anyway."""
    stamps: dict[int, str] = {}
    lines = []
    for year, level, prov, comm, month, ind, group, num, den, state, at in rows:
        stamp = stamps.get(id(at))
        if stamp is None:
            stamp = stamps[id(at)] = at.isoformat()
        lines.append(
            f"{year}\t{level}\t{prov}\t{comm}\t{month}\t"
            f"{str(ind).translate(_TEXT_ESCAPES)}\t{str(group).translate(_TEXT_ESCAPES)}\t"
            f"{float(num)!r}\t{_NULL if den is None else repr(float(den))}\t"
            f"{state}\t{stamp}\n"
        )
    return "".join(lines)


# -- Province and nation rows (SQL) ---------------------------------------------

_APPROVAL_SQL = (
    "CASE WHEN SUM(CASE WHEN approval = 'approved' THEN 0 ELSE 1 END) = 0 "
    "THEN 'approved' "
    "WHEN SUM(CASE WHEN approval IN ('approved', 'submitted') THEN 0 ELSE 1 END) = 0 "
    "THEN 'submitted' ELSE 'open' END"
)


def _own_manual_rows(
    ind: Indicator, year: int, scope: Scope, level: str, provinces: set[int] | None
) -> list[tuple[object, ...]]:
    qs = ManualValue.objects.filter(
        indicator=ind.code,
        year=year,
        month__gte=scope.month_from,
        month__lte=scope.month_to,
        commune__isnull=True,
    )
    if level == UnitLevel.NATION:
        qs = qs.filter(province__isnull=True)
    else:
        qs = qs.filter(province__isnull=False)
        if provinces is not None:
            qs = qs.filter(province_id__in=provinces)
    now = timezone.now()
    return [
        (year, level, p or 0, 0, m, ind.code, g, float(v), None, "open", now)
        for p, m, g, v in qs.values_list("province_id", "month", "group", "value")
    ]


def _derive(
    ind: Indicator, year: int, scope: Scope, provinces: set[int] | None, now: datetime
) -> None:
    """Rewrite the province rows (of ``provinces``; None: all) and nation rows."""
    months = Q(month__gte=scope.month_from, month__lte=scope.month_to)
    upper = Fact.objects.filter(months, year=year, indicator=ind.code)
    prov_rows = upper.filter(level=UnitLevel.PROVINCE)
    if provinces is not None:
        prov_rows = prov_rows.filter(province_code__in=provinces)
    prov_rows.delete()
    upper.filter(level=UnitLevel.NATION).delete()
    if ind.is_manual:
        _write(_own_manual_rows(ind, year, scope, UnitLevel.PROVINCE, provinces))
        _write(_own_manual_rows(ind, year, scope, UnitLevel.NATION, None))
    table = Fact._meta.db_table
    where_prov = ""
    params: list[Any] = [
        UnitLevel.PROVINCE.value,
        now,
        year,
        UnitLevel.COMMUNE.value,
        ind.code,
        scope.month_from,
        scope.month_to,
    ]
    if provinces is not None:
        where_prov = f" AND province_code IN ({', '.join(['%s'] * len(provinces))})"
        params.extend(sorted(provinces))
    sql = (
        f"INSERT INTO {table} (year, level, province_code, commune_code, month, "
        f'indicator, "group", numerator, denominator, approval, refreshed_at) '
        f'SELECT year, %s, province_code, 0, month, indicator, "group", '
        f"SUM(numerator), SUM(denominator), {_APPROVAL_SQL}, %s FROM {table} "
        f"WHERE year = %s AND level = %s AND indicator = %s "
        f"AND month >= %s AND month <= %s{where_prov} "
        f'GROUP BY year, province_code, month, indicator, "group" '
        f"ON CONFLICT DO NOTHING"
    )
    nation = (
        f"INSERT INTO {table} (year, level, province_code, commune_code, month, "
        f'indicator, "group", numerator, denominator, approval, refreshed_at) '
        f'SELECT year, %s, 0, 0, month, indicator, "group", '
        f"SUM(numerator), SUM(denominator), {_APPROVAL_SQL}, %s FROM {table} "
        f"WHERE year = %s AND level = %s AND indicator = %s "
        f"AND month >= %s AND month <= %s "
        f'GROUP BY year, month, indicator, "group" '
        f"ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        if provinces is None or provinces:
            cursor.execute(sql, params)
        cursor.execute(
            nation,
            [
                UnitLevel.NATION.value,
                now,
                year,
                UnitLevel.PROVINCE.value,
                ind.code,
                scope.month_from,
                scope.month_to,
            ],
        )


# -- One year -----------------------------------------------------------------


def _rewrite_year(
    year: int,
    scopes: dict[str, Scope],
    indicators: Sequence[Indicator],
    counter: _Counter,
    provinces: dict[int, int],
    now: datetime,
) -> int:
    """Rewrite the cells of ``scopes`` (per indicator code) of one year."""
    fact_partition_ensure(year)
    approvals = {
        (c, m): s
        for c, m, s in Approval.objects.filter(year=year).values_list(
            "commune_id", "month", "state"
        )
    }
    written = 0
    with transaction.atomic():
        for ind in indicators:
            scope = scopes.get(ind.code)
            if scope is None or scope.month_to == 0:
                continue
            old = Fact.objects.filter(
                year=year,
                level=UnitLevel.COMMUNE,
                indicator=ind.code,
                month__gte=scope.month_from,
                month__lte=scope.month_to,
            )
            if scope.communes is not None:
                old = old.filter(commune_code__in=scope.communes)
            old.delete()
            rows = (
                _commune_rows(ind, year, scope, counter, provinces, approvals, now)
                if scope.communes is None or scope.communes
                else []
            )
            started = time.perf_counter()
            _write(rows)
            counter.timed("write", started)
            written += len(rows)
            affected: set[int] | None
            if scope.communes is None:
                affected = None
            else:
                affected = {provinces[c] for c in scope.communes if c in provinces}
                affected |= scope.provinces
            started = time.perf_counter()
            _derive(ind, year, scope, affected, now)
            counter.timed("derive", started)
    return written


def _active() -> list[Indicator]:
    current = IndicatorSet.objects.filter(active=True).first()
    return list(current.indicators.all()) if current else []


def _province_map() -> dict[int, int]:
    return dict(Commune.objects.values_list("code", "province_id"))


def _usable(
    indicators: Sequence[Indicator], comps: dict[str, Computation]
) -> list[Indicator]:
    """Return the indicators whose computations are installed."""
    return [
        ind
        for ind in indicators
        if ind.is_manual or all(k in comps for k in _sources(ind))
    ]


def _full_scopes(
    indicators: Sequence[Indicator], year: int, now: datetime
) -> dict[str, Scope]:
    cap = _cap(year, now)
    return {
        ind.code: Scope(communes=None, month_from=1, month_to=cap) for ind in indicators
    }


def _start(kind: str, now: datetime) -> RollupRun:
    return RollupRun.objects.create(kind=kind, started_at=now, watermark=now)


def _finish(run: RollupRun, rows: int, error: str = "") -> None:
    run.finished_at = timezone.now()
    run.cells = rows
    run.error = error[:2000]
    run.save(update_fields=["finished_at", "cells", "error"])


def facts_rebuild(*, now: datetime | None = None) -> RefreshOutcome:
    """Rewrite every fact row of every year (one transaction per year)."""
    now = now or timezone.now()
    started = time.perf_counter()
    with rollup_lock(now=now) as got:
        if not got:
            return RefreshOutcome(kind=RollupRun.Kind.FULL, busy=True)
        return _rebuild_locked(now, started)


def _rebuild_locked(now: datetime, started: float) -> RefreshOutcome:
    run = _start(RollupRun.Kind.FULL, now)
    comps = computations()
    indicators = _usable(_active(), comps)
    provinces = _province_map()
    counter = _Counter(comps)
    rows = 0
    try:
        for year in _years(now):
            fact_partition_ensure(year)
            with transaction.atomic():
                Fact.objects.filter(year=year).delete()
                rows += _rewrite_year(
                    year,
                    _full_scopes(indicators, year, now),
                    indicators,
                    counter,
                    provinces,
                    now,
                )
    except Exception as exc:
        _finish(run, rows, f"{type(exc).__name__}: {exc}")
        raise
    _finish(run, rows)
    return RefreshOutcome(
        kind=run.kind,
        rows=rows,
        seconds=time.perf_counter() - started,
        run_id=run.pk,
        timings=_rounded(counter.timings),
    )


def _rounded(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in sorted(timings.items())}


def _last_good() -> RollupRun | None:
    return (
        RollupRun.objects.filter(finished_at__isnull=False, error="")
        .order_by("-watermark")
        .first()
    )


def _touched_scopes(
    indicators: Sequence[Indicator],
    comps: dict[str, Computation],
    since: datetime,
    now: datetime,
    provinces: dict[int, int],
) -> dict[int, dict[str, Scope]]:
    """Return, per year and indicator, the cells changed since ``since``."""
    years = list(_years(now))
    by_source: dict[str, dict[int, Scope]] = {}
    for key in {k for ind in indicators if not ind.is_manual for k in _sources(ind)}:
        comp = comps[key]
        per_year: dict[int, Scope] = defaultdict(Scope)
        for cell in comp.touched(since):
            for year in years:
                if comp.kind == Kind.STOCK and year > cell.year:
                    per_year[year].add([cell.commune_code], 1, _cap(year, now))
                elif year == cell.year:
                    last = _cap(year, now) if comp.kind == Kind.STOCK else cell.month
                    if cell.month <= _cap(year, now):
                        per_year[year].add([cell.commune_code], cell.month, last)
        by_source[key] = per_year
    manual: dict[int, dict[str, Scope]] = defaultdict(lambda: defaultdict(Scope))
    changed = ManualValue.objects.filter(updated_at__gte=since, year__in=years)
    for code, year, month, prov, comm in changed.values_list(
        "indicator", "year", "month", "province_id", "commune_id"
    ):
        scope = manual[year][code]
        scope.add([comm] if comm else [], month, month)
        if prov and not comm:
            scope.provinces.add(prov)
    decided = Approval.objects.filter(updated_at__gte=since, year__in=years)
    approvals = list(decided.values_list("year", "month", "commune_id"))
    out: dict[int, dict[str, Scope]] = defaultdict(dict)
    for ind in indicators:
        for year in years:
            scope = Scope()
            if ind.is_manual:
                scope.merge(manual[year][ind.code])
            else:
                for key in _sources(ind):
                    if year in by_source[key]:
                        scope.merge(by_source[key][year])
            for a_year, month, commune in approvals:
                if a_year == year:
                    scope.add([commune], month, month)
            if scope.month_to or scope.provinces:
                out[year][ind.code] = scope
    return out


def facts_refresh(*, now: datetime | None = None) -> RefreshOutcome:
    """Rewrite the cells changed since the last run (or rebuild; see the module)."""
    now = now or timezone.now()
    started = time.perf_counter()
    with rollup_lock(now=now) as got:
        if not got:
            return RefreshOutcome(kind=RollupRun.Kind.INCREMENTAL, busy=True)
        last = _last_good()
        if last is None or (
            _local(last.watermark).year,
            _local(last.watermark).month,
        ) != (
            _local(now).year,
            _local(now).month,
        ):
            return _rebuild_locked(now, started)
        run = _start(RollupRun.Kind.INCREMENTAL, now)
        comps = computations()
        indicators = _usable(_active(), comps)
        provinces = _province_map()
        counter = _Counter(comps, incremental=True)
        rows = 0
        try:
            scopes = _touched_scopes(
                indicators, comps, last.watermark - OVERLAP, now, provinces
            )
            for year in sorted(scopes):
                rows += _rewrite_year(
                    year, scopes[year], indicators, counter, provinces, now
                )
        except Exception as exc:
            _finish(run, rows, f"{type(exc).__name__}: {exc}")
            raise
        _finish(run, rows)
        return RefreshOutcome(
            kind=run.kind,
            rows=rows,
            seconds=time.perf_counter() - started,
            run_id=run.pk,
            timings=_rounded(counter.timings),
        )


@dataclass(frozen=True)
class RollupStatus:
    """What ``hocvuso programs status`` shows."""

    last: RollupRun | None
    last_good: RollupRun | None
    facts: int
    indicator_set: IndicatorSet | None
    computations: list[str]


def rollup_status() -> RollupStatus:
    """Return the latest runs, the number of fact rows and what is registered."""
    return RollupStatus(
        last=RollupRun.objects.order_by("-started_at").first(),
        last_good=_last_good(),
        facts=Fact.objects.count(),
        indicator_set=IndicatorSet.objects.filter(active=True).first(),
        computations=sorted(computations()),
    )
