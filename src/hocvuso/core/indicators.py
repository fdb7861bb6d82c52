"""The seam through which apps offer counts to the programs indicators.

``programs`` (indicators, targets, dashboards) reads no other app's models: an
app that holds data an indicator counts (assessment: results; credentials:
confirmations; learning: lessons completed; community: visits, attendance)
defines :class:`Computation` objects in its own ``indicators.py`` and lists them
in a module-level ``COMPUTATIONS``. Programs finds them in every installed app
(as packs finds ``pack_sections.py``) and an indicator names them by ``key`` in
its numerator or denominator. A new data source is one new computation.

A computation answers two questions, both over communes and local months
(``TIME_ZONE``):

- ``count(query)``: the value for each commune × month × target group in the
  query's range. For a ``FLOW`` it is what happened in that month (people who
  passed in March); for a ``STOCK`` it is the state at the month's end (people
  confirmed so far). It returns one :class:`Count` per non-zero cell, with
  ``group=""`` for the total over all groups (given explicitly: a person may be
  in no group, so the total is not always the sum of the groups).
- ``touched(since)``: the communes and months whose counts may have changed
  since an instant (rows created, updated or revoked after it), so a refresh
  recomputes only those cells. It may over-report, never under-report.

This module imports nothing above ``core``.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Aggregate, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear
from django.dispatch import Signal
from django.utils import timezone

MODULE = "indicators"


class Kind(StrEnum):
    """Whether a computation counts events in a month or a state at its end."""

    FLOW = "flow"
    STOCK = "stock"


@dataclass(frozen=True)
class CountQuery:
    """The cells asked for: months ``month_from``..``month_to`` of ``year``.

    ``commune_codes`` None means every commune.
    """

    year: int
    month_from: int = 1
    month_to: int = 12
    commune_codes: Sequence[int] | None = None


@dataclass(frozen=True)
class Count:
    """One cell: a commune, a month of the query's year, a group, a value."""

    commune_code: int
    month: int
    group: str
    value: float


@dataclass(frozen=True)
class Cell:
    """A commune and month whose counts may have changed."""

    commune_code: int
    year: int
    month: int


@dataclass(frozen=True)
class Computation:
    """A count over one app's data that indicators may name by ``key``."""

    key: str
    label_vi: str
    label_en: str
    kind: Kind
    count: Callable[[CountQuery], Iterable[Count]]
    touched: Callable[[datetime], Iterable[Cell]]
    description: str = ""
    #: For a ``STOCK``, optionally: the change within each month of the query
    #: (entries minus exits, negative allowed), so that a refresh adds it to the
    #: stock it already holds instead of counting all history again.
    changes: Callable[[CountQuery], Iterable[Count]] | None = None


class UnknownComputation(LookupError):
    """No installed app offers a computation with this key."""


def computations() -> dict[str, Computation]:
    """Return every installed app's computations by key (app order)."""
    found: dict[str, Computation] = {}
    for cfg in apps.get_app_configs():
        name = f"{cfg.name}.{MODULE}"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        for comp in getattr(module, "COMPUTATIONS", ()):
            if comp.key in found:
                raise ValueError(f"computation {comp.key!r} is offered twice")
            found[comp.key] = comp
    return found


def computation_get(key: str) -> Computation:
    """Return the computation ``key`` or raise :class:`UnknownComputation`."""
    try:
        return computations()[key]
    except KeyError:
        raise UnknownComputation(key) from None


# -- Telling programs that counted data changed ---------------------------------

#: Sent (after commit) by the services that create or revoke what a
#: computation counts: results, confirmations, visits, attendance, lesson
#: completions. ``source`` names the computation family ("assessment",
#: "credentials", "community", "learning"). Programs listens and schedules a
#: debounced refresh; receivers must not assume anything else about the sender.
indicator_data_changed = Signal()


def indicator_data_changed_on_commit(source: str) -> None:
    """Send :data:`indicator_data_changed` once the current transaction commits."""
    transaction.on_commit(
        lambda: indicator_data_changed.send(sender=Computation, source=source)
    )


# -- Helpers for the apps' computations -----------------------------------------


def local_month_bounds(year: int, month: int) -> datetime:
    """Return the aware instant at which local month ``month`` of ``year`` starts.

    ``month`` 13 is the start of the next year. Local means ``TIME_ZONE``.
    """
    tz = timezone.get_default_timezone()
    if month == 13:
        return datetime(year + 1, 1, 1, tzinfo=tz)
    return datetime(year, month, 1, tzinfo=tz)


def stock_counts(
    *,
    query: CountQuery,
    base: Mapping[tuple[int, str], float],
    deltas: Mapping[tuple[int, int, str], float],
) -> list[Count]:
    """Return the stock at each month's end from a starting stock and changes.

    ``base`` is the stock per (commune, group) before the query's first month;
    ``deltas`` the change per (commune, month, group) within the query's
    months (entries minus exits), both already aggregated in SQL. The result
    has one :class:`Count` per commune × month × group whose stock is not zero.
    The work is per cell, never per source row.
    """
    series: dict[tuple[int, str], float] = dict(base)
    by_key: dict[tuple[int, str], dict[int, float]] = {}
    for (commune, month, group), value in deltas.items():
        by_key.setdefault((commune, group), {})[month] = value
        series.setdefault((commune, group), 0.0)
    out: list[Count] = []
    for (commune, group), start in series.items():
        changes = by_key.get((commune, group), {})
        level = start
        for month in range(query.month_from, query.month_to + 1):
            level += changes.get(month, 0.0)
            if level:
                out.append(Count(commune, month, group, level))
    return out


