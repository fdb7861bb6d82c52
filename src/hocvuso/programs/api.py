"""The programs API (read-only progress figures for portals and apps)."""

from __future__ import annotations

from ninja import Router

router = Router()
