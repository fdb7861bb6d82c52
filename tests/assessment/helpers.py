"""Helpers shared by the assessment test modules (import them from here)."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.learning.packfactory import png

from hocvuso.accounts.models import User
from hocvuso.assessment.models import TestSession
from hocvuso.assessment.services import SessionState, answer_submit

MEDIA = (
    "    media:\n"
    "      src: {src}\n"
    "      alt: {{vi: 'Tin nhắn giả mạo VNeID', en: 'A fake VNeID text message'}}\n"
)


def with_media(root: Path, src: str = "media/sms.png", item: str = "t-001") -> Path:
    items = root / "items/safety.yaml"
    text = items.read_text(encoding="utf-8")
    head, tail = text.split(f"  - id: {item}\n", 1)
    rest = tail.split("    key: b\n", 1)
    items.write_text(
        head + f"  - id: {item}\n" + rest[0] + "    key: b\n"
        + MEDIA.format(src=src) + rest[1],
        encoding="utf-8",
    )  # fmt: skip
    (root / "items/media").mkdir(exist_ok=True)
    (root / "items/media/sms.png").write_bytes(png(1200, 600))
    return root


def answer(user: User, session: TestSession, right: bool = True) -> SessionState:
    session.refresh_from_db()
    item = session.current_item
    assert item is not None
    option = (
        item.key
        if right
        else next(o["id"] for o in item.content["options"] if o["id"] != item.key)
    )
    return answer_submit(
        actor=user,
        session_id=session.pk,
        item_id=str(item.pk),
        option=option,
        attempt_id=uuid.uuid4(),
    )