def _in_months(qs: QuerySet[Any], when: str, year: int, first: int, last: int) -> Any:
    return qs.filter(
        **{
            f"{when}__gte": local_month_bounds(year, first),
            f"{when}__lt": local_month_bounds(year, last + 1),
        }
    )


def _in_communes(qs: QuerySet[Any], commune: str, query: CountQuery) -> Any:
    if query.commune_codes is None:
        # filter, not exclude: an exclude across a reverse one-to-one
        # (user → profile) becomes a NOT IN subquery
        return qs.filter(**{f"{commune}__isnull": False})
    return qs.filter(**{f"{commune}__in": list(query.commune_codes)})


def _grouped(
    qs: QuerySet[Any], fields: Sequence[str], value: Aggregate
) -> Iterable[tuple[Any, ...]]:
    return qs.order_by().values_list(*fields).annotate(_v=value)


def flow_counts(
    qs: QuerySet[Any],
    *,
    query: CountQuery,
    commune: str,
    when: str,
    group: str | None,
    value: Aggregate | None = None,
    total: QuerySet[Any] | None = None,
) -> list[Count]:
    """Return what happened per commune × local month (× group), by GROUP BY.

    ``commune``, ``when`` and ``group`` are field paths of ``qs``'s model
    (``group`` None: the total only). ``value`` is the aggregate (default: the
    number of rows). ``total`` is the queryset counted for the all-groups
    cell when it differs from ``qs`` (people counted once over all groups).
    """
    tz = timezone.get_default_timezone()
    agg = value if value is not None else models.Count("pk")
    month = ExtractMonth(when, tzinfo=tz)
    out: list[Count] = []

    def scoped(base: QuerySet[Any]) -> Any:
        base = _in_months(base, when, query.year, query.month_from, query.month_to)
        return _in_communes(base, commune, query).annotate(_m=month)

    if group is not None:
        for code, m, g, v in _grouped(scoped(qs), [commune, "_m", group], agg):
            if v and g:
                out.append(Count(int(code), int(m), str(g), float(v)))
    base_total = total if total is not None else qs
    for code, m, v in _grouped(scoped(base_total), [commune, "_m"], agg):
        if v:
            out.append(Count(int(code), int(m), "", float(v)))
    return out


@dataclass(frozen=True)
class StockPart:
    """Rows that enter and leave a stock, for one grouping (a group or the total).

    ``entries`` has one row per person entering at ``entry_when``; ``exits``
    (optional) one row per person leaving at ``exit_when``. ``group`` is the
    group field path, None for the all-groups cell.
    """

    entries: QuerySet[Any]
    entry_when: str
    group: str | None
    exits: QuerySet[Any] | None = None
    exit_when: str = ""


def stock_from_parts(
    *, query: CountQuery, commune: str, parts: Sequence[StockPart], base: bool = True
) -> list[Count]:
    """Return the stock at each month's end from entry and exit rows (SQL GROUP BY).

    The stock before the query's first month and the changes within its months
    are aggregated in SQL per commune (× group) × month; only those cells are
    added up here (:func:`stock_counts`). ``base`` False returns the changes
    per month only (for :attr:`Computation.changes`), without reading history.
    """
    tz = timezone.get_default_timezone()
    start = local_month_bounds(query.year, query.month_from)
    start_stock: dict[tuple[int, str], float] = {}
    deltas: dict[tuple[int, int, str], float] = {}
    for part in parts:
        flows = [(part.entries, part.entry_when, 1.0)]
        if part.exits is not None:
            flows.append((part.exits, part.exit_when, -1.0))
        for qs, when, sign in flows:
            scoped = _in_communes(qs, commune, query)
            keys = [commune] if part.group is None else [commune, part.group]
            before = scoped.filter(**{f"{when}__lt": start})
            for row in _grouped(before, keys, models.Count("pk")) if base else ():
                group = "" if part.group is None else str(row[1] or "")
                if part.group is not None and not group:
                    continue
                key = (int(row[0]), group)
                start_stock[key] = start_stock.get(key, 0.0) + sign * float(row[-1])
            within = _in_months(
                scoped, when, query.year, query.month_from, query.month_to
            ).annotate(_m=ExtractMonth(when, tzinfo=tz))
            for row in _grouped(within, [*keys, "_m"], models.Count("pk")):
                group = "" if part.group is None else str(row[1] or "")
                if part.group is not None and not group:
                    continue
                cell = (int(row[0]), int(row[-2]), group)
                deltas[cell] = deltas.get(cell, 0.0) + sign * float(row[-1])
    if not base:
        return [Count(c, m, g, v) for (c, m, g), v in deltas.items() if v]
    return stock_counts(query=query, base=start_stock, deltas=deltas)


def touched_cells(qs: QuerySet[Any], *, commune: str, when: str) -> list[Cell]:
    """Return the distinct commune × local year × month of ``when`` in ``qs``.

    ``qs`` is already filtered to the rows changed since the instant asked.
    """
    tz = timezone.get_default_timezone()
    rows = (
        qs.filter(**{f"{commune}__isnull": False, f"{when}__isnull": False})
        .annotate(_y=ExtractYear(when, tzinfo=tz), _m=ExtractMonth(when, tzinfo=tz))
        .order_by()
        .values_list(commune, "_y", "_m")
        .distinct()
    )
    return [Cell(int(c), int(y), int(m)) for c, y, m in rows]
