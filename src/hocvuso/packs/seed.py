"""Seed step: import the default content pack shipped with hocvuso."""

from __future__ import annotations

from pathlib import Path

from hocvuso.core.seeding import SeedContext
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

DEFAULT_PACK = Path(__file__).resolve().parent.parent / "content" / "default"


def seed(ctx: SeedContext) -> None:
    """Import (or update) the default pack, unless ``no_content``."""
    if ctx.flag("no_content"):
        return
    result = pack_import(source=PackSource.open(DEFAULT_PACK), actor=None)
    state = "unchanged" if result.unchanged else "imported"
    counts = ", ".join(
        f"{n} {key.replace('_', ' ')}" for key, n in result.counts.items()
    )
    ctx.write(
        f"Content pack {result.pack.slug} {result.pack.version}: {state} ({counts})."
    )
