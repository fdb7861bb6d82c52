"""Seed step: the provinces and communes (from ``vietnam-provinces``)."""

from __future__ import annotations

from hocvuso.core.seeding import SeedContext
from hocvuso.geo.services import geo_units_load


def seed(ctx: SeedContext) -> None:
    """Load or update the administrative units."""
    report = geo_units_load()
    ctx.write(
        f"Administrative units: {report.provinces} provinces, "
        f"{report.communes} communes ({report.created} created, "
        f"{report.updated} updated)."
    )
