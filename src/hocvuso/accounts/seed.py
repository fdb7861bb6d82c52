"""Seed step: the first admin account, its password printed once."""

from __future__ import annotations

from hocvuso.accounts.services import account_admin_create
from hocvuso.core.seeding import SeedContext


def seed(ctx: SeedContext) -> None:
    """Create the admin account on first run; leave an existing one alone."""
    created = account_admin_create(username=ctx.text("admin_username", "admin"))
    if created is None:
        ctx.write("Admin account exists (not changed).")
        return
    user, password = created
    ctx.write(
        ctx.success(
            "\nAdmin account created — shown only this once:\n"
            f"  user name: {user.username}\n  password:  {password}\n"
        )
    )
