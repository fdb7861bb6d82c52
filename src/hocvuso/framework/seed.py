"""Seed step: the competence framework and the target groups shipped."""

from __future__ import annotations

from hocvuso.core.seeding import SeedContext
from hocvuso.framework.services import framework_load, target_groups_load


def seed(ctx: SeedContext) -> None:
    """Load the shipped framework version and target groups (idempotent)."""
    result = framework_load()
    groups = target_groups_load()
    state = (
        "created" if result.created else "updated" if result.changed else "unchanged"
    )
    ctx.write(f"Framework {result.framework.key}: {state}; {groups} target groups.")
