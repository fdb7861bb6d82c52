"""Seed step: the shipped indicator set (see ``programs.indicator_sets``)."""

from __future__ import annotations

from hocvuso.core.seeding import SeedContext
from hocvuso.programs.indicator_sets import indicator_set_load


def seed(ctx: SeedContext) -> None:
    """Load the shipped indicators and make them active (idempotent)."""
    done = indicator_set_load(activate=False)
    iset = done.indicator_set
    state = "created" if done.created else "unchanged"
    ctx.write(f"Indicators {iset.slug} {iset.version}: {state}.")
