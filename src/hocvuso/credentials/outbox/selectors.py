"""Reads of the outbox."""

from __future__ import annotations

from django.db.models import Count

from hocvuso.credentials.outbox.models import OutboxEvent


def outbox_counts() -> dict[str, int]:
    """Return the number of events in each state (every state, zeros too)."""
    counts = dict.fromkeys(OutboxEvent.State.values, 0)
    rows = OutboxEvent.objects.values("state").order_by().annotate(n=Count("id"))
    for row in rows:
        counts[row["state"]] = row["n"]
    return counts
