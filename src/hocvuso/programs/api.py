"""The programs API (read-only progress figures for portals and apps)."""

from __future__ import annotations

from ninja import Router

from hocvuso.programs.target_api import router as target_router

router = Router()
router.add_router("", target_router)  # targets, populations, manual values, approval
