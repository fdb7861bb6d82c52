"""A seed step like a new app would add (signing keys, indicators…)."""

from __future__ import annotations

from hocvuso.core.models import AuditLog
from hocvuso.core.seeding import SeedContext


def seed(ctx: SeedContext) -> None:
    """Record one seed row, once, whatever the number of runs."""
    _, created = AuditLog.objects.get_or_create(
        action="example.seeded",
        defaults={"object_type": "exampleapp", "object_id": "1"},
    )
    ctx.write("example seeded" if created else "example unchanged")
