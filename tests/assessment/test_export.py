"""The bank exported as pack files validates and imports back unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from tests.assessment.conftest import write_bank_pack
from tests.assessment.helpers import with_media

from hocvuso.assessment.bank import item_save
from hocvuso.assessment.models import Item
from hocvuso.packs.reader import pack_read
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db


def test_export_round_trip(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    root = with_media(write_bank_pack(tmp_path / "pack"), item="4-2-000")
    pack_import(source=PackSource.open(root), actor=None)
    edited = Item.objects.get(slug="1-1-000")
    item_save(
        actor=None,
        item=edited,
        content=edited.content | {"stem": {"vi": "Câu đã sửa?", "en": "Fixed?"}},
        key="b",
        competence=edited.competence,
        level=edited.level,
    )
    Item.objects.filter(slug="2-3-001").update(
        irt_a=1.37, irt_b=-0.42, irt_provisional=False, irt_source="calibrated"
    )

    out = tmp_path / "out"
    call_command("assessment", "export-items", str(out))
    files = sorted(p.name for p in (out / "items").glob("*.yaml"))
    assert files == ["d1.yaml", "d2.yaml", "d3.yaml", "d4.yaml", "d5.yaml", "d6.yaml"]
    d1 = yaml.safe_load((out / "items/d1.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in d1["items"] if e["id"] == "1-1-000")
    assert entry["stem"] == {"vi": "Câu đã sửa?", "en": "Fixed?"}
    d2 = yaml.safe_load((out / "items/d2.yaml").read_text(encoding="utf-8"))
    assert next(e for e in d2["items"] if e["id"] == "2-3-001")["irt"] == {
        "a": 1.37,
        "b": -0.42,
        "c": 0.0,
    }
    d4 = yaml.safe_load((out / "items/d4.yaml").read_text(encoding="utf-8"))
    pictured = next(e for e in d4["items"] if e["id"] == "4-2-000")
    assert (out / "items" / pictured["media"]["src"]).is_file()

    # The exported items replace the pack's: it validates and imports back.
    again = tmp_path / "pack2"
    shutil.copytree(root, again)
    shutil.rmtree(again / "items")
    shutil.copytree(out / "items", again / "items")
    assert [str(i) for i in pack_read(PackSource.open(again)).issues] == []
    before = dict(Item.objects.filter(is_current=True).values_list("slug", "pk"))
    pack_import(source=PackSource.open(again), actor=None)
    after = dict(Item.objects.filter(is_current=True).values_list("slug", "pk"))
    assert after == before  # same rows stay current: nothing was versioned
    current = Item.objects.get(slug="1-1-000", is_current=True)
    assert current.text("stem") == "Câu đã sửa?"
    assert Item.objects.get(slug="4-2-000", is_current=True).media() is not None
