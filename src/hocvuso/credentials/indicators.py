"""Counts the programs indicators read from confirmations (``core.indicators``).

- ``credentials.confirmed``: confirmations made in the month (a flow).
- ``credentials.revoked``: confirmations revoked in the month (a flow).
- ``credentials.confirmed_stock``: people whose result is confirmed and not
  revoked at the month's end (a stock): a person enters at their first
  confirmation and leaves when the last of their confirmations is revoked, so a
  revocation lowers the stock from its month on. Per group (the result's group)
  and in total (a person counts once).

Communes are the learner's profile commune. Everything is aggregated in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from hocvuso.core.indicators import (
    Cell,
    Computation,
    Count,
    CountQuery,
    Kind,
    StockPart,
    flow_counts,
    stock_from_parts,
    touched_cells,
)
from hocvuso.credentials.models import Confirmation

COMMUNE = "result__user__profile__commune"
GROUP = "result__target_group__slug"


def confirmed_count(query: CountQuery) -> list[Count]:
    """Return confirmations per commune × month × group."""
    return flow_counts(
        Confirmation.objects.all(),
        query=query,
        commune=COMMUNE,
        when="confirmed_at",
        group=GROUP,
    )


def revoked_count(query: CountQuery) -> list[Count]:
    """Return revocations per commune × month × group."""
    return flow_counts(
        Confirmation.objects.filter(revoked_at__isnull=False),
        query=query,
        commune=COMMUNE,
        when="revoked_at",
        group=GROUP,
    )


def _same(per_group: bool) -> QuerySet[Confirmation]:
    qs = Confirmation.objects.filter(result__user=OuterRef("result__user"))
    if per_group:
        qs = qs.filter(result__target_group=OuterRef("result__target_group"))
    return qs


def _entries(per_group: bool) -> QuerySet[Confirmation]:
    earlier = _same(per_group).filter(
        Q(confirmed_at__lt=OuterRef("confirmed_at"))
        | Q(confirmed_at=OuterRef("confirmed_at"), id__lt=OuterRef("id"))
    )
    return Confirmation.objects.exclude(Exists(earlier))


def _exits(per_group: bool) -> QuerySet[Confirmation]:
    """Return the last revocation of people whose confirmations are all revoked."""
    still = _same(per_group).filter(
        Q(revoked_at__isnull=True)
        | Q(revoked_at__gt=OuterRef("revoked_at"))
        | Q(revoked_at=OuterRef("revoked_at"), id__gt=OuterRef("id"))
    )
    return Confirmation.objects.filter(revoked_at__isnull=False).exclude(Exists(still))


def confirmed_stock_count(query: CountQuery, *, history: bool = True) -> list[Count]:
    """Return people confirmed (not revoked) at each month's end."""
    return stock_from_parts(
        base=history,
        query=query,
        commune=COMMUNE,
        parts=[
            StockPart(
                _entries(True), "confirmed_at", GROUP, _exits(True), "revoked_at"
            ),
            StockPart(
                _entries(False), "confirmed_at", None, _exits(False), "revoked_at"
            ),
        ],
    )


def confirmed_stock_changes(query: CountQuery) -> list[Count]:
    """Return people who entered minus people who left the stock in each month."""
    return confirmed_stock_count(query, history=False)


def confirmations_touched(since: datetime) -> Iterable[Cell]:
    """Return the cells of confirmations made or revoked since ``since``."""
    made = Confirmation.objects.filter(
        Q(created_at__gte=since) | Q(updated_at__gte=since)
    )
    revoked = Confirmation.objects.filter(revoked_at__gte=since)
    return [
        *touched_cells(made, commune=COMMUNE, when="confirmed_at"),
        *touched_cells(revoked, commune=COMMUNE, when="revoked_at"),
    ]


COMPUTATIONS = [
    Computation(
        key="credentials.confirmed",
        label_vi="Kết quả được xác nhận trong tháng",
        label_en="Results confirmed in the month",
        kind=Kind.FLOW,
        count=confirmed_count,
        touched=confirmations_touched,
    ),
    Computation(
        key="credentials.revoked",
        label_vi="Xác nhận bị thu hồi trong tháng",
        label_en="Confirmations revoked in the month",
        kind=Kind.FLOW,
        count=revoked_count,
        touched=confirmations_touched,
    ),
    Computation(
        key="credentials.confirmed_stock",
        label_vi="Người có kết quả được xác nhận (luỹ kế)",
        label_en="People with a confirmed result (cumulative)",
        kind=Kind.STOCK,
        count=confirmed_stock_count,
        touched=confirmations_touched,
        changes=confirmed_stock_changes,
    ),
]
