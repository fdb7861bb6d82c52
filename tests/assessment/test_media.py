"""Items with a picture: checked in the pack, stored, shown with its alt text."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.assessment.conftest import write_bank_pack
from tests.assessment.helpers import with_media
from tests.factories import learner_in, user_with_role
from tests.learning.packfactory import write_pack

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import role_assign
from hocvuso.assessment.models import Item
from hocvuso.packs.reader import pack_read
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db
JSON = "application/json"


def problems(root: Path) -> list[str]:
    return [str(i) for i in pack_read(PackSource.open(root)).issues]


def test_item_picture_is_checked(tmp_path: Path) -> None:
    assert problems(with_media(write_pack(tmp_path / "ok"))) == []
    assert problems(with_media(write_pack(tmp_path / "a"), "media/none.png")) == [
        "items/safety.yaml:14: missing image 'media/none.png'"
    ]
    assert problems(with_media(write_pack(tmp_path / "b"), "../x.png")) == [
        "items/safety.yaml:14: image '../x.png' must be inside the items folder"
    ]
    assert problems(with_media(write_pack(tmp_path / "c"), "media/sms.gif")) == [
        "items/safety.yaml:14: image 'media/sms.gif' must be one of .png, .jpg,"
        " .jpeg, .webp"
    ]
    root = with_media(write_pack(tmp_path / "d"))
    items = root / "items/safety.yaml"
    items.write_text(
        items.read_text(encoding="utf-8").replace(
            ", en: 'A fake VNeID text message'", ""
        ),
        encoding="utf-8",
    )
    assert problems(root) == [
        "items/safety.yaml:16: missing translation: 'items.0.media.alt.en'"
    ]


@pytest.fixture
def pictured(tmp_path: Path, settings: Any) -> Item:
    """The bank pack with a picture on item 4-2-000, farmers' fixed form of it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    root = with_media(write_bank_pack(tmp_path / "pack"), item="4-2-000")
    blueprints = root / "blueprints.yaml"
    blueprints.write_text(
        blueprints.read_text().split("  - target_group: farmers")[0]
        + "  - target_group: farmers\n    mode: fixed\n    pass_level: CB2\n"
        + "    items: [4-2-000, 1-1-000]\n",
        encoding="utf-8",
    )
    pack_import(source=PackSource.open(root), actor=None)
    return Item.objects.get(slug="4-2-000", is_current=True)


def test_picture_reaches_the_learner_with_its_alt_text(
    client: Client, pictured: Item
) -> None:
    client.force_login(learner_in(30178))
    response = client.post(
        "/api/assessment/sessions", {"target_group": "farmers"}, JSON
    )
    item = response.json()["item"]
    assert item["id"] == str(pictured.pk)
    assert item["media"]["alt"] == "Tin nhắn giả mạo VNeID"
    image = client.get(item["media"]["src"])
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    page = client.get(f"/assess/s/{response.json()['id']}/").content.decode()
    assert f'<img src="{item["media"]["src"]}" alt="Tin nhắn giả mạo VNeID">' in page
    # The next item has no picture.
    body = {"attempt_id": str(uuid.uuid4()), "item_id": item["id"], "option": "b"}
    answer = client.post(
        f"/api/assessment/sessions/{response.json()['id']}/answers", body, JSON
    )
    assert answer.json()["item"]["media"] is None


def test_editing_in_the_admin_keeps_the_picture(client: Client, pictured: Item) -> None:
    editor = learner_in(30178)
    role_assign(
        actor=user_with_role(Role.NATIONAL_ADMIN), user=editor, role=Role.CONTENT_EDITOR
    )
    client.force_login(editor)
    data = {
        "competence": str(pictured.competence_id),
        "level": str(pictured.level_id),
        "key": "b",
        "stem_vi": "Bạn làm gì khi nhận tin này?",
        "stem_en": "What do you do with this message?",
        "scenario_vi": "",
        "scenario_en": "",
        "options_text": "a | Một | One\nb | Hai | Two\nc | Ba | Three",
        "explanation_vi": "Vì hai.",
        "explanation_en": "Because two.",
    }
    url = f"/admin/assessment/item/{pictured.pk}/change/"
    assert client.post(url, data).status_code == 302
    edited = Item.objects.get(slug="4-2-000", is_current=True)
    assert edited.text("stem") == "Bạn làm gì khi nhận tin này?"
    assert edited.content["media"] == pictured.content["media"]
    preview = client.get(f"/admin/assessment/item/{edited.pk}/preview/")
    assert 'alt="Tin nhắn giả mạo VNeID"' in preview.content.decode()
