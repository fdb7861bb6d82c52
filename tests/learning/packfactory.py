"""Write small content packs for tests, valid unless a test breaks them."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from PIL import Image

LESSON_VI = """\
---
id: {id}
title: Bài {n}
summary: Tóm tắt bài {n}.
competences: ["4.2"]
level: CB1
minutes: 5
target_groups: [all]
sources:
  - title: Nguồn
    url: https://example.vn/nguon
self_check:
  - question: Câu hỏi một?
    options: [Đúng, Sai]
    answer: 0
    explanation: Vì đúng.
  - question: Câu hỏi hai?
    options: [A, B, C]
    answer: 2
    explanation: Vì C.
---

## Phần {n}

Nội dung bài {n}. ![Ảnh](../media/pic.png)
"""

LESSON_EN = """\
---
title: Lesson {n}
summary: Summary {n}.
self_check:
  - question: Question one?
    options: [True, False]
    answer: 0
    explanation: Because.
  - question: Question two?
    options: [A, B, C]
    answer: 2
    explanation: Because C.
---

## Part {n}

Text of lesson {n}. ![Picture](../media/pic.png)
"""

ITEMS = """\
items:
  - id: t-001
    competence: "4.2"
    level: CB1
    target_groups: [all]
    kind: scenario
    scenario: {vi: "Tin nhắn lạ", en: "Strange SMS"}
    stem: {vi: "Bạn làm gì?", en: "What do you do?"}
    options:
      - {id: a, vi: "Bấm link", en: "Click"}
      - {id: b, vi: "Xóa tin", en: "Delete"}
      - {id: c, vi: "Trả lời", en: "Reply"}
    key: b
    explanation: {vi: "Tin lừa đảo.", en: "A scam."}
"""

BLUEPRINTS = """\
blueprints:
  - target_group: adults
    mode: adaptive
    pass_level: CB2
    length: {min: 10, max: 30}
    content:
      "4": {min: 2, max: 8}
"""


def png(width: int = 1600, height: int = 800) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def write_pack(root: Path, *, pack_id: str = "test-pack", lessons: int = 2) -> Path:
    """Write a valid pack with one course of ``lessons`` lessons under ``root``."""
    (root / "courses/safety/lessons").mkdir(parents=True, exist_ok=True)
    (root / "courses/safety/media").mkdir(exist_ok=True)
    (root / "items").mkdir(exist_ok=True)
    (root / "pack.yaml").write_text(
        textwrap.dedent(f"""\
        id: {pack_id}
        version: "1.0"
        framework: tt02-2025
        languages: [vi, en]
        title: {{vi: Gói thử, en: Test pack}}
        """),
        encoding="utf-8",
    )
    (root / "courses/safety/course.yaml").write_text(
        textwrap.dedent("""\
        id: safety
        order: 1
        title: {vi: An toàn, en: Safety}
        summary: {vi: Giữ an toàn., en: Stay safe.}
        target_groups: [all]
        """),
        encoding="utf-8",
    )
    for n in range(1, lessons + 1):
        base = root / f"courses/safety/lessons/{n:02d}-bai-{n}"
        lid = f"safety-lesson-{n}"
        base.with_suffix(".md").write_text(LESSON_VI.format(id=lid, n=n), "utf-8")
        Path(f"{base}.en.md").write_text(LESSON_EN.format(n=n), "utf-8")
    (root / "courses/safety/media/pic.png").write_bytes(png())
    (root / "items/safety.yaml").write_text(ITEMS, encoding="utf-8")
    (root / "blueprints.yaml").write_text(BLUEPRINTS, encoding="utf-8")
    return root


def lesson_path(root: Path, n: int = 1, lang: str = "") -> Path:
    suffix = f".{lang}.md" if lang else ".md"
    return root / f"courses/safety/lessons/{n:02d}-bai-{n}{suffix}"


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
