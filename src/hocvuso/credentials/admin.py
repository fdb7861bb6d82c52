"""Admin of the credentials app."""

from __future__ import annotations

from hocvuso.credentials.outbox import admin as outbox_admin

__all__ = ["outbox_admin"]
