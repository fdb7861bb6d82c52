from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.factories import learner_in, user_with_role
from tests.learning.packfactory import lesson_path, replace, write_pack

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import role_assign
from hocvuso.learning.models import Lesson

pytestmark = pytest.mark.django_db
URL = "/admin/packs/contentpack/upload/"


def zipped(root: Path) -> SimpleUploadedFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for p in root.rglob("*"):
            if p.is_file():
                zf.write(p, p.relative_to(root).as_posix())
    return SimpleUploadedFile("pack.zip", out.getvalue(), "application/zip")


@pytest.fixture
def editor_client(client: Client, tmp_path: Path, settings: object) -> Client:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    admin = user_with_role(Role.NATIONAL_ADMIN)
    editor = learner_in(30178)
    role_assign(actor=admin, user=editor, role=Role.CONTENT_EDITOR)
    client.force_login(editor)
    return client


def test_editor_uploads_a_pack_zip(editor_client: Client, tmp_path: Path) -> None:
    response = editor_client.post(URL, {"file": zipped(write_pack(tmp_path / "p"))})
    assert response.status_code == 302
    assert Lesson.objects.filter(course__pack__slug="test-pack").count() == 2
    listing = editor_client.get("/admin/packs/contentpack/").content.decode()
    assert "test-pack" in listing and "upload/" in listing


def test_invalid_zip_lists_problems_and_imports_nothing(
    editor_client: Client, tmp_path: Path
) -> None:
    root = write_pack(tmp_path / "p")
    replace(lesson_path(root), "level: CB1", "level: Q1")
    response = editor_client.post(URL, {"file": zipped(root)})
    body = response.content.decode()
    assert response.status_code == 200 and "unknown level" in body
    assert not Lesson.objects.exists()
    junk = SimpleUploadedFile("x.zip", b"not a zip", "application/zip")
    assert "not a valid zip" in editor_client.post(URL, {"file": junk}).content.decode()


def test_learner_cannot_upload(client: Client) -> None:
    client.force_login(learner_in(30178))
    assert client.get(URL).status_code == 302  # to the admin login
