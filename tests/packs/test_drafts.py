"""Draft packs: imported with --draft, previewed by editors, published, audited."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from tests.factories import learner_in, user_with_role
from tests.learning.packfactory import write_pack

from hocvuso.core.models import AuditLog
from hocvuso.packs.errors import PackInvalid
from hocvuso.packs.models import ContentPack
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db

COURSE = "/learn/safety/"
LESSON = "/learn/safety/safety-lesson-1/"


@pytest.fixture
def pack(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return write_pack(tmp_path / "pack")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("content", *args, stdout=out, verbosity=0)
    return out.getvalue()


def test_draft_is_for_editors_until_published(client: Client, pack: Path) -> None:
    assert "(draft: editors only)" in run("import", str(pack), "--draft")
    assert ContentPack.objects.get().status == "draft"
    client.force_login(learner_in(30178))
    assert "An toàn" not in client.get("/learn/").content.decode()
    assert client.get(COURSE).status_code == 404
    assert client.get(LESSON).status_code == 404
    assert client.get("/api/learning/courses/safety").status_code == 404
    assert "safety" not in str(client.get("/api/learning/courses").json())

    client.force_login(user_with_role("content_editor"))
    assert "An toàn" in client.get("/learn/").content.decode()
    course = client.get(COURSE).content.decode()
    assert 'data-testid="draft-notice"' in course and "chưa được đăng" in course
    assert 'data-testid="draft-notice"' in client.get(LESSON).content.decode()

    assert "published" in run("publish", "test-pack")
    assert ContentPack.objects.get().status == "published"
    client.force_login(learner_in(30178))
    page = client.get(COURSE).content.decode()
    assert client.get(LESSON).status_code == 200 and "draft-notice" not in page
    audit = AuditLog.objects.get(action="content_pack.publish")
    assert audit.before == {"status": "draft"} and audit.after == {
        "status": "published"
    }
    run("publish", "test-pack")  # idempotent
    assert AuditLog.objects.filter(action="content_pack.publish").count() == 1


def test_a_published_pack_is_not_taken_back_to_draft(pack: Path) -> None:
    run("import", str(pack))
    with pytest.raises(PackInvalid) as exc:
        pack_import(source=PackSource.open(pack), actor=None, draft=True, force=True)
    assert "test-pack" in str(exc.value.issues[0])
    assert ContentPack.objects.get().status == "published"
    with pytest.raises(CommandError):
        run("publish", "no-such-pack")


def test_upload_brings_a_new_pack_as_draft_and_keeps_published_ones(
    pack: Path,
) -> None:
    new = pack_import(source=PackSource.open(pack), actor=None, draft=None)
    assert new.pack.status == "draft"
    run("publish", "test-pack")
    again = pack_import(
        source=PackSource.open(pack), actor=None, draft=None, force=True
    )
    assert again.pack.status == "published"


def test_plain_import_of_an_unchanged_draft_publishes_it(pack: Path) -> None:
    run("import", str(pack), "--draft")
    assert "unchanged." in run("import", str(pack))
    assert ContentPack.objects.get().status == "published"
    assert AuditLog.objects.filter(action="content_pack.publish").count() == 1


def test_admin_publish_action(client: Client, pack: Path) -> None:
    run("import", str(pack), "--draft")
    editor = user_with_role("content_editor")
    editor.is_staff = True  # as role_assign sets it (tests/accounts/test_admin.py)
    editor.save()
    client.force_login(editor)
    listing = client.get("/admin/packs/contentpack/")
    assert listing.status_code == 200 and "Bản nháp" in listing.content.decode()
    response = client.post(
        "/admin/packs/contentpack/",
        {
            "action": "publish",
            "_selected_action": [str(ContentPack.objects.get().pk)],
            "index": "0",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert ContentPack.objects.get().status == "published"
    assert AuditLog.objects.get(action="content_pack.publish").actor_id == editor.pk
