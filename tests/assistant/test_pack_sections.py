"""``synonyms.yaml`` in a pack: read, checked with lines, imported, optional."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.learning.packfactory import write_pack

from hocvuso.assistant.models import SynonymTable
from hocvuso.assistant.pack_sections import pack_synonyms
from hocvuso.packs.reader import pack_read
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource


def test_default_pack_ships_the_abbreviations(default_pack_data: object) -> None:
    groups = pack_synonyms(default_pack_data)  # type: ignore[arg-type]
    flat = {p for g in groups for p in g}
    assert {"cccd", "ck", "app", "bhyt", "otp", "qr"} <= flat


def test_bad_groups_are_reported_with_their_line(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p", lessons=1)
    (root / "synonyms.yaml").write_text(
        "synonyms:\n  - [cccd, căn cước]\n  - [alone]\n  - 12\n", encoding="utf-8"
    )
    report = pack_read(PackSource.open(root), database=False)
    problems = [(i.file, i.line) for i in report.issues]
    assert ("synonyms.yaml", 3) in problems and ("synonyms.yaml", 4) in problems
    (root / "synonyms.yaml").write_text("synonyms: nope\n", encoding="utf-8")
    report = pack_read(PackSource.open(root), database=False)
    assert any("list of groups" in i.message for i in report.issues)


@pytest.mark.django_db
def test_a_pack_without_synonyms_imports_an_empty_table(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p", lessons=1)
    result = pack_import(source=PackSource.open(root), actor=None)
    assert result.counts["synonym_groups"] == 0
    assert SynonymTable.objects.get(pack__slug="test-pack").groups == []
