from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from tests.assessment.helpers import answer
from tests.factories import learner_in, user_with_role

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import role_assign
from hocvuso.assessment.models import Blueprint, Item
from hocvuso.assessment.services import session_start
from hocvuso.core.models import AuditLog
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client: Client, bank: Path) -> Client:
    user = learner_in(30178)
    role_assign(
        actor=user_with_role(Role.NATIONAL_ADMIN), user=user, role=Role.CONTENT_EDITOR
    )
    client.force_login(user)
    return client


def form(item: Item, stem: str) -> dict[str, str]:
    return {
        "competence": str(item.competence_id),
        "level": str(item.level_id),
        "key": "b",
        "stem_vi": stem,
        "stem_en": "Question?",
        "scenario_vi": "",
        "scenario_en": "",
        "options_text": "a | Một | One\nb | Hai | Two\nc | Ba | Three",
        "explanation_vi": "Vì hai.",
        "explanation_en": "Because two.",
    }


def delivered_item() -> Item:
    """Return an item a learner has answered (so editing it makes a version)."""
    learner = learner_in(70)
    session = session_start(
        actor=learner,
        blueprint=Blueprint.objects.get(target_group__slug="adults"),
        seed=1,
    )
    item = session.current_item
    assert item is not None
    answer(learner, session)
    return item


def test_editing_an_unused_item_changes_it_in_place(editor: Client) -> None:
    item = Item.objects.get(slug="4-2-000")
    url = f"/admin/assessment/item/{item.pk}/change/"
    assert editor.post(url, form(item, "Câu mới?")).status_code == 302
    item.refresh_from_db()
    assert item.version == 1 and item.text("stem") == "Câu mới?"
    assert AuditLog.objects.filter(action="item.edit").count() == 1
    preview = editor.get(f"/admin/assessment/item/{item.pk}/preview/").content.decode()
    assert "Câu mới?" in preview and "✓" in preview


def test_editing_a_delivered_item_creates_a_version(editor: Client) -> None:
    item = delivered_item()
    url = f"/admin/assessment/item/{item.pk}/change/"
    assert editor.post(url, form(item, "Sửa lại?")).status_code == 302
    versions = list(Item.objects.filter(slug=item.slug).order_by("version"))
    assert [v.is_current for v in versions] == [False, True]
    assert versions[0].text("stem") != "Sửa lại?" == versions[1].text("stem")


def test_pack_reimport_keeps_edits_of_items_it_did_not_change(
    editor: Client, bank: Path
) -> None:
    for slug in ("1-1-000", "2-3-000"):
        item = Item.objects.get(slug=slug)
        url = f"/admin/assessment/item/{item.pk}/change/"
        assert editor.post(url, form(item, f"Sửa {slug}?")).status_code == 302
    items = bank / "items/safety.yaml"
    text = items.read_text(encoding="utf-8")
    for slug in ("2-3-000", "5-1-000"):  # the pack's authors change these two
        text = text.replace(f"'Câu {slug}?'", f"'Câu {slug} (bản mới)?'")
    items.write_text(text, encoding="utf-8")
    pack_import(source=PackSource.open(bank), actor=None)

    def stem(slug: str) -> str:
        return Item.objects.get(slug=slug, is_current=True).text("stem")

    assert stem("1-1-000") == "Sửa 1-1-000?"  # edited, unchanged in the pack
    assert stem("2-3-000") == "Câu 2-3-000 (bản mới)?"  # the pack's change wins
    assert stem("5-1-000") == "Câu 5-1-000 (bản mới)?"
    assert stem("6-2-000") == "Câu 6-2-000?"


def test_bad_item_form_is_refused(editor: Client) -> None:
    item = Item.objects.get(slug="4-2-000")
    data = form(item, "X?") | {"key": "z", "options_text": "a | Một"}
    response = editor.post(f"/admin/assessment/item/{item.pk}/change/", data)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    item.refresh_from_db()
    assert item.text("stem") != "X?"


def test_learners_cannot_edit_items(client: Client, bank: Path) -> None:
    client.force_login(learner_in(30178))
    item = Item.objects.first()
    assert item is not None
    assert client.get(f"/admin/assessment/item/{item.pk}/change/").status_code == 302


def test_saving_a_delivered_item_opens_the_new_version(editor: Client) -> None:
    item = delivered_item()
    url = f"/admin/assessment/item/{item.pk}/change/"
    response = editor.post(url, form(item, "Câu đã sửa?") | {"_continue": "1"})
    new = Item.objects.get(slug=item.slug, is_current=True)
    assert new.pk != item.pk
    assert response["Location"] == f"/admin/assessment/item/{new.pk}/change/"
    page = editor.get(response["Location"]).content.decode()
    assert "Câu đã sửa?" in page and "None" not in page
    preview = editor.get(f"/admin/assessment/item/{new.pk}/preview/").content.decode()
    assert "Câu đã sửa?" in preview
    listing = editor.get("/admin/assessment/item/?q=" + item.slug).content.decode()
    assert "Câu đã sửa?" in listing


def test_results_are_read_only_in_the_admin(admin_client: Client) -> None:
    assert admin_client.get("/admin/assessment/result/add/").status_code == 403
    listing = admin_client.get("/admin/assessment/result/")
    assert listing.status_code == 200
    assert "Thêm" not in listing.content.decode().split("<h1")[1][:400]


def test_an_old_version_shows_its_text_read_only(editor: Client) -> None:
    item = delivered_item()
    url = f"/admin/assessment/item/{item.pk}/change/"
    editor.post(url, form(item, "Câu đã sửa?"))
    page = editor.get(url).content.decode()
    assert item.text("stem")[:30] in page
    assert ">None<" not in page
