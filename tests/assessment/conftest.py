"""A small pack with 48 items (8 per domain) and blueprints, imported per test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.learning.packfactory import write_pack

from hocvuso.assessment.models import Blueprint
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

COMPETENCES = ["1.1", "2.3", "3.1", "4.2", "5.1", "6.2"]
LEVELS = ["CB1", "CB2", "TC1", "TC2"]


def items_yaml(per_domain: int = 8) -> str:
    lines = ["items:"]
    for comp in COMPETENCES:
        for k in range(per_domain):
            iid = f"{comp.replace('.', '-')}-{k:03d}"
            lines += [
                f"  - id: {iid}",
                f'    competence: "{comp}"',
                f"    level: {LEVELS[k % 4]}",
                "    target_groups: [all]",
                "    kind: mcq",
                f"    stem: {{vi: 'Câu {iid}?', en: 'Question {iid}?'}}",
                "    options:",
                "      - {id: a, vi: 'Một', en: 'One'}",
                "      - {id: b, vi: 'Hai', en: 'Two'}",
                "      - {id: c, vi: 'Ba', en: 'Three'}",
                "    key: b",
                "    explanation: {vi: 'Vì hai.', en: 'Because two.'}",
            ]
    return "\n".join(lines) + "\n"


BLUEPRINTS = """\
blueprints:
  - target_group: adults
    mode: adaptive
    pass_level: CB2
    length: {min: 8, max: 14}
    content: {"1": {min: 1, max: 4}, "4": {min: 2, max: 5}}
    stopping: {se: 0.3, classification: true, confidence: 0.95}
    time_limit_minutes: 30
    retake_cooldown_days: 7
  - target_group: farmers
    mode: adaptive
    pass_level: CB2
    length: {min: 6, max: 10}
    stopping: {se: 0.3, classification: false}
    time_limit_minutes: 30
    retake_cooldown_days: 0
"""


def write_bank_pack(root: Path) -> Path:
    write_pack(root)
    (root / "items/safety.yaml").write_text(items_yaml(), encoding="utf-8")
    (root / "blueprints.yaml").write_text(BLUEPRINTS, encoding="utf-8")
    return root


@pytest.fixture
def bank(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    root = write_bank_pack(tmp_path / "pack")
    pack_import(source=PackSource.open(root), actor=None)
    return root


@pytest.fixture
def adults(bank: Path) -> Blueprint:
    return Blueprint.objects.get(target_group__slug="adults")
