"""Fixtures of portable credentials: a badge, its signed form, a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import translation

from hocvuso.credentials.vc.badge import (
    BadgeInput,
    Competence,
    Level,
    Recipient,
    StatusEntry,
    badge_build,
)
from hocvuso.credentials.vc.did import did_web
from hocvuso.credentials.vc.sign import credential_sign

ISSUED = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LIST_URL = "http://127.0.0.1:8000/credentials/status/1"


@pytest.fixture(autouse=True)
def _no_certificates(settings: Any) -> None:
    """Test the library alone: no status list comes from the certificates."""
    settings.HOCVUSO_REVOCATION_PROVIDER = "hocvuso.credentials.vc.status.revoked_none"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Assert on the English messages (the site's default language is vi)."""
    with translation.override("en"):
        yield


def make_input(**changes: Any) -> BadgeInput:
    values: dict[str, Any] = {
        "credential_id": "http://127.0.0.1:8000/verify/K7Q2-9XPA",
        "issuer_id": did_web(),
        "issuer_name": "Bình dân học vụ số — xã Tân Phú",
        "issuer_url": "http://127.0.0.1:8000/",
        "achievement_id": "http://127.0.0.1:8000/achievements/ky-nang-so-co-ban",
        "achievement_name": "Kỹ năng số cơ bản",
        "achievement_name_en": "Basic digital skills",
        "achievement_description": "Dùng điện thoại an toàn, tìm thông tin, "
        "làm thủ tục công trực tuyến.",
        "achievement_description_en": "Safe phone use, finding information, "
        "online public services.",
        "criteria_narrative": "Đạt bài đánh giá thích ứng ở mức Cơ bản trở lên.\n"
        "Có người giám sát.\tThời gian: 40 phút.",
        "recipient": Recipient(
            identifier="3f0c6a2e-1b7d-4e55-9a40-2c1d2d0b9e11",
            salt="b9d1c0ffee",
            display_name="Nguyễn Thị Hoa",
        ),
        "valid_from": ISSUED,
        "valid_until": datetime(2031, 3, 1, tzinfo=UTC),
        "competences": (
            Competence(code="1.1", name="Duyệt, tìm kiếm và lọc dữ liệu"),
            Competence(code="4.2", name="Bảo vệ dữ liệu cá nhân và quyền riêng tư"),
        ),
        "levels": (Level("1", "Cơ bản"), Level("2", "Trung cấp")),
        "level_reached": "2",
        "target_group": "Người cao tuổi",
        "status": StatusEntry(list_url=LIST_URL, index=42),
    }
    values.update(changes)
    return BadgeInput(**values)


@pytest.fixture
def unsigned() -> dict[str, Any]:
    return badge_build(make_input())


@pytest.fixture
def signed(unsigned: dict[str, Any]) -> dict[str, Any]:
    return credential_sign(unsigned, created=ISSUED)
