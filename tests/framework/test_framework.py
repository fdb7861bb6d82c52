from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.test import Client

from hocvuso.framework.errors import FrameworkDataError, FrameworkLocked
from hocvuso.framework.models import Competence, Framework, TargetGroup
from hocvuso.framework.services import (
    DEFAULT_FRAMEWORK_FILE,
    framework_load,
    framework_lock,
)

pytestmark = pytest.mark.django_db


def test_circular_02_framework_is_complete() -> None:
    fw = Framework.objects.get(slug="tt02-2025")
    assert fw.domains.count() == 6 and fw.competences.count() == 24
    assert list(fw.levels.values_list("code", flat=True)) == [
        "CB1",
        "CB2",
        "TC1",
        "TC2",
        "NC1",
        "NC2",
        "CS1",
        "CS2",
    ]
    c = Competence.objects.get(framework=fw, code="4.2")
    assert c.name_vi == "Bảo vệ dữ liệu cá nhân và quyền riêng tư"
    assert (
        c.name_en == "Protecting personal data and privacy" and c.digcomp_ref == "4.2"
    )
    assert (
        not Competence.objects.filter(framework=fw, code__startswith="6.")
        .exclude(digcomp_ref="")
        .exists()
    )


def test_nine_target_groups_with_required_levels() -> None:
    groups = {g.slug: g.required_level.code for g in TargetGroup.objects.all()}
    assert len(groups) == 9
    assert groups["adults"] == "CB2" and groups["leaders"] == "TC2"


def test_reload_unchanged_is_a_no_op() -> None:
    result = framework_load()
    assert not result.created and not result.changed


def _edited_copy(tmp_path: Path) -> Path:
    data = yaml.safe_load(DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8"))
    data["domains"][0]["competences"][0]["name"]["en"] = "Edited"
    path = tmp_path / "fw.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_unlocked_version_can_be_corrected(tmp_path: Path) -> None:
    result = framework_load(path=_edited_copy(tmp_path))
    assert result.changed
    assert Competence.objects.get(code="1.1").name_en == "Edited"


def test_locked_version_is_immutable(tmp_path: Path) -> None:
    framework_lock(framework=Framework.objects.get(slug="tt02-2025"))
    with pytest.raises(FrameworkLocked, match="new version"):
        framework_load(path=_edited_copy(tmp_path))
    assert Competence.objects.get(code="1.1").name_en.startswith("Browsing")


def test_malformed_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\nversion: '1'\ntitle: {vi: only}\n", encoding="utf-8")
    with pytest.raises(FrameworkDataError, match="title"):
        framework_load(path=path)


def test_api_returns_both_languages(client: Client) -> None:
    listing = client.get("/api/frameworks").json()
    assert listing[0]["id"] == "tt02-2025@1.0"
    data = client.get("/api/frameworks/tt02-2025").json()
    assert len(data["domains"]) == 6
    comps = [c for d in data["domains"] for c in d["competences"]]
    assert len(comps) == 24 and all(c["name"]["vi"] and c["name"]["en"] for c in comps)
    assert data["domains"][5]["name"]["en"] == "Applying artificial intelligence"
    assert len(data["target_groups"]) == 9 and len(data["levels"]) == 8
    assert client.get("/api/frameworks/tt02-2025@1.0").status_code == 200


def test_api_unknown_framework_is_404(client: Client) -> None:
    response = client.get("/api/frameworks/nope@9")
    assert response.status_code == 404 and "nope@9" in response.json()["detail"]
