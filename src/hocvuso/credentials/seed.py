"""Seed step: the issuer's first Ed25519 signing key (a file, not a row)."""

from __future__ import annotations

from hocvuso.core.seeding import SeedContext
from hocvuso.credentials.keys import issuer_key_ensure, keys_dir


def seed(ctx: SeedContext) -> None:
    """Create the issuer key on first run; keep an existing one."""
    key, created = issuer_key_ensure()
    state = "created" if created else "exists"
    ctx.write(f"Issuer signing key {key.kid} {state} ({keys_dir()}).")
