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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.apps import apps

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
