"""Sliding-window counts of attempts, kept as rows in the database.

A limit such as "5 per minute" allows at most 5 counted attempts in *any*
60 seconds, not 5 per clock minute: each attempt is one ``LimitEvent`` row and
the count is of the rows younger than the period. There is no window edge at
which the count resets (a fixed window gives twice the rate across its edge).

Race-free counting: the row is inserted (and committed, outside any
transaction) *before* the rows are counted. Of N concurrent attempts, the k-th
to commit its row counts at least k rows, so no more than the limit ever see a
count within it, whatever the interleaving. Callers delete the row again when
the attempt turns out not to count (:func:`event_forget`).

Keys are keyed hashes (:func:`limit_key`), so no identifier or address is
stored in clear.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.crypto import salted_hmac

from hocvuso.accounts.models import LimitEvent

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SALT = "hocvuso.accounts.limits"
# Expired rows deleted per new row: enough to keep up, small enough to be quick.
_PRUNE_BATCH = 200


@dataclass(frozen=True)
class Rate:
    """At most ``count`` attempts in any ``seconds``."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """Return the rate written as "5/m", "30/10m" or "100/h".

        Raises ``ValueError`` for anything else.
        """
        count, sep, period = text.strip().partition("/")
        unit, n = period[-1:], period[:-1] or "1"
        if not (sep and count.isdigit() and n.isdigit() and unit in _PERIODS):
            raise ValueError(f"not a rate (count/period, e.g. 5/m): {text!r}")
        seconds = int(n) * _PERIODS[unit]
        if seconds == 0:
            raise ValueError(f"a rate needs a period longer than zero: {text!r}")
        return cls(int(count), seconds)

    @property
    def period(self) -> timedelta:
        return timedelta(seconds=self.seconds)

    def per_hour_at_most(self) -> int:
        """Return the most attempts this rate lets through in any hour."""
        return self.count * -(-3600 // self.seconds)


def limit_key(*parts: str) -> str:
    """Return the keyed hash (HMAC-SHA256 with SECRET_KEY) naming a counter."""
    return salted_hmac(_SALT, "\x1f".join(parts), algorithm="sha256").hexdigest()


def event_add(
    *,
    scope: LimitEvent.Scope,
    key: str,
    now: datetime,
    keep: timedelta,
    account: str = "",
) -> int:
    """Record one attempt and return its row id (committed at once).

    Rows of the same scope older than ``keep`` (the longest window read) are
    deleted first, a batch at a time.
    """
    event_prune(scope=scope, before=now - keep)
    row = LimitEvent.objects.create(scope=scope, key=key, account=account, at=now)
    return row.pk


def event_count(*, scope: LimitEvent.Scope, key: str, now: datetime, rate: Rate) -> int:
    """Return how many attempts of ``key`` fall in the ``rate``'s window to now."""
    since = now - rate.period
    return LimitEvent.objects.filter(scope=scope, key=key, at__gt=since).count()


def event_over(
    *, scope: LimitEvent.Scope, key: str, now: datetime, rates: Sequence[Rate]
) -> bool:
    """Return whether ``key`` has more attempts than one of ``rates`` allows."""
    return any(
        event_count(scope=scope, key=key, now=now, rate=rate) > rate.count
        for rate in rates
    )


def event_forget(ids: Sequence[int]) -> None:
    """Delete attempts that turned out not to count."""
    LimitEvent.objects.filter(pk__in=list(ids)).delete()


def event_prune(*, scope: LimitEvent.Scope, before: datetime) -> int:
    """Delete up to a batch of rows of ``scope`` older than ``before``."""
    expired = list(
        LimitEvent.objects.filter(scope=scope, at__lt=before)
        .order_by("at")
        .values_list("pk", flat=True)[:_PRUNE_BATCH]
    )
    if not expired:
        return 0
    deleted, _ = LimitEvent.objects.filter(pk__in=expired).delete()
    return deleted
