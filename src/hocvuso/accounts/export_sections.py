"""The accounts app's own sections of "my data": helpers and password resets."""

from __future__ import annotations

from typing import Any

from hocvuso.accounts.data_export import export_section_register
from hocvuso.accounts.models import GuidanceGrant, User
from hocvuso.accounts.reset_models import PasswordResetCode


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def helper_actions(user: User) -> list[dict[str, Any]]:
    """Return the helpers who could act for the person, and when."""
    grants = GuidanceGrant.objects.filter(learner=user).select_related("helper")
    return [
        {
            "helper": g.helper.full_name or g.helper.username,
            "started_at": _iso(g.started_at),
            "ended_at": _iso(g.ended_at),
            "end_reason": g.end_reason or None,
        }
        for g in grants.order_by("started_at")
    ]


def password_resets(user: User) -> list[dict[str, Any]]:
    """Return the password reset codes issued for the person (never the codes)."""
    codes = PasswordResetCode.objects.filter(user=user).select_related("issued_by")
    return [
        {
            "channel": c.channel,
            "issued_at": _iso(c.created_at),
            "issued_by": (c.issued_by.full_name or c.issued_by.username)
            if c.issued_by
            else None,
            "used_at": _iso(c.used_at),
            "voided_at": _iso(c.voided_at),
        }
        for c in codes.order_by("created_at")
    ]


def register() -> None:
    export_section_register("helpers", helper_actions)
    export_section_register("password_resets", password_resets)
