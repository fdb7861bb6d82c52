"""Seed step: build the assistant's index if there is none, schedule the purge."""

from __future__ import annotations

from hocvuso.assistant.store import index_build, index_exists
from hocvuso.assistant.tasks import purge_schedule
from hocvuso.core.seeding import SeedContext


def seed(ctx: SeedContext) -> None:
    """Build the index from the imported lessons when missing; idempotent."""
    if not index_exists():
        stats = index_build()
        ctx.write(
            f"Assistant index: {stats.passages} passages from {stats.lessons} lessons."
        )
    purge_schedule()
